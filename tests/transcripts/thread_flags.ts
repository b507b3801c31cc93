// The loop's side of thread_work.ts's `hold`: Python's semaphore and event
// for the thread_* transcripts, in shared memory.

/** How many `hold` jobs started (word 0), and their release (word 1). */
export class Flags {
  /** Given to each `hold` job. */
  readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8);
  #words = new Int32Array(this.buffer);

  /** How many started so far. */
  get started(): number {
    return Atomics.load(this.#words, 0);
  }

  /** Resolves once `n` have started. */
  async waitStarted(n: number): Promise<void> {
    for (let seen; (seen = Atomics.load(this.#words, 0)) < n;) {
      const wait = Atomics.waitAsync(this.#words, 0, seen, 5000);
      if (wait.async) await wait.value;
    }
  }

  /** Let them all return. */
  release(): void {
    Atomics.store(this.#words, 1, 1);
    Atomics.notify(this.#words, 1);
  }
}

/** Python's `log` list that the threads append to: one-letter names, in shared memory. */
export class Log {
  /** Given to each `work` job. */
  readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4 * 64);
  #words = new Int32Array(this.buffer);

  /** The names appended so far, as Python prints the list. */
  toString(): string {
    const n = Atomics.load(this.#words, 0);
    const names = [...this.#words.subarray(1, 1 + n)].map((c) => `'${String.fromCharCode(c)}'`);
    return `[${names.join(", ")}]`;
  }

  /** Empty it. */
  clear(): void {
    Atomics.store(this.#words, 0, 0);
  }
}
