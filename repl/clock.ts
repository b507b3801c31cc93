/**
 * The REPL's real clock: loop time counts from the moment the loop was made
 * (the session's start or the last `reset`), so printers, prompt, queue and
 * timeline share one time base that starts at 0, as `t = time.time()` does
 * in the lecture's printers. Blocking on it ends early at Ctrl-C.
 * @module
 */
import type { Clock } from "../mod.ts";
import type { CtrlC } from "./ctrl_c.ts";

/** Real time since construction, in seconds; `block` waits but stops at Ctrl-C. */
export class SessionClock implements Clock {
  readonly virtual = false;
  readonly #origin = performance.now();
  readonly #ctrlC: CtrlC;
  readonly #beforeBlock: () => void;

  /** `beforeBlock` runs just before the thread blocks (to show what was printed so far). */
  constructor(ctrlC: CtrlC, beforeBlock: () => void) {
    this.#ctrlC = ctrlC;
    this.#beforeBlock = beforeBlock;
  }

  now(): number {
    return (performance.now() - this.#origin) / 1000;
  }

  advanceTo(_when: number): void {}

  block(seconds: number): void {
    if (!(seconds >= 0) || !Number.isFinite(seconds)) {
      throw new RangeError(`Seconds must be a finite, non-negative number, got ${seconds}`);
    }
    this.#ctrlC.wait(seconds * 1000, this.#beforeBlock);
  }
}
