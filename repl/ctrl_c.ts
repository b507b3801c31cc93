/**
 * Ctrl-C that reaches a blocked thread. Deno runs a signal listener on the
 * thread that added it, as an event of that thread's loop: while a blocking
 * printer holds the main thread (`call_soon hog block=30` on the real
 * clock), a listener there would run only after the 30 s. A tiny worker
 * listens instead (`ctrl_c_worker.ts`): on SIGINT it bumps a counter in
 * shared memory and wakes whoever waits on it with `Atomics.wait`, as a
 * blocking printer does (`wait`), and tells the main thread.
 *
 * The interactive REPL keeps one worker listening (`listen`). A script
 * (piped stdin) does not: a live worker keeps Deno from ever finding its
 * loop idle, and the REPL relies on that ("beforeunload") to end a wait that
 * nothing could end. There a worker listens only while a printer blocks,
 * and a listener of the main thread stops runs (`duringRun`).
 *
 * JavaScript that never returns (`js while (true) {}`) cannot be stopped:
 * nothing in Deno lets another thread interrupt it. With a listening
 * worker, if the main thread has not taken a Ctrl-C within 2 s, the worker
 * says so, puts the terminal back to normal and stops listening, so that
 * the next Ctrl-C ends the process (Deno's default); the REPL listens again
 * at its next line.
 * @module
 */

const WORKER_URL = new URL("./ctrl_c_worker.ts", import.meta.url);

export class CtrlC {
  // [0] Ctrl-Cs heard, [1] Ctrl-Cs taken by this thread, [2] 1 while a worker listens.
  readonly #cells = new Int32Array(new SharedArrayBuffer(12));
  #worker: Worker | null = null;
  // Ctrl-Cs heard when the current line or run began: those before it are spent.
  #mark = 0;

  /**
   * Keep a worker listening until `close()`; `onInterrupt` runs on this
   * thread, at its next turn after each Ctrl-C.
   */
  listen(onInterrupt: () => void): void {
    this.#worker = this.#start(true);
    this.#worker.onmessage = () => {
      this.#take();
      onInterrupt();
    };
  }

  /** Stop listening. */
  close(): void {
    this.#worker?.terminate();
    this.#worker = null;
  }

  /** A line or a run begins: only a Ctrl-C from now on interrupts it; listen again if the worker gave up. */
  arm(): void {
    this.#mark = Atomics.load(this.#cells, 0);
    if (this.#worker !== null && Atomics.load(this.#cells, 2) === 0) {
      this.#worker.postMessage("listen");
    }
  }

  /** True if Ctrl-C came since `arm()`. */
  get pending(): boolean {
    return Atomics.load(this.#cells, 0) > this.#mark;
  }

  /**
   * While a run goes on, call `onInterrupt` at Ctrl-C (unless the listening
   * worker does); returns the function that stops it.
   */
  duringRun(onInterrupt: () => void): () => void {
    if (this.#worker !== null) return () => {};
    Deno.addSignalListener("SIGINT", onInterrupt);
    return () => Deno.removeSignalListener("SIGINT", onInterrupt);
  }

  /**
   * Block the thread for `ms`, or until Ctrl-C (at once if one is pending).
   * `ready` runs once a worker listens, just before the thread blocks (to
   * show what was printed: a Ctrl-C after that is heard).
   * @returns true if Ctrl-C ended it.
   */
  wait(ms: number, ready: () => void = () => {}): boolean {
    const end = performance.now() + ms;
    let helper: Worker | null = null;
    if (this.#worker === null) {
      helper = this.#start(false);
      // Until it listens a Ctrl-C would be lost: wait for it (it starts in ~30 ms).
      while (Atomics.load(this.#cells, 2) === 0 && performance.now() < end) {
        Atomics.wait(this.#cells, 2, 0, end - performance.now());
      }
    }
    ready();
    try {
      for (;;) {
        const heard = Atomics.load(this.#cells, 0);
        if (heard > this.#mark) {
          this.#take();
          return true;
        }
        const left = end - performance.now();
        if (left <= 0) return false;
        Atomics.wait(this.#cells, 0, heard, left);
      }
    } finally {
      if (helper !== null) {
        helper.terminate();
        Atomics.store(this.#cells, 2, 0);
      }
    }
  }

  #start(watch: boolean): Worker {
    const worker = new Worker(WORKER_URL, { type: "module" });
    worker.postMessage({ cells: this.#cells.buffer, watch });
    return worker;
  }

  // Tell the worker this thread is alive and has seen the Ctrl-Cs so far.
  #take(): void {
    Atomics.store(this.#cells, 1, Atomics.load(this.#cells, 0));
  }
}
