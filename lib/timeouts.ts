/**
 * Timeouts around a block of code, as CPython's `asyncio/timeouts.py`.
 * @module
 */
import { getRunningLoop, type Handle } from "./events.ts";
import { CancelledError, RuntimeError, TimeoutError } from "./exceptions.ts";
import { currentTask, type Task } from "./tasks.ts";
import { notForAwaitUsing, shortRepr } from "./_util.ts";

type State = "created" | "active" | "expiring" | "expired" | "finished";

/**
 * A deadline for a block of code running in a task. When the deadline
 * passes, the task is cancelled; when the block then ends with that
 * `CancelledError`, `run()` throws `TimeoutError` in its place (with the
 * `CancelledError` as `cause`).
 *
 * Why a callback and not `await using`: Python's `async with timeout(…)`
 * must catch the `CancelledError` on exit and throw a `TimeoutError`
 * instead. JavaScript's `[Symbol.asyncDispose]` is not told whether the
 * block threw, and what it throws is wrapped together with the block's
 * error in a `SuppressedError`. So the block is a callback:
 * `await timeout(1, async (t) => …)`, or `const t = timeout(1)` and later
 * `await t.run(async () => …)`, which also leaves `t` at hand to ask
 * `expired()` afterwards.
 *
 * Only a cancellation that the timeout itself asked for becomes a
 * `TimeoutError`: it counts the task's cancel requests (`cancelling()` on
 * entry, `uncancel()` on exit), so an outer cancel or an outer timeout
 * still gets through as `CancelledError`.
 *
 * Mirrors `asyncio.Timeout`.
 *
 * @example
 * ```ts
 * import { run, sleep, timeout, TimeoutError } from "@asyncio/deno";
 * await run(async () => {
 *   const t = timeout(0.01);
 *   try {
 *     await t.run(() => sleep(10));
 *   } catch (err) {
 *     console.assert(err instanceof TimeoutError && t.expired());
 *   }
 * });
 * ```
 */
export class Timeout {
  #state: State = "created";
  #when: number | null;
  #handle: Handle | null = null;
  #task: Task<unknown> | null = null;
  /** The task's `cancelling()` on entry: more than that on exit is someone else's cancel. */
  #cancelling = 0;

  /**
   * A timeout at loop time `when` (`null`: none). Prefer `timeout()` or
   * `timeoutAt()`. A `when` already past fires on the next iteration.
   */
  constructor(when: number | null) {
    checkWhen(when);
    this.#when = when;
  }

  /** @ignore Not for `await using` (see above): a clear error where it is tried. */
  get [Symbol.asyncDispose](): undefined {
    throw notForAwaitUsing("a Timeout", "await timeout(delay, async (t) => { … })");
  }

  /** The deadline, in loop time, or `null`. Mirrors `Timeout.when`. */
  when(): number | null {
    return this.#when;
  }

  /**
   * Move the deadline (`null`: no deadline) while the block runs.
   * Mirrors `Timeout.reschedule`.
   * @throws {RuntimeError} outside the block, or once it expired.
   */
  reschedule(when: number | null): void {
    checkWhen(when);
    if (this.#state !== "active") {
      if (this.#state === "created") throw new RuntimeError("Timeout has not been entered");
      throw new RuntimeError(`Cannot change state of ${this.#state} Timeout`);
    }
    this.#when = when;
    this.#handle?.cancel();
    if (when === null) {
      this.#handle = null;
      return;
    }
    const loop = getRunningLoop();
    this.#handle = when <= loop.time()
      ? loop.callSoon(this.#onTimeout)
      : loop.callAt(when, this.#onTimeout);
  }

  /** True once the deadline has passed while the block ran. Mirrors `Timeout.expired`. */
  expired(): boolean {
    return this.#state === "expiring" || this.#state === "expired";
  }

  /**
   * Run `body` (in the calling task) under this deadline; return its
   * result. A timeout can be run once.
   * @throws {TimeoutError} if the deadline cancelled the block.
   * @throws {RuntimeError} outside a task, or if already used.
   */
  async run<T>(body: (timeout: Timeout) => PromiseLike<T> | T): Promise<T> {
    this.#enter();
    let result: T;
    try {
      result = await body(this);
    } catch (err) {
      this.#exit(err);
      throw err;
    }
    this.#exit(undefined);
    return result;
  }

  /** For example `<Timeout [active] when=12.5>`, as asyncio's repr. */
  toString(): string {
    const when = this.#when === null ? "None" : String(Math.round(this.#when * 1000) / 1000);
    return `<Timeout [${this.#state}]${this.#state === "active" ? ` when=${when}` : ""}>`;
  }

  #enter(): void {
    if (this.#state !== "created") throw new RuntimeError("Timeout has already been entered");
    const task = currentTask();
    if (task === null) throw new RuntimeError("Timeout should be used inside a task");
    this.#state = "active";
    this.#task = task;
    this.#cancelling = task.cancelling();
    this.reschedule(this.#when);
  }

  /** As `__aexit__`; throws the `TimeoutError` that replaces `error`. */
  #exit(error: unknown): void {
    this.#handle?.cancel();
    this.#handle = null;
    if (this.#state === "expiring") {
      this.#state = "expired";
      if (this.#task!.uncancel() <= this.#cancelling && error instanceof CancelledError) {
        // No newer cancel request is pending: this cancellation was ours.
        throw Object.assign(new TimeoutError(), { cause: error });
      }
    } else if (this.#state === "active") {
      this.#state = "finished";
    }
  }

  #onTimeout = (): void => {
    this.#task!.cancel();
    this.#state = "expiring";
    this.#handle = null;
  };
}

/**
 * A `Timeout` `delay` seconds from now (`null`: none). With `body`, run it
 * at once under that timeout and return its result.
 *
 * Mirrors `asyncio.timeout` (`async with timeout(d): …` is
 * `await timeout(d, async () => …)`; see `Timeout` for why).
 * @throws {TimeoutError} (with `body`) if the deadline passed.
 * @throws {RuntimeError} outside a running loop.
 * @example
 * ```ts
 * import { run, sleep, timeout } from "@asyncio/deno";
 * const value = await run(() => timeout(1, () => sleep(0.01, "in time")));
 * console.assert(value === "in time");
 * ```
 */
export function timeout(delay: number | null): Timeout;
/** `timeout(delay, body)`: run `body` under the timeout; see above. */
export function timeout<T>(
  delay: number | null,
  body: (timeout: Timeout) => PromiseLike<T> | T,
): Promise<T>;
export function timeout<T>(
  delay: number | null,
  body?: (timeout: Timeout) => PromiseLike<T> | T,
): Timeout | Promise<T> {
  checkWhen(delay);
  const loop = getRunningLoop();
  return enterIfBody(new Timeout(delay === null ? null : loop.time() + delay), body);
}

/**
 * A `Timeout` at loop time `when` (as `loop.time()`; `null`: none). With
 * `body`, run it at once under that timeout.
 *
 * Mirrors `asyncio.timeout_at`.
 * @throws {TimeoutError} (with `body`) if the deadline passed.
 */
export function timeoutAt(when: number | null): Timeout;
/** `timeoutAt(when, body)`: run `body` under the timeout; see above. */
export function timeoutAt<T>(
  when: number | null,
  body: (timeout: Timeout) => PromiseLike<T> | T,
): Promise<T>;
export function timeoutAt<T>(
  when: number | null,
  body?: (timeout: Timeout) => PromiseLike<T> | T,
): Timeout | Promise<T> {
  return enterIfBody(new Timeout(when), body);
}

function enterIfBody<T>(
  cm: Timeout,
  body: ((timeout: Timeout) => PromiseLike<T> | T) | undefined,
): Timeout | Promise<T> {
  return body === undefined ? cm : cm.run(body);
}

function checkWhen(when: unknown): void {
  if (when !== null && (typeof when !== "number" || !Number.isFinite(when))) {
    throw new TypeError(`expected a finite number of seconds or null, got ${shortRepr(when)}`);
  }
}
