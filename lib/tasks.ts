/**
 * Tasks: coroutines (async functions) driven step by step by the loop, as
 * CPython's `asyncio/tasks.py`, with `sleep`, `currentTask`, `allTasks` and
 * `ensureFuture`.
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { getEventLoop, getRunningLoop, Handle } from "./events.ts";
import { CancelledError, RuntimeError } from "./exceptions.ts";
import { Future } from "./futures.ts";
import { _getRunningLoopOrNull, _taskContext, TASK } from "./_running.ts";
import { Continuation, rejectContinuation, resolveContinuation } from "./_continuation.ts";
import { firstFrame, isPromiseLike, shortRepr, stackFrames } from "./_util.ts";
import { Context } from "./contextvars.ts";
import { capture, contextIn, enterTask, type Held, leave } from "./_context.ts";
import { promiseDetails } from "./_deno_core.ts";

/**
 * What asyncio calls a coroutine: here an async function taking no
 * arguments (`() => sleeper(1)`, or `main`), which the loop starts as
 * asyncio starts a coroutine; or an already-created promise, which is only
 * watched (it started when it was made, and the loop cannot interrupt it).
 */
export type CoroutineLike<T> = (() => PromiseLike<T> | T) | PromiseLike<T>;

/** Options of `createTask` and `loop.createTask`. */
export interface CreateTaskOptions {
  /** The task's name; `Task-N` by default. */
  name?: string;
  /**
   * The context the task runs in (what it sets stays there); by default a
   * copy of the current context.
   */
  context?: Context;
}

/** Options of `new Task()`. */
export interface TaskOptions extends CreateTaskOptions {
  /** The loop; the running loop (or `getEventLoop()`) by default. */
  loop?: EventLoop;
  /**
   * Run the first step now, inside the constructor, if the loop is running
   * (else it is scheduled as usual): see `eagerTaskFactory`. Mirrors the
   * `eager_start` argument of Python 3.14's `Task`.
   */
  eagerStart?: boolean;
}

let taskCounter = 0;

// A shared executor, so that `sleep(0)` allocates no closure for its promise.
let lastResolve: (value: unknown) => void = noop;
function takeResolvers(resolve: (v: unknown) => void): void {
  lastResolve = resolve;
}
const EMPTY: readonly unknown[] = Object.freeze([]);
// The default options: a parameter default of `{}` makes an object per call.
const NO_OPTIONS: TaskOptions = Object.freeze({});

function noop(): void {}

// Invariant (as CPython's Task): at any time either the task's step is
// scheduled (its handle is in the ready queue, `_next` holds the await to
// resume, or nothing for the first step), or it waits on exactly one
// future (`_futWaiter`) whose completion schedules that step; never both.
// A task awaiting a promise the loop does not own is `_external` until it
// comes back to a loop future.
/**
 * A coroutine running on the loop: a `Future` that finishes with the
 * coroutine's result.
 *
 * Cancellation: `cancel()` cancels the future the task waits on, so the
 * `await` throws `CancelledError`; if it waits on nothing the loop owns,
 * the error is thrown at its next `await` of a loop future. The task may
 * catch it and go on (then call `uncancel()`). Its `signal` aborts on
 * cancel, to stop Deno operations (`fetch`, streams) the loop cannot. A
 * task made from an already-created promise can only be watched: cancelling
 * it marks it cancelled while that work goes on.
 *
 * Mirrors `asyncio.Task`.
 *
 * @example
 * ```ts
 * import { run, createTask, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   const t = createTask(async () => {
 *     await sleep(0.01);
 *     return "done";
 *   }, { name: "worker" });
 *   console.assert((await t) === "done" && t.getName() === "worker");
 * });
 * ```
 */
export class Task<T = unknown> extends Future<T> {
  /** @ignore */
  _coro: CoroutineLike<T>;
  /**
   * @ignore The `N` of its default name `Task-N`, or the name it was given
   * (one field for both: see `_name`).
   */
  _id: number | string;
  /** @ignore See `_stepHandle`. */
  declare _stepHandleMade: Handle | null;
  /** @ignore The future this task waits on, if any. */
  _futWaiter: Future<unknown> | null = null;
  /**
   * @ignore What the next step resumes: the await of `_futWaiter` (a
   * `Continuation`), or the resolve function of a `sleep(0)` promise; null
   * before the first step. (One field for both, and no reject function: a
   * cancelled `sleep(0)` is resolved with a rejected promise.)
   */
  _next: Continuation | ((value: unknown) => void) | null = null;
  // The fields declared below and not assigned in the constructor take their
  // defaults from the prototype (set after the class) until first written:
  // most tasks never write them, and each own field is 8 bytes of every
  // pending task.
  /** @ignore The value a `sleep(0, value)` resumes with, if not `undefined`. */
  declare _sendValue: unknown;
  /** @ignore */
  declare _mustCancel: boolean;
  /** @ignore */
  declare _numCancelsRequested: number;
  /** @ignore Awaiting a promise the loop does not own. */
  declare _external: boolean;
  /**
   * @ignore Pending loop futures whose `then` this task's code called
   * besides the one it waits on (`Promise.all([sleep(1), sleep(2)])`): while
   * there are any, a task whose step ends without suspending on a loop
   * future is still waiting on the loop, not outside it.
   */
  declare _thenWaits: number;
  /** @ignore */
  declare _abort: AbortController | null;
  /** @ignore Debug mode: the stack of its last await, and of its creation. */
  declare _awaitStack: string | null;
  /** @ignore Debug mode: where the task was created. */
  declare _source: string | null;
  /**
   * @ignore The context its code runs in; `null` while that is an empty
   * context nobody has looked at (made on first use: lib/_context.ts).
   */
  declare _context: Held | null;
  /**
   * @ignore An eager task whose first step began inside `createTask` and
   * has neither suspended nor finished yet: the loop waits for it before
   * running the next handle, as it waits for a step.
   */
  declare _eagerOpen: boolean;
  /**
   * @ignore Where a monitor keeps this task's counters (lib/_monitor.ts):
   * its row + 1, 0 for none. An own field, always there: a WeakMap entry
   * cost a step as much as the step itself on 100,000 tasks, and a field
   * added only to watched tasks gave tasks two shapes (+15 % on
   * task_steps). It costs 8 of a pending task's ~1,040 bytes.
   */
  _monitored = 0;
  /** @ignore Its neighbours in the loop's list of pending tasks (lib/_task_list.ts). */
  _prevTask: Task<unknown> | null = null;
  /** @ignore */
  _nextTask: Task<unknown> | null = null;

  /**
   * Wrap `coro` and schedule its first step with `callSoon` (or, with
   * `eagerStart` on a running loop, run it now). Prefer `createTask()` or
   * `loop.createTask()`.
   * @throws {TypeError} if `coro` is neither a function nor a promise, or
   *   `context` is not a `Context`.
   */
  constructor(coro: CoroutineLike<T>, options: TaskOptions = NO_OPTIONS) {
    super(options.loop ?? getEventLoop());
    if (typeof coro !== "function" && !isPromiseLike(coro)) {
      throw new TypeError(`a coroutine was expected, got ${shortRepr(coro)}`);
    }
    const context = options.context;
    if (context !== undefined && !(context instanceof Context)) {
      throw new TypeError(`context must be a Context, got ${shortRepr(context)}`);
    }
    const loop = this._loop;
    if (loop.isClosed()) throw new RuntimeError("Event loop is closed"); // before registering
    this._coro = coro;
    // A task is its own frame in V8's continuation-preserved data, which
    // holds the running task under TASK (lib/_running.ts): no frame object.
    (this as unknown as Record<symbol, unknown>)[TASK] = this;
    // As CPython tasks.py Task.__init__: a copy of the creating context.
    // (A given context needs no `markUsed`: the task's code finds it
    // through the task, and a context that holds values was set, which
    // marked contexts used already.)
    const ownContext = context ?? capture();
    if (ownContext !== null) this._context = ownContext;
    // As CPython tasks.py Task.__init__: only a task without a name draws a number.
    const name = options.name;
    this._id = name == null ? ++taskCounter : String(name);
    if (loop.getDebug()) this._source = new Error().stack ?? null;
    loop._tasks.add(this);
    loop._traceTask(this, "created");
    if (typeof coro === "function") {
      // As CPython 3.12's Task(eager_start=True): eager only on a running loop.
      if (options.eagerStart && loop.isRunning()) eagerStart(this as Task<unknown>);
      else loop._scheduleStep(this);
    } else {
      watch(this as Task<unknown>, coro);
    }
  }

  /**
   * @ignore The handle that runs this task's steps (one at a time), made
   * when first asked for: only a traced loop, debug mode and
   * `readyHandles()` need it; a plain loop queues the task itself.
   */
  get _stepHandle(): Handle {
    let handle = this._stepHandleMade;
    if (handle === null) {
      handle = this._stepHandleMade = new Handle(noop, EMPTY, this._loop);
      handle._task = this as Task<unknown>;
    }
    return handle;
  }

  /** The task's name. Mirrors `Task.get_name`. */
  getName(): string {
    const id = this._id;
    return typeof id === "string" ? id : `Task-${id}`;
  }

  /** @ignore The name it was given (or set), else `null`. */
  get _name(): string | null {
    const id = this._id;
    return typeof id === "string" ? id : null;
  }

  /** Rename the task. Mirrors `Task.set_name`. */
  setName(name: string): void {
    this._id = String(name);
  }

  /**
   * The context the task runs in: a copy of its creator's, or the one
   * given. Mirrors `Task.get_context`.
   */
  getContext(): Context {
    const held = this._context;
    return held instanceof Context ? held : this._context = contextIn(held);
  }

  /** The async function (or promise) this task runs. Mirrors `Task.get_coro`. */
  getCoro(): CoroutineLike<T> {
    return this._coro;
  }

  /**
   * An `AbortSignal` that aborts (with a `CancelledError`) when the task is
   * cancelled: pass it to Deno APIs so that cancelling the task stops them.
   */
  get signal(): AbortSignal {
    if (this._abort === null) {
      this._abort = new AbortController();
      if (this._numCancelsRequested > 0 || this.cancelled()) {
        this._abort.abort(new CancelledError(this._cancelMessage));
      }
    }
    return this._abort.signal;
  }

  /**
   * Ask the task to stop: the `await` it is suspended on throws
   * `CancelledError(msg)`.
   * Mirrors `Task.cancel`.
   * @returns false if the task is already done.
   * @throws {RuntimeError} `Event loop is closed` if the task waits on a
   *   future of a closed loop (waking it would need that loop).
   */
  override cancel(msg?: string | null): boolean {
    if (this.done()) {
      this._loop._retrieved(this); // as Future.cancel: a failure counts as seen
      return false;
    }
    // As asyncio, where cancelling the awaited future schedules the wake-up
    // with call_soon, which refuses on a closed loop.
    if (this._futWaiter !== null && this._loop.isClosed()) {
      throw new RuntimeError("Event loop is closed");
    }
    this._numCancelsRequested++;
    const watch = this._loop._watch;
    if (watch !== null) watch.cancel(this as Task<unknown>, msg); // who cancelled it, for a monitor
    this._abort?.abort(new CancelledError(msg));
    // Leave _futWaiter set: it may be a task that ignores this cancel, and
    // a later cancel must reach it again (as CPython).
    if (this._futWaiter !== null && this._futWaiter.cancel(msg)) return true;
    this._mustCancel = true;
    this._cancelMessage = msg ?? null;
    return true;
  }

  /** How many cancel requests are pending. Mirrors `Task.cancelling`. */
  cancelling(): number {
    return this._numCancelsRequested;
  }

  /**
   * Take back one cancel request; at zero, a pending one is dropped.
   * @returns the remaining count. Mirrors `Task.uncancel`.
   */
  uncancel(): number {
    if (this._numCancelsRequested > 0) {
      this._numCancelsRequested--;
      if (this._numCancelsRequested === 0) {
        this._mustCancel = false;
        // No cancel is pending any more, but an AbortSignal cannot be
        // un-aborted: let `signal` make a fresh one, so that work after a
        // caught timeout (timeouts.ts uncancels) is not aborted at once.
        if (this._abort?.signal.aborted) this._abort = null;
      }
    }
    return this._numCancelsRequested;
  }

  /** Tasks finish only by running. @throws {RuntimeError} always. */
  override setResult(_result: T): never {
    throw new RuntimeError("Task does not support set_result operation");
  }

  /** Tasks finish only by running. @throws {RuntimeError} always. */
  override setException(_exception: unknown): never {
    throw new RuntimeError("Task does not support set_exception operation");
  }

  /**
   * Where the task is: for the running task, the current stack; for a
   * suspended one, the stack of its await (recorded in debug mode only);
   * for a failed one, its error's stack. Empty otherwise.
   * Mirrors `Task.get_stack`.
   */
  getStack(options: { limit?: number } = {}): string[] {
    let stack: string | null = null;
    if (this._state === 2 && this._value instanceof Error) stack = this._value.stack ?? null;
    else if (this === currentTask()) stack = new Error().stack ?? null;
    else if (!this.done()) stack = this._awaitStack;
    if (stack === null) return [];
    const frames = stackFrames(stack)
      .filter((l) => !/\/lib\/(futures|tasks|_continuation|base_events|_running)\.ts/.test(l))
      .map((l) => l.trim());
    return options.limit === undefined ? frames : frames.slice(0, options.limit);
  }

  /**
   * Print `getStack()` as asyncio prints a task's stack.
   * Mirrors `Task.print_stack`.
   * @param options `limit` frames; `write` receives the text (default
   *   `console.log`).
   */
  printStack(options: { limit?: number; write?: (text: string) => void } = {}): void {
    const write = options.write ?? ((text: string) => console.log(text));
    const frames = this.getStack(options);
    if (frames.length === 0) {
      write(`No stack for ${this}`);
      return;
    }
    const failed = this._state === 2;
    const lines = [`${failed ? "Traceback" : "Stack"} for ${this} (most recent call first):`];
    for (const frame of frames) lines.push(`  ${frame}`);
    if (failed) lines.push(String(this._value));
    write(lines.join("\n"));
  }

  /** @ignore */
  override _reprInfo(): string[] {
    // As asyncio's: state, name, coro, what it waits for, then the
    // future's result or exception and callbacks, then where it was made.
    const info = super._reprInfo();
    if (this._numCancelsRequested > 0 && !this.done()) info[1] = "cancelling";
    const coro = this._coro;
    const about = [
      `name='${this.getName()}'`,
      `coro=${typeof coro === "function" ? (coro.name || "<anonymous>") : "<promise>"}`,
    ];
    if (this._futWaiter !== null) about.push(`wait_for=${this._futWaiter}`);
    info.splice(2, 0, ...about);
    // Debug mode, as asyncio's `_source_traceback`: who created the task.
    if (this._source !== null) info.push(`created at ${firstFrame(this._source)}`);
    return info;
  }

  // ---- Stepping (called by the loop and by futures) ----------------------

  /** @ignore Run one step: start the coroutine, or resume its await. */
  _step(): void {
    if (this._state !== 0) {
      // Woken after it ended (see `#releaseStrayThen`): nothing to run.
      this._loop._taskSuspended(this as Task<unknown>);
      return;
    }
    const next = this._next;
    if (next === null) {
      start(this as Task<unknown>);
      return;
    }
    this._next = null;
    if (typeof next === "function") {
      const fut = this._futWaiter;
      if (fut !== null) {
        // A `_waitOn(fut)`: settle its promise with the outcome.
        this._futWaiter = null;
        if (this._mustCancel) {
          this._mustCancel = false;
          fut._abandon();
          next(Promise.reject(new CancelledError(this._cancelMessage)));
        } else {
          next(fut._outcome());
        }
        return;
      }
      // A `sleep(0)`: resolve its promise.
      const value = this._sendValue;
      if (value !== undefined) this._sendValue = undefined;
      if (this._mustCancel) {
        this._mustCancel = false;
        next(Promise.reject(new CancelledError(this._cancelMessage)));
      } else {
        next(value);
      }
      return;
    }
    const fut = this._futWaiter;
    this._futWaiter = null;
    if (this._mustCancel) {
      this._mustCancel = false;
      fut!._abandon();
      rejectContinuation(next, new CancelledError(this._cancelMessage));
    } else {
      fut!._settle(next); // a pending `_next` always has its future
    }
  }

  /** @ignore The task awaits `fut` (its `then` was called in this task). */
  _awaitFuture(fut: Future<unknown>, next: Continuation): void {
    const loop = this._loop;
    if (fut === this) {
      rejectContinuation(next, new RuntimeError(`Task cannot await on itself: ${this}`));
      return;
    }
    if (fut._state !== 0 && (this === loop._stepTask || this._eagerOpen)) {
      // Awaiting a done future does not suspend the task, as in asyncio.
      fut._settle(next);
      return;
    }
    this._futWaiter = fut;
    this._next = next;
    if (loop.getDebug()) this._awaitStack = new Error().stack ?? null;
    fut._addWaiter(this);
    if (this._mustCancel && fut.cancel(this._cancelMessage)) this._mustCancel = false;
    loop._taskSuspended(this);
  }

  /**
   * @ignore The task waits on `fut` (pending, of its loop) through a native
   * promise, which its next step settles with `fut`'s outcome: `await fut`
   * without what V8 does to await a thenable (a job that calls `then`, and
   * a promise, its two resolving functions and our `Continuation`: a hop
   * and ~150 bytes). Cancelling the task cancels `fut`, as for an await.
   * The task suspends at the `await` that follows the call (see `awaitable`
   * in lib/_running.ts).
   */
  _waitOn<V>(fut: Future<V>): Promise<V> {
    const promise = new Promise<V>(takeResolvers as (r: (v: V) => void) => void);
    this._futWaiter = fut as Future<unknown>;
    this._next = lastResolve;
    const loop = this._loop;
    if (loop.getDebug()) this._awaitStack = new Error().stack ?? null;
    fut._addWaiter(this);
    if (this._mustCancel && fut.cancel(this._cancelMessage)) this._mustCancel = false;
    loop._taskSuspended(this);
    return promise;
  }

  /**
   * @ignore `sleep(0)` in this task: give the loop one iteration, then
   * resume. A native promise (not a thenable) keeps the await cheap: the
   * step is registered now, and the task suspends at the `await` that
   * follows the call.
   */
  _yield<V>(value: V): Promise<V> {
    const promise = new Promise<V>(takeResolvers as (r: (v: V) => void) => void);
    this._next = lastResolve;
    if (value !== undefined) this._sendValue = value;
    this._loop._scheduleStep(this);
    this._loop._taskSuspended(this);
    return promise;
  }

  /** @ignore The coroutine returned `value`. */
  _onCoroDone(value: T): void {
    releaseStrayThen(this as Task<unknown>);
    // After close() (a host promise may finish a task then), nothing runs
    // its done-callbacks: drop them rather than throw from this reaction.
    if (this._loop.isClosed()) this._callbacks = null;
    if (this._mustCancel) {
      // Cancel requested but the coroutine returned: the task is cancelled.
      this._mustCancel = false;
      this._cancelWith(new CancelledError(this._cancelMessage));
    } else {
      super.setResult(value);
    }
    finished(this as Task<unknown>);
  }

  /** @ignore The coroutine threw `error`. */
  _onCoroError(error: unknown): void {
    releaseStrayThen(this as Task<unknown>);
    if (this._loop.isClosed()) this._callbacks = null; // as in _onCoroDone
    if (error instanceof CancelledError) this._cancelWith(error);
    else this._fail(error);
    finished(this as Task<unknown>);
  }
}

Task.prototype._stepHandleMade = null;
Task.prototype._sendValue = undefined;
Task.prototype._mustCancel = false;
Task.prototype._numCancelsRequested = 0;
Task.prototype._external = false;
Task.prototype._thenWaits = 0;
Task.prototype._abort = null;
Task.prototype._awaitStack = null;
Task.prototype._source = null;
Task.prototype._context = null;
Task.prototype._eagerOpen = false;

/**
 * The first step, now, inside the constructor (as CPython's
 * `Task.__eager_start`): the task is current and in `allTasks()` while
 * it runs; if it finishes, it leaves `allTasks()` without ever having
 * been scheduled. JavaScript runs an async function only up to its first
 * `await` synchronously; the rest of the step runs in microtasks, and the
 * loop runs no other handle until the task suspends or finishes.
 */
function eagerStart(task: Task<unknown>): void {
  task._loop._eagerStarted(task);
  enterTask();
  try {
    start(task);
  } finally {
    leave();
  }
}

function start(task: Task<unknown>): void {
  if (task._mustCancel) {
    // Cancelled before it started: the body never runs, as in asyncio.
    task._mustCancel = false;
    task._cancelWith(new CancelledError(task._cancelMessage));
    finished(task);
    return;
  }
  try {
    _taskContext.run(task, startCoroutine, task);
  } catch (err) {
    task._onCoroError(err);
  }
}

/**
 * The coroutine ended while waiting on a future, so the wait was not its
 * await: its code called `fut.then(a, b)` itself, or started one of the
 * loop's own waits (`_waitOn`) and did not await it. The future keeps it.
 */
function releaseStrayThen(task: Task<unknown>): void {
  const fut = task._futWaiter, next = task._next;
  task._futWaiter = null;
  task._next = null;
  if (fut !== null && next !== null) leaveToFuture(task, fut, next);
}

/**
 * The task's wait on `fut` (`next`: a `then` of its code, or the resolve
 * function of a `_waitOn`) is settled by `fut` itself, as a `then` callback
 * would be, and the task is free to wait on something else (or has ended).
 * (Only once `fut` is done may the task's step be queued for it already.)
 */
function leaveToFuture(
  task: Task<unknown>,
  fut: Future<unknown>,
  next: Continuation | ((value: unknown) => void),
): void {
  task._thenWaits++;
  const settle = () => {
    task._thenWaits--;
    if (next instanceof Continuation) return fut._settleOutside(next);
    fut._loop._reactionsPending = true;
    next(fut._outcome());
  };
  if (fut.done()) fut._addWaiter(settle);
  else fut._replaceWaiter(task, settle);
}

function finished(task: Task<unknown>): void {
  const loop = task._loop;
  loop._tasks.delete(task);
  loop._traceTask(task, "done");
  loop._taskSuspended(task);
}

/** Call the coroutine function; runs inside the task's context. */
function startCoroutine(task: Task<unknown>): void {
  // Called without the task as `this`, so that stacks name the function
  // (`async main`), not `Task.main [as _coro]`.
  const coro = task._coro as () => unknown;
  // Read first: a wait the coroutine starts and does not await (`awaitable`)
  // ends the eager step in the loop's books before the call returns.
  const eager = task._eagerOpen;
  const result = coro();
  if (result instanceof Promise) {
    if (eager) {
      // An eager task whose async function returned (or threw) before any
      // await is done now, as in CPython; else it goes on in microtasks.
      const settled = promiseDetails?.(result);
      if (settled !== undefined && settled[0] !== PENDING) {
        if (settled[0] === FULFILLED) task._onCoroDone(settled[1]);
        else {
          result.catch(noop); // handled here: not an unhandled rejection
          task._onCoroError(settled[1]);
        }
        return;
      }
    }
    // Registered inside the task's context, so the reactions find the task
    // there: no closure per task.
    result.then(coroutineReturned, coroutineFailed);
  } else if (isPromiseLike(result)) {
    finishWith(task, result);
  } else {
    task._onCoroDone(result);
  }
}

// The closures of a task's life are made in functions of their own: one in
// the constructor, `startCoroutine` or `releaseStrayThen` would make V8
// allocate that function's scope for every task, used or not.

/** The task ends as `thenable` settles. */
function finishWith(task: Task<unknown>, thenable: PromiseLike<unknown>): void {
  thenable.then((v) => task._onCoroDone(v), (e) => task._onCoroError(e));
}

/** A task made from a promise: it ends as the promise settles. */
function watch(task: Task<unknown>, promise: PromiseLike<unknown>): void {
  // Outside the context of the task (if any) that creates this one: that
  // task is not the one waiting.
  _taskContext.exit(() => finishWith(task, promise));
}

// Deno has no public way to read a settled promise's outcome synchronously;
// its console reads it with its core's `getPromiseDetails`. An eager task
// uses it to finish inside `createTask` when its async function never
// awaited. Without it (another runtime), such a task finishes at the next
// microtask checkpoint, still before the loop runs another handle.
const PENDING = 0, FULFILLED = 1;

function coroutineReturned(value: unknown): void {
  _taskContext.getStore()!._onCoroDone(value);
}

function coroutineFailed(error: unknown): void {
  _taskContext.getStore()!._onCoroError(error);
}

/**
 * `sleep(0)` outside a task (or in a task that already awaits something):
 * resolves after one iteration of the loop.
 */
class Yield<T> implements PromiseLike<T> {
  #loop: EventLoop;
  #value: T;

  constructor(loop: EventLoop, value: T) {
    this.#loop = loop;
    this.#value = value;
  }

  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    const next = new Continuation<R1 | R2>(
      onFulfilled as Continuation["onFulfilled"],
      onRejected,
    );
    this.#loop.callSoon(resolveContinuation, next, this.#value);
    return next;
  }
}

/** A `sleep()` future: cancelling it cancels its timer too. */
class SleepFuture<T> extends Future<T> {
  timer: { cancel(): void } | null = null;

  override cancel(msg?: string | null): boolean {
    if (!super.cancel(msg)) return false;
    this.timer?.cancel();
    return true;
  }
}

function setResultUnlessDone<T>(fut: Future<T>, value: T): void {
  if (!fut.done()) fut.setResult(value);
}

/**
 * Suspend the calling task for `delay` seconds, then resume with `value`.
 * `sleep(0)` gives the loop exactly one iteration; a negative delay is 0;
 * `sleep(Infinity)` never resumes unless cancelled.
 *
 * Mirrors `asyncio.sleep`.
 * @throws {TypeError} if `delay` is not a number, or is NaN.
 * @throws {RuntimeError} outside a running loop.
 * @example
 * ```ts
 * import { run, sleep } from "@asyncio/deno";
 * console.assert((await run(() => sleep(0.01, "woke"))) === "woke");
 * ```
 */
export function sleep<T = undefined>(delay: number, value?: T): PromiseLike<T> {
  if (typeof delay !== "number" || Number.isNaN(delay)) {
    throw new TypeError(`delay must be a number of seconds, got ${shortRepr(delay)}`);
  }
  const loop = _getRunningLoopOrNull() ?? liveTaskLoop() ?? getRunningLoop();
  if (delay <= 0) {
    const task = _taskContext.getStore();
    if (task !== undefined && task._loop === loop) {
      const fut = task._futWaiter, next = task._next;
      if (fut !== null && typeof next === "function" && !fut.done()) {
        // A wait the loop's code registered (`awaitable`) and the task's
        // code did not await: as when V8 called the future's `then` after
        // this line, the sleep is what the task waits on.
        task._futWaiter = null;
        task._next = null;
        leaveToFuture(task, fut, next);
      }
      if (task._next === null) return task._yield(value as T);
    }
    return new Yield(loop, value as T);
  }
  const fut = new SleepFuture<T>(loop);
  // CPython's sleep(math.inf) is a timer that never falls due; callLater
  // refuses an infinite delay (SPEC rule 2), so such a sleep has no timer.
  if (delay !== Infinity) {
    fut.timer = loop.callLater(delay, setResultUnlessDone<T>, fut, value as T);
  }
  return fut;
}

/**
 * The loop of the task whose code runs, if that task is still going: a
 * task that a host promise resumed while its loop was stopped (between two
 * runs) sleeps on its own loop, as its coroutine would in asyncio, where it
 * could only resume once that loop ran again.
 */
function liveTaskLoop(): EventLoop | null {
  const loop = currentTask()?._loop;
  return loop === undefined || loop.isClosed() ? null : loop;
}

/**
 * Run `coro` as a task on the running loop.
 *
 * Mirrors `asyncio.create_task`.
 * @param coro an async function (`() => work(1)`) or a promise.
 * @throws {RuntimeError} `no running event loop` outside a running loop.
 */
export function createTask<T>(
  coro: CoroutineLike<T>,
  options: CreateTaskOptions = NO_OPTIONS,
): Task<T> {
  return getRunningLoop().createTask(coro, options);
}

/**
 * The task running the calling code, or `null` (in a plain callback, or
 * outside any loop). It stays right across awaits of any promise.
 * Mirrors `asyncio.current_task`.
 */
export function currentTask(loop?: EventLoop): Task<unknown> | null {
  const task = _taskContext.getStore();
  if (task === undefined || task.done()) return null;
  if (loop !== undefined && task._loop !== loop) return null;
  return task;
}

/**
 * The pending tasks of `loop` (default: the running loop).
 * Mirrors `asyncio.all_tasks`.
 */
export function allTasks(loop?: EventLoop): Set<Task<unknown>> {
  return new Set((loop ?? getRunningLoop())._tasks);
}

/**
 * A future for `aw`: a `Future` as it is; an async function or a promise
 * wrapped in a task.
 *
 * Mirrors `asyncio.ensure_future`.
 * @throws {TypeError} for anything else, or a future of another loop.
 */
export function ensureFuture<T>(
  aw: Future<T> | CoroutineLike<T>,
  options: { loop?: EventLoop } = NO_OPTIONS,
): Future<T> {
  if (aw instanceof Future) {
    if (options.loop !== undefined && options.loop !== aw._loop) {
      throw new TypeError("The future belongs to a different loop than the one specified");
    }
    return aw;
  }
  if (typeof aw !== "function" && !isPromiseLike(aw)) {
    throw new TypeError("An asyncio.Future, a coroutine or an awaitable is required");
  }
  const loop = options.loop ?? getEventLoop();
  return loop.createTask(aw);
}

/** What a task factory is given besides the loop and the coroutine. */
export interface TaskFactoryOptions {
  /** The context `createTask` was given (absent when it was given none). */
  context?: Context;
}

/**
 * Makes the tasks of `loop.createTask` (see `loop.setTaskFactory`): called
 * with the loop and the coroutine, and `{ context }` only when `createTask`
 * was given one; the name is set on the task afterwards, as in CPython 3.12.
 * Mirrors the factory that `loop.set_task_factory` takes.
 */
export type TaskFactory = <T>(
  loop: EventLoop,
  coro: CoroutineLike<T>,
  options?: TaskFactoryOptions,
) => Task<T>;

/** A `Task` class (or subclass) that `createEagerTaskFactory` can construct. */
export type TaskConstructor = new <T>(coro: CoroutineLike<T>, options?: TaskOptions) => Task<T>;

/**
 * A task factory that makes eager tasks of `taskClass`: each task runs its
 * first step inside `createTask`, and one that finishes without suspending
 * is done when `createTask` returns, never scheduled.
 *
 * Mirrors `asyncio.create_eager_task_factory`.
 * @example
 * ```ts
 * import { createEagerTaskFactory, createTask, getRunningLoop, run, Task } from "@asyncio/deno";
 * class LoggedTask<T> extends Task<T> {}
 * await run(async () => {
 *   getRunningLoop().setTaskFactory(createEagerTaskFactory(LoggedTask));
 *   const t = createTask(async () => 42);
 *   console.assert(t instanceof LoggedTask && t.done() && t.result() === 42);
 * });
 * ```
 */
export function createEagerTaskFactory(taskClass: TaskConstructor): TaskFactory {
  return <T>(loop: EventLoop, coro: CoroutineLike<T>, options?: TaskFactoryOptions) =>
    new taskClass(coro, { loop, context: options?.context, eagerStart: true });
}

/**
 * The task factory of eager `Task`s: `loop.setTaskFactory(eagerTaskFactory)`
 * makes every `createTask` start its task at once. Tasks that return without
 * awaiting (a memoized value, a cache hit) then cost no loop iteration.
 *
 * Not promised: JavaScript runs an async function synchronously only up to
 * its first `await`, even of something already done, so an eager task that
 * awaits anything is not done when `createTask` returns (in CPython, one
 * that awaits only done futures is); it goes on in microtasks, and the loop
 * runs no other handle until it suspends or finishes.
 *
 * Mirrors `asyncio.eager_task_factory`.
 * @example
 * ```ts
 * import { createTask, eagerTaskFactory, getRunningLoop, run } from "@asyncio/deno";
 * await run(async () => {
 *   getRunningLoop().setTaskFactory(eagerTaskFactory);
 *   const cached = createTask(async () => "hit");
 *   console.assert(cached.done() && cached.result() === "hit");
 * });
 * ```
 */
export const eagerTaskFactory: TaskFactory = createEagerTaskFactory(Task);
