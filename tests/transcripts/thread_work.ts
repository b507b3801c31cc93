// The functions the thread_* transcripts run on Workers (their Python
// peers run them on threads).

/** Its argument. */
export function job<T>(x: T): T {
  return x;
}

/**
 * Count itself started (word 0 of `flags`, notified), wait until word 1 is
 * set (at most 5 s), append `x` to `log` if given (see `work`), and
 * return `x`: Python's `started.release(); release.wait(5)` with a
 * semaphore and an event shared by the threads.
 */
export function hold<T>(flags: SharedArrayBuffer, x: T, log?: SharedArrayBuffer): T {
  const words = new Int32Array(flags);
  Atomics.add(words, 0, 1);
  Atomics.notify(words, 0);
  Atomics.wait(words, 1, 0, 5000);
  if (log !== undefined) append(log, String(x));
  return x;
}

/**
 * Sleep `seconds` (blocking the Worker, as time.sleep blocks a thread),
 * append `name` (one letter) to the shared `log` (see `Log`), return it.
 */
export function work(name: string, seconds: number, log: SharedArrayBuffer): string {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
  append(log, name);
  return name;
}

function append(log: SharedArrayBuffer, name: string): void {
  const words = new Int32Array(log);
  words[1 + Atomics.add(words, 0, 1)] = name.charCodeAt(0);
}
