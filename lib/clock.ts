/**
 * Clocks for the event loop. The loop reads time only through a `Clock`,
 * injected at construction (as Trio's `MockClock`), so no global is patched.
 * @module
 */
import { _getRunningLoopOrNull } from "./_running.ts";

/** What the loop needs from a clock. Times are in seconds. */
export interface Clock {
  /** The current time in seconds; never goes backwards. */
  now(): number;
  /**
   * Block the thread for `seconds` (synchronous work, as Python's
   * `time.sleep`). A virtual clock advances instead of sleeping.
   */
  block(seconds: number): void;
  /** True when time only moves when the loop lets it (no real waiting). */
  readonly virtual: boolean;
  /**
   * Move time forward to `when` (never backwards). The loop calls it on a
   * virtual clock when it jumps to the next timer; a real clock ignores it.
   */
  advanceTo(when: number): void;
}

/**
 * The real monotonic clock (`performance.now()`, in seconds). The default.
 *
 * @example
 * ```ts
 * import { RealClock } from "@asyncio/deno";
 * const clock = new RealClock();
 * console.assert(clock.now() >= 0);
 * ```
 */
export class RealClock implements Clock {
  /** Always false: this clock runs by itself. */
  readonly virtual = false;
  #cell = new Int32Array(new SharedArrayBuffer(4));

  /** Seconds since the process started, monotonic. */
  now(): number {
    return performance.now() / 1000;
  }

  /** Does nothing: real time cannot be moved. */
  advanceTo(_when: number): void {}

  /** Really block the thread (`Atomics.wait`), burning no CPU. */
  block(seconds: number): void {
    checkDuration(seconds);
    const end = performance.now() + seconds * 1000;
    for (;;) {
      const left = end - performance.now();
      if (left <= 0) return;
      Atomics.wait(this.#cell, 0, 0, left);
    }
  }
}

/**
 * A clock that stands still until the loop moves it: when nothing is ready
 * to run and nothing outside the loop is awaited, the loop jumps it straight
 * to the next timer. Runs become instant and their times exact.
 *
 * @example
 * ```ts
 * import { EventLoop, VirtualClock } from "@asyncio/deno";
 * const loop = new EventLoop({ clock: new VirtualClock() });
 * loop.callLater(3600, () => console.log("an hour later, at", loop.time()));
 * loop.callLater(3601, () => loop.stop());
 * await loop.runForever(); // returns at once
 * loop.close();
 * ```
 */
export class VirtualClock implements Clock {
  /** Always true. */
  readonly virtual = true;
  #now: number;

  /** Start at `start` seconds (default 0). */
  constructor(start = 0) {
    checkDuration(start);
    this.#now = start;
  }

  /** The virtual time in seconds. */
  now(): number {
    return this.#now;
  }

  /** Move time forward by `seconds`. */
  advance(seconds: number): void {
    checkDuration(seconds);
    this.#now += seconds;
  }

  /** Move time forward to `when`; an earlier `when` is ignored. */
  advanceTo(when: number): void {
    if (when > this.#now) this.#now = when;
  }

  /** Blocking work on a virtual clock takes virtual time and no real time. */
  block(seconds: number): void {
    this.advance(seconds);
  }
}

function checkDuration(seconds: number): void {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
    throw new TypeError(`Seconds must be a finite number, got ${seconds}`);
  }
  if (seconds < 0) {
    throw new RangeError(`Seconds must not be negative, got ${seconds}`);
  }
}

/**
 * Block the thread for `seconds`, as Python's `time.sleep`: the loop and
 * everything on it waits. On a loop with a virtual clock it advances that
 * clock instead, so demos of blocking callbacks stay instant.
 *
 * @param seconds how long to block; a finite number, not negative.
 * @throws {TypeError} if `seconds` is not a finite number.
 * @example
 * ```ts
 * import { blockingSleep } from "@asyncio/deno";
 * blockingSleep(0.01); // the whole thread stops for 10 ms
 * ```
 */
export function blockingSleep(seconds: number): void {
  const loop = _getRunningLoopOrNull();
  (loop === null ? defaultClock : loop.clock).block(seconds);
}

const defaultClock = new RealClock();
