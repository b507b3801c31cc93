/**
 * `Future`: a result that will exist later, as CPython's
 * `asyncio/futures.py`, awaitable from any async function.
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { getEventLoop } from "./events.ts";
import { CancelledError, InvalidStateError, RuntimeError } from "./exceptions.ts";
import { _taskContext } from "./_running.ts";
import type { Task } from "./tasks.ts";
import { Continuation, rejectContinuation, resolveContinuation } from "./_continuation.ts";
import { pyRepr, shortRepr } from "./_util.ts";
import { Context } from "./contextvars.ts";
import { capture, type Held, markUsed } from "./_context.ts";

/** A done-callback: called (through `callSoon`) with the future. */
export type DoneCallback<T> = (future: Future<T>) => unknown;

/** A done-callback that runs in a context (the one it was added in). */
class InContext {
  constructor(readonly callback: DoneCallback<never>, readonly context: Held) {}
}

type Waiter = DoneCallback<never> | InContext | Task<unknown>;

const PENDING = 0, FINISHED = 1, FAILED = 2, CANCELLED = 3;
const STATE_NAMES = ["PENDING", "FINISHED", "FINISHED", "CANCELLED"];
// `addDoneCallback`'s default options (a default of `{}` makes one per call).
const NO_CONTEXT: { context?: Context } = Object.freeze({});

// Invariants: `_state` goes from PENDING to exactly one final state, once.
// Done-callbacks are never called inside `setResult`/`setException`/
// `cancel`: those schedule them with `callSoon`, in registration order.
/**
 * A result that will be set later: pending, then finished with a result or
 * an exception, or cancelled.
 *
 * `await fut` works in any async function. Inside a task, the task suspends
 * until the loop wakes it; the code after the `await` runs on the loop as
 * part of that wake-up.
 *
 * Mirrors `asyncio.Future` (not thread-safe, bound to one loop).
 *
 * @example
 * ```ts
 * import { run, getRunningLoop } from "@asyncio/deno";
 * const answer = await run(async () => {
 *   const fut = getRunningLoop().createFuture<number>();
 *   getRunningLoop().callLater(0.01, () => fut.setResult(42));
 *   return await fut;
 * });
 * console.assert(answer === 42);
 * ```
 */
export class Future<T = unknown> implements PromiseLike<T> {
  /** @ignore */
  _loop: EventLoop;
  /** @ignore 0 pending, 1 result, 2 exception, 3 cancelled. */
  _state = PENDING;
  /** @ignore The result or the exception. */
  _value: unknown = undefined;
  /** @ignore null, one waiter, or an array of them. */
  _callbacks: Waiter | Waiter[] | null = null;
  /** @ignore `null` (from the prototype, as below) until cancelled with a message. */
  declare _cancelMessage: string | null;
  /** @ignore Set while a failure waits for someone to look at it. */
  declare _unretrievedRef: WeakRef<Future<unknown>> | null;

  /**
   * A pending future on `loop` (default: `getEventLoop()`). Prefer
   * `loop.createFuture()`.
   */
  constructor(loop?: EventLoop) {
    this._loop = loop ?? getEventLoop();
  }

  /** The loop this future belongs to. Mirrors `Future.get_loop`. */
  getLoop(): EventLoop {
    return this._loop;
  }

  /** True once it has a result, an exception, or was cancelled. */
  done(): boolean {
    return this._state !== PENDING;
  }

  /** True if it was cancelled. */
  cancelled(): boolean {
    return this._state === CANCELLED;
  }

  /**
   * The result.
   * @throws the future's exception if it has one.
   * @throws {CancelledError} if it was cancelled.
   * @throws {InvalidStateError} `Result is not ready.` while pending.
   */
  result(): T {
    switch (this._state) {
      case FINISHED:
        return this._value as T;
      case FAILED:
        this._loop._retrieved(this);
        throw this._value;
      case CANCELLED:
        throw this._makeCancelledError();
      default:
        throw new InvalidStateError("Result is not ready.");
    }
  }

  /**
   * The exception, or `null` if it finished with a result.
   * @throws {CancelledError} if it was cancelled.
   * @throws {InvalidStateError} `Exception is not set.` while pending.
   */
  exception(): unknown {
    switch (this._state) {
      case FINISHED:
        return null;
      case FAILED:
        this._loop._retrieved(this);
        return this._value;
      case CANCELLED:
        throw this._makeCancelledError();
      default:
        throw new InvalidStateError("Exception is not set.");
    }
  }

  /**
   * Mark it done with `result` and schedule the done-callbacks.
   * @throws {InvalidStateError} if it is already done.
   */
  setResult(result: T): void {
    if (this._state !== PENDING) {
      throw new InvalidStateError(`${STATE_NAMES[this._state]}: ${this}`);
    }
    this._state = FINISHED;
    this._value = result;
    this._scheduleCallbacks();
  }

  /**
   * Mark it done with `exception` and schedule the done-callbacks. If nobody
   * retrieves the exception, it is reported when the future is dropped or
   * the loop closes. An `Error` class is called with no arguments, so
   * `setException(ValueError)` stores a `ValueError` instance; any other
   * value is stored as it is (JavaScript can throw anything).
   * @throws {InvalidStateError} if it is already done.
   */
  setException(exception: unknown): void {
    if (this._state !== PENDING) {
      throw new InvalidStateError(`${STATE_NAMES[this._state]}: ${this}`);
    }
    // As CPython futures.py set_exception, which instantiates an exception class.
    this._fail(isErrorClass(exception) ? new exception() : exception);
  }

  /**
   * Cancel it and schedule the done-callbacks.
   * @param msg the message of the `CancelledError` its awaiters get.
   * @returns false if it was already done.
   */
  cancel(msg?: string | null): boolean {
    // As asyncio: cancelling counts as looking at a failure (never reported).
    if (this._state === FAILED) this._loop._retrieved(this);
    if (this._state !== PENDING) return false;
    this._state = CANCELLED;
    this._cancelMessage = msg ?? null;
    this._scheduleCallbacks();
    return true;
  }

  /**
   * Call `callback(this)` when done, through `callSoon` (at once, i.e. on
   * the next iteration, if already done), in `context` (default: a copy of
   * the context current now).
   * Mirrors `Future.add_done_callback`.
   */
  addDoneCallback(callback: DoneCallback<T>, options: { context?: Context } = NO_CONTEXT): void {
    if (typeof callback !== "function") {
      throw new TypeError(`callback must be a function, got ${callback}`);
    }
    const given = options.context;
    if (given !== undefined) {
      if (!(given instanceof Context)) throw new TypeError("context must be a Context");
      markUsed();
    }
    // As CPython futures.py add_done_callback: a copy of the current context.
    const context = given ?? capture();
    if (this._state !== PENDING) {
      if (context === null) this._loop.callSoon(callback, this);
      else this._loop._scheduleCallback(callback as DoneCallback<unknown>, this, context);
      return;
    }
    const cb = callback as DoneCallback<never>;
    this._addWaiter(context === null ? cb : new InContext(cb, context));
  }

  /**
   * Remove every registration of `callback`.
   * @returns how many were removed.
   */
  removeDoneCallback(callback: DoneCallback<T>): number {
    const cbs = this._callbacks;
    if (cbs === null) return 0;
    const isIt = (cb: Waiter) =>
      cb === callback || (cb instanceof InContext && cb.callback === callback);
    if (!Array.isArray(cbs)) {
      if (!isIt(cbs)) return 0;
      this._callbacks = null;
      return 1;
    }
    const kept = cbs.filter((cb) => !isIt(cb));
    this._callbacks = kept.length === 0 ? null : kept;
    return cbs.length - kept.length;
  }

  /**
   * Make the future awaitable. Inside a task of this loop, the task
   * suspends until the loop wakes it; elsewhere the reactions run from a
   * done-callback. Returns a thenable that makes a real promise only when
   * someone chains on it (`await` never does).
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    const next = new Continuation<R1 | R2>(
      onFulfilled as Continuation["onFulfilled"],
      onRejected,
    );
    const task = _taskContext.getStore();
    if (task === undefined) {
      this._addWaiter(resumeAwait(this, next));
    } else if (task._loop !== this._loop) {
      // As asyncio: a live task of another loop would wait for ever, since
      // this future's loop may never run. (Work a finished task started just
      // waits, as any code outside a task does.)
      if (task.done()) this._addWaiter(resumeAwait(this, next));
      else {
        rejectContinuation(
          next,
          new RuntimeError(`Task ${task} got Future ${this} attached to a different loop`),
        );
      }
    } else if (typeof onRejected === "function" && task._next === null) {
      // `await` passes both functions; `fut.then(callback)` in a task's code
      // is a callback, not the task waiting.
      task._awaitFuture(this, next);
    } else if (this._state === PENDING) {
      thenWait(this, task, next);
    } else {
      this._addWaiter(resumeAwait(this, next));
    }
    return next;
  }

  /** For example `<Future finished result=42>`. */
  toString(): string {
    return `<${this._reprInfo().join(" ")}>`;
  }

  /** @ignore What `console.log` shows: the repr, as Python prints a future. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** @ignore */
  _reprInfo(): string[] {
    const info = [this.constructor.name, STATE_NAMES[this._state].toLowerCase()];
    if (this._state === FINISHED) info.push(`result=${shortRepr(this._value)}`);
    if (this._state === FAILED) info.push(`exception=${pyRepr(this._value)}`);
    if (this._callbacks !== null) info.push(formatCallbacks(this._callbacks));
    return info;
  }

  /**
   * @ignore Settle a `then` that is no task's await: what it resolves runs
   * as promise reactions, which the loop lets run before a virtual clock
   * jumps (see `_reactionsPending`).
   */
  _settleOutside(next: Continuation): void {
    this._loop._reactionsPending = true;
    this._settle(next);
  }

  /** @ignore Run a continuation with the outcome, as its promise would. */
  _settle(next: Continuation): void {
    if (this._state === FINISHED) return resolveContinuation(next, this._value);
    if (this._state === FAILED) {
      this._loop._retrieved(this);
      return rejectContinuation(next, this._value);
    }
    rejectContinuation(next, this._makeCancelledError());
  }

  /**
   * @ignore What resolving an awaiting promise with gives it this future's
   * outcome: the result, or a promise rejected with the error.
   */
  _outcome(): unknown {
    if (this._state === FINISHED) return this._value;
    if (this._state === FAILED) {
      this._loop._retrieved(this);
      return Promise.reject(this._value);
    }
    return Promise.reject(this._makeCancelledError());
  }

  /**
   * @ignore The task awaiting this future resumes without it (cancelled
   * after the future was done): nothing to do but for futures that track
   * their awaiter (`Event.wait`'s).
   */
  _abandon(): void {}

  /** @ignore */
  _fail(exception: unknown): void {
    this._state = FAILED;
    this._value = exception;
    this._scheduleCallbacks(); // first, so the repr kept for a report has no cb=[…]
    this._loop._trackUnretrieved(this);
  }

  /** @ignore Mark cancelled with the given error's message, keeping it. */
  _cancelWith(error: CancelledError): void {
    this._state = CANCELLED;
    this._cancelMessage = error.message || null;
    this._value = error;
    this._scheduleCallbacks();
  }

  /** @ignore The error awaiters of a cancelled future get. */
  _makeCancelledError(): CancelledError {
    if (this._value instanceof CancelledError) return this._value;
    const err = new CancelledError(this._cancelMessage);
    this._value = err;
    return err;
  }

  /** @ignore Register a task (woken by its step) or a done-callback. */
  _addWaiter(waiter: Waiter): void {
    if (this._state !== PENDING) {
      this._dispatch(waiter);
      return;
    }
    const cbs = this._callbacks;
    if (cbs === null) this._callbacks = waiter;
    else if (Array.isArray(cbs)) cbs.push(waiter);
    else this._callbacks = [cbs, waiter];
  }

  /** @ignore Put `waiter` where `old` was registered (nothing if it was not). */
  _replaceWaiter(old: Waiter, waiter: Waiter): void {
    const cbs = this._callbacks;
    if (cbs === old) this._callbacks = waiter;
    else if (Array.isArray(cbs)) {
      const i = cbs.indexOf(old);
      if (i >= 0) cbs[i] = waiter;
    }
  }

  /** @ignore */
  _scheduleCallbacks(): void {
    const cbs = this._callbacks;
    if (cbs === null) return;
    this._callbacks = null;
    if (!Array.isArray(cbs)) {
      this._dispatch(cbs);
      return;
    }
    for (const cb of cbs) this._dispatch(cb);
  }

  /** @ignore */
  _dispatch(waiter: Waiter): void {
    if (typeof waiter === "function") {
      this._loop._scheduleCallback(waiter as (f: Future<unknown>) => unknown, this);
    } else if (waiter instanceof InContext) {
      const callback = waiter.callback as (f: Future<unknown>) => unknown;
      this._loop._scheduleCallback(callback, this, waiter.context);
    } else this._loop._scheduleStep(waiter);
  }
}

/**
 * A pending `fut.then(...)` in a task that waits on something else: the
 * task waits through it too (`_thenWaits`). (Out of `then`: a closure there
 * would make V8 allocate `then`'s scope on every await.)
 */
function thenWait(fut: Future<unknown>, task: Task<unknown>, next: Continuation): void {
  task._thenWaits++;
  fut._addWaiter(inCurrentContext(() => {
    task._thenWaits--;
    fut._settleOutside(next);
  }));
}

/**
 * A `then` callback, to run in the context current now: its reactions run
 * inside the loop's callback, which would otherwise be a context of its own.
 */
/**
 * The done-callback that settles `next` (code outside a task awaiting
 * `fut`), named so that a trace says what runs (the REPL's rows).
 */
function resumeAwait<T>(fut: Future<T>, next: Continuation): Waiter {
  return inCurrentContext(function resumeAwait() {
    fut._settleOutside(next);
  });
}

function inCurrentContext(callback: () => void): Waiter {
  const context = capture();
  return context === null ? callback : new InContext(callback, context);
}

// Written by few futures: defaults on the prototype, no own field until written.
Future.prototype._cancelMessage = null;
Future.prototype._unretrievedRef = null;

/** `cb=[...]` as asyncio's repr lists a pending future's callbacks. */
function formatCallbacks(callbacks: Waiter | Waiter[]): string {
  const list = Array.isArray(callbacks) ? callbacks : [callbacks];
  const name = (waiter: Waiter) => {
    const cb = waiter instanceof InContext ? waiter.callback : waiter;
    return typeof cb === "function" ? `${cb.name || "<anonymous>"}()` : "Task.task_wakeup()";
  };
  const shown = list.length <= 2
    ? list.map(name)
    : [name(list[0]), `<${list.length - 2} more>`, name(list[list.length - 1])];
  return `cb=[${shown.join(", ")}]`;
}

/** An `Error` constructor: `Error` itself or a class whose prototype inherits `Error.prototype`. */
function isErrorClass(value: unknown): value is new () => Error {
  return typeof value === "function" &&
    (value.prototype === Error.prototype || value.prototype instanceof Error);
}

/** True if `value` is a `Future` (a `Task` included). Mirrors `asyncio.isfuture`. */
export function isFuture(value: unknown): value is Future<unknown> {
  return value instanceof Future;
}
