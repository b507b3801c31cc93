/**
 * Waiting on several awaitables at once, as the second half of CPython's
 * `asyncio/tasks.py`: `gather`, `wait`, `waitFor`, `asCompleted`, `shield`.
 *
 * Every awaitable may be a `Future`/`Task`, a zero-argument async function
 * (started as a task, as asyncio starts a coroutine) or a promise (watched
 * by a task; the loop cannot interrupt it).
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { getEventLoop, getRunningLoop, type TimerHandle } from "./events.ts";
import { CancelledError, TimeoutError } from "./exceptions.ts";
import { Future } from "./futures.ts";
import { type CoroutineLike, currentTask, ensureFuture } from "./tasks.ts";
import { checkTimeout, isPromiseLike, typeName } from "./_util.ts";
import { _markAwaiter } from "./_awaiters.ts";
import { timeout as timeoutScope } from "./timeouts.ts";
import { awaitable } from "./_running.ts";

/** The value an awaitable (`Future`, promise or async function) produces. */
export type ResultOf<A> = A extends PromiseLike<infer T> ? T
  : A extends () => infer R ? Awaited<R>
  : never;

/** Options of `gather`. */
export interface GatherOptions {
  /**
   * Put errors (and the `CancelledError` of a cancelled child) in the
   * result list instead of failing with the first one.
   */
  returnExceptions?: boolean;
}

/** `wait()` returns when any awaitable finishes. Mirrors `asyncio.FIRST_COMPLETED`. */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/** `wait()` returns when any awaitable fails, or all finish. Mirrors `asyncio.FIRST_EXCEPTION`. */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** `wait()` returns when all awaitables finish (the default). Mirrors `asyncio.ALL_COMPLETED`. */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** When `wait()` returns: one of `FIRST_COMPLETED`, `FIRST_EXCEPTION`, `ALL_COMPLETED`. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options of `wait`. */
export interface WaitOptions {
  /** Seconds to wait at most; `null` (the default) waits as long as it takes. */
  timeout?: number | null;
  /** When to return; `ALL_COMPLETED` by default. */
  returnWhen?: ReturnWhen;
}

// ---- gather ----------------------------------------------------------------

/** The future `gather` returns: cancelling it cancels the children. */
class GatheringFuture<T> extends Future<T> {
  /** Set once cancelling reached a child: the gather must then fail with CancelledError. */
  cancelRequested = false;

  constructor(loop: EventLoop, readonly children: Future<unknown>[]) {
    super(loop);
  }

  override cancel(msg?: string | null): boolean {
    if (this.done()) return false;
    let cancelledOne = false;
    for (const child of this.children) {
      if (child.cancel(msg)) cancelledOne = true;
    }
    // Whatever returnExceptions says, a cancelled gather ends cancelled (bpo-32684).
    if (cancelledOne) this.cancelRequested = true;
    return cancelledOne;
  }
}

/**
 * Run awaitables concurrently; the returned future gets their results, in
 * the order of the arguments (whatever order they finish in).
 *
 * Keyword arguments: since the awaitables are variadic, a trailing plain
 * object (`{ returnExceptions: true }`; not a future, function or promise)
 * is taken as the options.
 *
 * The rules are asyncio's:
 * - the first error (or a child's cancellation, as `CancelledError`) fails
 *   the gather at once; the other children are *not* cancelled and keep
 *   running (their later errors count as retrieved);
 * - with `returnExceptions`, errors and `CancelledError`s are results (a
 *   cancelled child's `CancelledError` keeps the cancel message, which
 *   CPython drops for a task);
 * - cancelling the returned future cancels every child not yet done, and
 *   the gather then fails with `CancelledError` even with
 *   `returnExceptions`; like asyncio, its `cancelled()` stays false (it
 *   ends with a `CancelledError` exception);
 * - the same future (or promise) passed twice is awaited once and fills
 *   both places; the same function passed twice runs twice (a function
 *   makes a new coroutine each call).
 *
 * Mirrors `asyncio.gather`.
 * @returns a `Future` of the results (already done for no arguments).
 * @throws {TypeError} for an argument that is not awaitable.
 * @example
 * ```ts
 * import { gather, run, sleep } from "@asyncio/deno";
 * const results = await run(() =>
 *   gather(() => sleep(0.02, "slow"), () => sleep(0.01, "fast"))
 * );
 * console.assert(results.join() === "slow,fast");
 * ```
 */
export function gather<A extends readonly CoroutineLike<unknown>[]>(
  ...aws: A
): Future<{ -readonly [K in keyof A]: ResultOf<A[K]> }>;
/** `gather(...aws, { returnExceptions })`: the results may then be errors. */
export function gather(
  ...args: [...CoroutineLike<unknown>[], GatherOptions]
): Future<unknown[]>;
export function gather(
  ...args: (CoroutineLike<unknown> | GatherOptions)[]
): Future<unknown[]> {
  let returnExceptions = false;
  const last = args.at(-1);
  if (isOptionsObject(last)) {
    returnExceptions = Boolean(last.returnExceptions);
    args = args.slice(0, -1);
  }
  const aws = args as CoroutineLike<unknown>[];
  if (aws.length === 0) {
    const outer = getEventLoop().createFuture<unknown[]>();
    outer.setResult([]);
    return outer;
  }

  let loop: EventLoop | undefined;
  // A future or promise passed twice is one child filling both places (as
  // asyncio); a function is a recipe, so each occurrence runs on its own.
  const futureOf = new Map<CoroutineLike<unknown>, Future<unknown>>();
  let unique = 0;
  const children: Future<unknown>[] = [];
  const alreadyDone: Future<unknown>[] = [];
  let outer: GatheringFuture<unknown[]> | null = null;
  let finished = 0;

  const onChildDone = (child: Future<unknown>): void => {
    finished++;
    if (outer === null || outer.done()) {
      // Too late to matter; mark its error as seen, as asyncio does.
      if (!child.cancelled()) child.exception();
      return;
    }
    if (!returnExceptions) {
      if (child.cancelled()) {
        outer.setException(child._makeCancelledError());
        return;
      }
      const error = child.exception();
      if (error !== null) {
        outer.setException(error);
        return;
      }
    }
    if (finished < unique) return;
    const results = children.map((fut) => {
      if (fut.cancelled()) return new CancelledError(fut._cancelMessage);
      const error = fut.exception();
      return error !== null ? error : fut.result();
    });
    if (outer.cancelRequested) {
      // As asyncio, the error comes from the last child (a fresh one if it was not cancelled).
      const lastChild = children[children.length - 1];
      outer.setException(
        lastChild.cancelled() ? lastChild._makeCancelledError() : new CancelledError(),
      );
    } else {
      outer.setResult(results);
    }
  };

  // For the await graph: the calling task awaits every child, as CPython
  // 3.14's gather records with future_add_to_awaited_by.
  const caller = currentTask();
  if (caller !== null) _markAwaiter(onChildDone, caller);

  let onLoop: { loop: EventLoop } | undefined; // one object for every child, not one each
  // An index, not for-of: gather runs once a call, so V8 runs this loop
  // unoptimized, where for-of makes a `{ value, done }` per child.
  for (let i = 0; i < aws.length; i++) {
    const aw = aws[i];
    let fut = typeof aw === "function" ? undefined : futureOf.get(aw);
    if (fut === undefined) {
      fut = ensureFuture(aw, onLoop);
      if (loop === undefined) {
        loop = fut.getLoop();
        onLoop = { loop };
      }
      if (typeof aw !== "function") futureOf.set(aw, fut);
      unique++;
      if (fut.done()) alreadyDone.push(fut);
      else fut.addDoneCallback(onChildDone);
    }
    children.push(fut);
  }
  outer = new GatheringFuture(loop!, children);
  // Children done already are counted only now that `outer` exists.
  for (const fut of alreadyDone) onChildDone(fut);
  return outer;
}

/** A trailing options object: plain, and not something `gather` could await. */
function isOptionsObject(value: unknown): value is GatherOptions {
  if (value === null || typeof value !== "object" || isPromiseLike(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// ---- wait --------------------------------------------------------------------

/**
 * Wait for awaitables until `returnWhen` says so or `timeout` seconds
 * pass; return the two sets `[done, pending]`. Nothing is cancelled, and a
 * timeout raises nothing: what is unfinished is in `pending`.
 *
 * Async functions and promises are wrapped in tasks (as asyncio did with
 * coroutines before 3.11, so that the seed's `wait([sleeper(1), …])`
 * translates directly); the sets hold those tasks. Awaitables are
 * deduplicated, as Python's `set(fs)`.
 *
 * Mirrors `asyncio.wait`. Python's `ValueError`s are `RangeError`s here,
 * with CPython's messages; all argument errors are thrown at the call.
 * @throws {TypeError} if `aws` is a single future or promise, not an iterable.
 * @throws {RangeError} `Set of Tasks/Futures is empty.`, or an unknown `returnWhen`.
 * @throws {RuntimeError} outside a running loop.
 * @example
 * ```ts
 * import { createTask, FIRST_COMPLETED, run, sleep, wait } from "@asyncio/deno";
 * await run(async () => {
 *   const fast = createTask(() => sleep(0.01, "fast"));
 *   const slow = createTask(() => sleep(1, "slow"));
 *   const [done, pending] = await wait([fast, slow], { returnWhen: FIRST_COMPLETED });
 *   console.assert(done.has(fast) && pending.has(slow));
 *   slow.cancel();
 * });
 * ```
 */
export function wait<T>(
  aws: Iterable<CoroutineLike<T>>,
  options: WaitOptions = {},
): Promise<[Set<Future<T>>, Set<Future<T>>]> {
  const { timeout = null, returnWhen = ALL_COMPLETED } = options;
  if (
    aws instanceof Future || isPromiseLike(aws) || typeof aws === "function" ||
    typeof (aws as Iterable<unknown>)?.[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(`expect a list of futures, not ${typeName(aws)}`);
  }
  const unique = new Set(aws);
  if (unique.size === 0) throw new RangeError("Set of Tasks/Futures is empty.");
  if (
    returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED
  ) {
    throw new RangeError(`Invalid return_when value: ${returnWhen}`);
  }
  checkTimeout(timeout);
  const loop = getRunningLoop();
  const fs = new Set([...unique].map((aw) => ensureFuture(aw, { loop })));
  return waitFutures(fs, timeout, returnWhen, loop);
}

/** As CPython's `_wait`: one waiter future, released by the first child that is enough. */
async function waitFutures<T>(
  fs: Set<Future<T>>,
  timeout: number | null,
  returnWhen: ReturnWhen,
  loop: EventLoop,
): Promise<[Set<Future<T>>, Set<Future<T>>]> {
  const waiter = loop.createFuture<void>();
  const timer = timeout === null ? null : loop.callLater(timeout, releaseWaiter, waiter);
  let counter = fs.size;
  const onCompletion = (f: Future<T>): void => {
    counter--;
    if (
      counter <= 0 || returnWhen === FIRST_COMPLETED ||
      (returnWhen === FIRST_EXCEPTION && !f.cancelled() && f.exception() !== null)
    ) {
      timer?.cancel();
      releaseWaiter(waiter);
    }
  };
  for (const f of fs) f.addDoneCallback(onCompletion);
  try {
    await awaitable(waiter);
  } finally {
    timer?.cancel();
    for (const f of fs) f.removeDoneCallback(onCompletion);
  }
  const done = new Set<Future<T>>();
  const pending = new Set<Future<T>>();
  for (const f of fs) (f.done() ? done : pending).add(f);
  return [done, pending];
}

function releaseWaiter(waiter: Future<void>): void {
  if (!waiter.done()) waiter.setResult();
}

// ---- waitFor -------------------------------------------------------------

/**
 * Wait for one awaitable, at most `timeout` seconds (`null`: no limit).
 * On timeout the awaitable is cancelled, waited for until it has really
 * finished, and `TimeoutError` is thrown (its `cause` is the
 * `CancelledError`). If the awaitable swallows the cancellation and
 * returns a value, that value is returned, as in asyncio.
 *
 * As Python 3.12, this is `timeout()` around the await: an async function
 * runs inline in the calling task (no new task), a future or task is
 * awaited and cancelled through the caller. A promise cannot be
 * interrupted: on timeout it is still awaited to its end (give the work
 * `currentTask()!.signal` to make it stop). A `timeout <= 0` checks once
 * and does not wait.
 *
 * Mirrors `asyncio.wait_for`. Wrap `aw` in `shield()` to keep it running
 * after a timeout.
 * @throws {TimeoutError} when the time is up.
 * @throws {TypeError} if `timeout` is neither a number nor `null`.
 * @throws {RuntimeError} `Timeout should be used inside a task` outside a task.
 * @example
 * ```ts
 * import { run, sleep, TimeoutError, waitFor } from "@asyncio/deno";
 * await run(async () => {
 *   console.assert((await waitFor(() => sleep(0.01, "in time"), 1)) === "in time");
 *   try {
 *     await waitFor(() => sleep(10), 0.01);
 *   } catch (err) {
 *     console.assert(err instanceof TimeoutError);
 *   }
 * });
 * ```
 */
export function waitFor<T>(aw: CoroutineLike<T>, timeout: number | null): Promise<T> {
  checkTimeout(timeout);
  if (typeof aw !== "function" && !isPromiseLike(aw)) {
    throw new TypeError("An asyncio.Future, a coroutine or an awaitable is required");
  }
  if (timeout !== null && timeout <= 0) return waitForNow(aw);
  return timeoutScope(timeout, () => typeof aw === "function" ? aw() : aw);
}

/** A timeout that has already passed: one look, then cancel and wait (as CPython). */
async function waitForNow<T>(aw: CoroutineLike<T>): Promise<T> {
  const fut = ensureFuture(aw, { loop: getRunningLoop() });
  if (fut.done()) return fut.result();
  await cancelAndWait(fut);
  try {
    return fut.result();
  } catch (err) {
    if (err instanceof CancelledError) throw Object.assign(new TimeoutError(), { cause: err });
    throw err;
  }
}

/** Cancel `fut` and wait until it is really done (it may ignore the cancel). */
async function cancelAndWait(fut: Future<unknown>): Promise<void> {
  const waiter = fut.getLoop().createFuture<void>();
  const release = () => releaseWaiter(waiter);
  fut.addDoneCallback(release);
  try {
    fut.cancel();
    await awaitable(waiter);
  } finally {
    fut.removeDoneCallback(release);
  }
}

// ---- asCompleted -----------------------------------------------------------

interface Finished<T> {
  future: Future<T>;
}

/**
 * What `asCompleted` returns. Iterated with `for await`, it gives the
 * futures themselves as they finish (the tasks you passed, or the tasks
 * made for functions and promises), as Python 3.13's `async for`. Iterated
 * with plain `for`, it gives one awaitable per input which, awaited,
 * gives the result of the next one to finish (or throws its error), as
 * Python's `for aw in as_completed(...)`; await each of those once.
 *
 * Once the timeout passes, each remaining step throws `TimeoutError`.
 */
export class AsCompleted<T> implements AsyncIterableIterator<Future<T>> {
  #loop: EventLoop;
  #todo: Set<Future<T>>;
  /** How many more items the iterator hands out. */
  #left: number;
  /** Finished futures not yet taken; `null` stands for "timed out". */
  #finished: (Finished<T> | null)[] = [];
  /** Consumers waiting for the next finished future. */
  #getters: Future<Finished<T> | null>[] = [];
  #timer: TimerHandle | null = null;

  /** Made by `asCompleted()`. */
  constructor(aws: Iterable<CoroutineLike<T>>, timeout: number | null) {
    this.#loop = getEventLoop();
    this.#todo = new Set([...new Set(aws)].map((aw) => ensureFuture(aw, { loop: this.#loop })));
    this.#left = this.#todo.size;
    for (const f of this.#todo) f.addDoneCallback(this.#onCompletion);
    if (this.#todo.size > 0 && timeout !== null) {
      this.#timer = this.#loop.callLater(timeout, this.#onTimeout);
    }
  }

  /** `for await` gives the futures in the order they finish. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next future to finish. @throws {TimeoutError} once the time is up. */
  async next(): Promise<IteratorResult<Future<T>, undefined>> {
    if (this.#left === 0) return { value: undefined, done: true };
    this.#left--;
    return { value: (await this.#waitForOne()).future, done: false };
  }

  /** Plain `for` gives awaitables of the results, in the order they finish. */
  *[Symbol.iterator](): IterableIterator<PromiseLike<T>> {
    while (this.#left > 0) {
      this.#left--;
      // Lazy, as a Python coroutine: the wait starts when it is awaited.
      const next: PromiseLike<T> = {
        then: (onResult, onError) => this.#resultOfNext().then(onResult, onError),
      };
      yield next;
    }
  }

  async #resultOfNext(): Promise<T> {
    return (await this.#waitForOne()).future.result();
  }

  // A future is a thenable, so it travels boxed: a promise resolved with
  // it would wait for it instead of handing it over.
  async #waitForOne(): Promise<Finished<T>> {
    const getter = this.#loop.createFuture<Finished<T> | null>();
    const ready = this.#finished.shift();
    if (ready !== undefined) getter.setResult(ready);
    else this.#getters.push(getter);
    const finished = await awaitable(getter);
    if (finished === null) throw new TimeoutError();
    return finished;
  }

  #put(item: Finished<T> | null): void {
    // Skip consumers that were cancelled while waiting, as asyncio.Queue does.
    for (let getter; (getter = this.#getters.shift()) !== undefined;) {
      if (!getter.done()) {
        getter.setResult(item);
        return;
      }
    }
    this.#finished.push(item);
  }

  #onCompletion = (f: Future<T>): void => {
    if (!this.#todo.delete(f)) return; // the timeout came first
    this.#put({ future: f });
    if (this.#todo.size === 0) this.#timer?.cancel();
  };

  #onTimeout = (): void => {
    for (const f of this.#todo) {
      f.removeDoneCallback(this.#onCompletion);
      this.#put(null);
    }
    this.#todo.clear();
  };
}

/**
 * Iterate over awaitables in the order they finish; see `AsCompleted`.
 * Functions and promises become tasks at once.
 *
 * Mirrors `asyncio.as_completed` (with Python 3.13's `async for`).
 * @param options `timeout` in seconds (`null`: none); after it, each step
 *   left throws `TimeoutError` (nothing is cancelled).
 * @throws {TypeError} if `aws` is a single future or promise.
 * @example
 * ```ts
 * import { asCompleted, createTask, run, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   const order: string[] = [];
 *   const tasks = [createTask(() => sleep(0.02, "b")), createTask(() => sleep(0.01, "a"))];
 *   for await (const task of asCompleted(tasks)) order.push(await task);
 *   console.assert(order.join() === "a,b");
 * });
 * ```
 */
export function asCompleted<T>(
  aws: Iterable<CoroutineLike<T>>,
  options: { timeout?: number | null } = {},
): AsCompleted<T> {
  if (aws instanceof Future || isPromiseLike(aws) || typeof aws === "function") {
    throw new TypeError(`expect an iterable of futures, not ${typeName(aws)}`);
  }
  const timeout = options.timeout ?? null;
  checkTimeout(timeout);
  return new AsCompleted(aws, timeout);
}

// ---- shield ----------------------------------------------------------------

/**
 * Protect an awaitable from cancellation: cancelling what `shield`
 * returns (or the task awaiting it) does not cancel `aw`, which goes on
 * running. If `aw` itself is cancelled, the shield is cancelled too.
 *
 * Mirrors `asyncio.shield`. Keep a reference to the inner task if its
 * result matters after the shield was cancelled.
 * @returns `aw`'s future itself if it is already done, else a new future
 *   that follows it.
 * @example
 * ```ts
 * import { createTask, run, shield, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   const inner = createTask(() => sleep(0.01, "kept"));
 *   const outer = shield(inner);
 *   outer.cancel();
 *   console.assert((await inner) === "kept");
 * });
 * ```
 */
export function shield<T>(aw: CoroutineLike<T>): Future<T> {
  const inner = ensureFuture(aw);
  if (inner.done()) return inner;
  const outer = inner.getLoop().createFuture<T>();
  const onInnerDone = (): void => {
    if (outer.cancelled()) {
      if (!inner.cancelled()) inner.exception(); // seen: nobody else will look
      return;
    }
    if (inner.cancelled()) {
      outer.cancel();
      return;
    }
    const error = inner.exception();
    if (error !== null) outer.setException(error);
    else outer.setResult(inner.result());
  };
  // For the await graph, as CPython 3.14's shield: the calling task awaits
  // `inner` (until the shield is done; CPython keeps it until `inner` is).
  const caller = currentTask();
  if (caller !== null) _markAwaiter(onInnerDone, caller);
  inner.addDoneCallback(onInnerDone);
  outer.addDoneCallback(() => {
    if (!inner.done()) inner.removeDoneCallback(onInnerDone);
  });
  return outer;
}

// ---- helpers -------------------------------------------------------------
