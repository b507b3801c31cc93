// The callback that bench/_threadsafe_worker.ts calls on the loop with
// callSoonThreadsafe. The loop's thread imports this module by the same URL
// as bench/threadsafe.ts does, so both see one counter.

let count = 0;
let target = 0;
let done: () => void = () => {};

/** Call `onDone` when `tick` has run `n` times from now. */
export function expect(n: number, onDone: () => void): void {
  count = 0;
  target = n;
  done = onDone;
}

/** One callback on the loop. */
export function tick(): void {
  if (++count === target) done();
}
