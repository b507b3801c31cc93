/**
 * Work on other threads: a pool of Deno Workers (`WorkerExecutor`), what
 * `loop.runInExecutor` and `toThread` run on, as CPython's
 * `concurrent.futures.ThreadPoolExecutor` and `asyncio.to_thread`; and the
 * other way round, a Worker running coroutines on a loop
 * (`runCoroutineThreadsafe` over a `loopPort`), with `ConcurrentFuture`
 * (`concurrent.futures.Future`) and `wrapFuture`.
 *
 * A Worker shares no memory with the loop, so a closure cannot cross: the
 * function is named by its module's URL and its export name
 * (`{ module: import.meta.resolve("./work.ts"), name: "fib" }`), its
 * arguments and its result travel by structured clone, and an error comes
 * back as an `Error` with the same `name`, `message` and `stack`.
 * @module
 */
import { receiveMessageOnPort } from "node:worker_threads";
import type { EventLoop } from "./base_events.ts";
import { getEventLoop, getRunningLoop } from "./events.ts";
import { CancelledError, InvalidStateError, RuntimeError, TimeoutError } from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { ensureFuture, type Task } from "./tasks.ts";
import { importModule } from "./_import.ts";
import { _carryContext } from "./contextvars.ts";

/**
 * A function a Worker can run: the absolute URL of its module (use
 * `import.meta.resolve("./file.ts")`) and the name of its export. The
 * export may be async; its arguments and result must be structured-cloneable.
 */
export interface WorkerFunction {
  /** Absolute URL of the module, e.g. `import.meta.resolve("./work.ts")`. */
  module: string | URL;
  /** The exported function's name. */
  name: string;
}

/** Options of `WorkerExecutor.shutdown`. Mirrors the arguments of `Executor.shutdown`. */
export interface ShutdownOptions {
  /** Wait until the running and queued work is done (default `true`). */
  wait?: boolean;
  /** Cancel the work that has not started yet (default `false`). */
  cancelFutures?: boolean;
}

/** Options of `new WorkerExecutor()`. */
export interface WorkerExecutorOptions {
  /** At most this many Workers at once (default `navigator.hardwareConcurrency`). */
  maxWorkers?: number;
}

interface Job {
  id: number;
  module: string;
  name: string;
  args: readonly unknown[];
  /** Context variables' values to run it with (`toThread`), by name. */
  context: [string, unknown][] | null;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  slot: Slot | null;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | null;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

interface JobReply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { name: string; message: string; stack?: string };
}

const WORKER_URL = new URL("./_worker.ts", import.meta.url);
// Workers of every pool, alive now: the test sanitizers do not see Workers.
let liveWorkers = 0;

/** @ignore How many Workers of all `WorkerExecutor`s are alive now (for tests). */
export function _liveWorkers(): number {
  return liveWorkers;
}
const BUILTIN_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * A pool of at most `maxWorkers` Deno Workers that run exported functions
 * off the loop's thread. Workers start when work arrives, one job each at a
 * time, and stay for the next job until `shutdown()`.
 *
 * Cancelling work (aborting what `runInExecutor` returned) removes it from
 * the queue if it has not started; if it runs, its Worker is terminated (JS
 * cannot interrupt a running function any other way) and a new one is
 * started for the next job. So, unlike a Python thread, running work
 * stops, at its next await or host turn: in Deno 2.9, `terminate()` does
 * not interrupt a loop that never yields, which runs to its end (its result
 * is dropped).
 *
 * Idle Workers keep the process alive: shut the executor down
 * (`await using` does), or let `loop.close()` do it for the default one
 * (and `loop.setDefaultExecutor()` for the one it replaces).
 *
 * Mirrors `concurrent.futures.ThreadPoolExecutor`.
 *
 * @example
 * ```ts
 * import { WorkerExecutor } from "@asyncio/deno";
 * await using pool = new WorkerExecutor({ maxWorkers: 2 });
 * const encoded = await pool.submit<string>(
 *   { module: "data:text/javascript,export const up = (s) => s.toUpperCase();", name: "up" },
 *   "hi",
 * );
 * console.assert(encoded === "HI");
 * ```
 */
export class WorkerExecutor implements AsyncDisposable {
  /** The most Workers that run at once. */
  readonly maxWorkers: number;
  #slots = new Set<Slot>();
  #idle: Slot[] = [];
  #queue: Job[] = [];
  #nextId = 0;
  #shutdown = false;
  #drained: Array<() => void> = [];

  /**
   * A pool; no Worker starts before there is work.
   * @throws {RangeError} if `maxWorkers` is not a positive integer.
   */
  constructor(options: WorkerExecutorOptions = {}) {
    const max = options.maxWorkers ?? Math.max(1, navigator.hardwareConcurrency || 1);
    if (!Number.isInteger(max) || max <= 0) {
      throw new RangeError("max_workers must be greater than 0");
    }
    this.maxWorkers = max;
  }

  /** How many Workers are alive now (busy or idle). */
  get workers(): number {
    return this.#slots.size;
  }

  /**
   * Run `fn(...args)` on a Worker.
   * Mirrors `Executor.submit`.
   * @returns a promise of its result; it rejects with the function's error.
   * @throws {TypeError} if `fn` is not a `WorkerFunction`.
   * @throws {RuntimeError} after `shutdown()`.
   */
  submit<T = unknown>(fn: WorkerFunction, ...args: unknown[]): Promise<T> {
    return this._submit(fn, args, undefined, null) as Promise<T>;
  }

  /** @ignore As `submit`; aborting `signal` cancels the job (see the class). */
  _submit(
    fn: WorkerFunction,
    args: readonly unknown[],
    signal: AbortSignal | undefined,
    context: [string, unknown][] | null,
  ): Promise<unknown> {
    const [module, name] = checkFunction(fn);
    if (this.#shutdown) throw new RuntimeError("cannot schedule new futures after shutdown");
    return new Promise<unknown>((resolve, reject) => {
      const job: Job = {
        id: this.#nextId++,
        module,
        name,
        args,
        context,
        resolve,
        reject,
        slot: null,
        signal,
        onAbort: null,
      };
      if (signal !== undefined) {
        if (signal.aborted) return reject(new CancelledError());
        job.onAbort = () => this.#cancel(job);
        signal.addEventListener("abort", job.onAbort, { once: true });
      }
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  /**
   * Stop taking work; with `wait` (the default), resolve once the running
   * and queued work is done and every Worker has ended. Without it, idle
   * Workers end now and busy ones after the queue is empty.
   * Mirrors `Executor.shutdown`.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    this.#shutdown = true;
    if (options.cancelFutures) {
      for (const job of this.#queue.splice(0)) this.#settle(job, false, new CancelledError());
    }
    for (const slot of this.#idle.splice(0)) this.#kill(slot);
    if (options.wait === false || this.#slots.size === 0) return;
    await new Promise<void>((resolve) => this.#drained.push(resolve));
  }

  /** `await using pool = new WorkerExecutor()` shuts it down (waiting) at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /** @ignore Shut down at once: cancel all work, terminate every Worker. */
  _terminate(): void {
    this.#shutdown = true;
    for (const job of this.#queue.splice(0)) this.#settle(job, false, new CancelledError());
    for (const slot of [...this.#slots]) {
      const job = slot.job;
      this.#kill(slot);
      if (job !== null) this.#settle(job, false, new CancelledError());
    }
    this.#idle.length = 0;
    this.#checkDrained();
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const slot = this.#idle.pop() ?? (this.#slots.size < this.maxWorkers ? this.#spawn() : null);
      if (slot === null) return;
      this.#start(slot, this.#queue.shift()!);
    }
  }

  #spawn(): Slot {
    const worker = new Worker(WORKER_URL, { type: "module" });
    liveWorkers++;
    const slot: Slot = { worker, job: null };
    worker.onmessage = (event: MessageEvent<JobReply>) => this.#onReply(slot, event.data);
    // An error the worker did not catch (it cannot load, it crashed): fail
    // its job and replace it, rather than let the error end this thread.
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#lost(slot, event.error ?? new Error(event.message));
    };
    worker.onmessageerror = () => this.#lost(slot, new Error("Cannot read the Worker's reply"));
    this.#slots.add(slot);
    return slot;
  }

  #start(slot: Slot, job: Job): void {
    slot.job = job;
    job.slot = slot;
    const { id, module, name, args, context } = job;
    try {
      slot.worker.postMessage({ id, module, name, args, context });
    } catch (error) { // arguments that cannot be cloned
      slot.job = null;
      this.#settle(job, false, error);
      this.#release(slot);
    }
  }

  #onReply(slot: Slot, reply: JobReply): void {
    const job = slot.job;
    if (job === null || job.id !== reply.id) return;
    slot.job = null;
    if (reply.ok) this.#settle(job, true, reply.value);
    else this.#settle(job, false, rebuildError(reply.error!));
    this.#release(slot);
  }

  /** A Worker is free: give it the next job, or keep it (or end it after shutdown). */
  #release(slot: Slot): void {
    if (this.#queue.length > 0) {
      this.#start(slot, this.#queue.shift()!);
      return;
    }
    if (this.#shutdown) this.#kill(slot);
    else this.#idle.push(slot);
    this.#checkDrained();
  }

  #lost(slot: Slot, error: unknown): void {
    const job = slot.job;
    this.#kill(slot);
    if (job !== null) this.#settle(job, false, error);
    this.#dispatch();
    this.#checkDrained();
  }

  #cancel(job: Job): void {
    const slot = job.slot;
    if (slot === null) {
      const i = this.#queue.indexOf(job);
      if (i >= 0) this.#queue.splice(i, 1);
    } else {
      this.#kill(slot);
      this.#dispatch();
    }
    this.#settle(job, false, new CancelledError());
    this.#checkDrained();
  }

  #kill(slot: Slot): void {
    slot.worker.terminate();
    liveWorkers--;
    slot.job = null;
    this.#slots.delete(slot);
    const i = this.#idle.indexOf(slot);
    if (i >= 0) this.#idle.splice(i, 1);
  }

  #settle(job: Job, ok: boolean, value: unknown): void {
    job.slot = null;
    if (job.onAbort !== null) job.signal!.removeEventListener("abort", job.onAbort);
    if (ok) job.resolve(value);
    else job.reject(value);
  }

  #checkDrained(): void {
    if (this.#queue.length > 0 || this.#idle.length < this.#slots.size) return;
    for (const resolve of this.#drained.splice(0)) resolve();
  }
}

function checkFunction(fn: WorkerFunction): [string, string] {
  if (typeof fn === "function") {
    throw new TypeError(
      "A Worker cannot run a closure: name the function as { module: import.meta.resolve(...), name }",
    );
  }
  if (fn === null || typeof fn !== "object" || typeof fn.name !== "string") {
    throw new TypeError("Expected { module, name } naming an exported function");
  }
  const module = String(fn.module);
  if (!URL.canParse(module)) {
    throw new TypeError(`module must be an absolute URL (use import.meta.resolve), got ${module}`);
  }
  return [module, fn.name];
}

function rebuildError(e: NonNullable<JobReply["error"]>): Error {
  const error = new (BUILTIN_ERRORS[e.name] ?? Error)(e.message);
  error.name = e.name;
  if (e.stack !== undefined) error.stack = e.stack;
  return error;
}

// ---- The loop's side: runInExecutor and its default executor ------------

interface LoopExecutors {
  executor: WorkerExecutor | null;
  shutdownCalled: boolean;
}

const loops = new WeakMap<EventLoop, LoopExecutors>();

function stateOf(loop: EventLoop): LoopExecutors {
  let state = loops.get(loop);
  if (state === undefined) {
    const made: LoopExecutors = { executor: null, shutdownCalled: false };
    // JavaScript cannot join a thread inside the synchronous close(), so
    // close() ends the default executor's Workers at once (CPython's close
    // calls shutdown(wait=False)); run() waits for them before closing.
    loop._closeHooks.push(() => made.executor?._terminate());
    loops.set(loop, made);
    state = made;
  }
  return state;
}

/** Bring a settled host promise onto the loop as the outcome of `fut`. */
function settleLater<T>(loop: EventLoop, fut: Future<T>, promise: Promise<unknown>): void {
  const deliver = (ok: boolean, value: unknown) => {
    if (loop.isClosed()) return;
    loop.callSoonThreadsafe(() => {
      if (fut.done()) return;
      if (ok) fut.setResult(value as T);
      else fut.setException(value);
    });
  };
  promise.then((v) => deliver(true, v), (e) => deliver(false, e));
}

/** @ignore The body of `loop.runInExecutor`. */
export function _runInExecutor<T>(
  loop: EventLoop,
  executor: WorkerExecutor | null,
  fn: WorkerFunction,
  args: readonly unknown[],
  context: [string, unknown][] | null = null,
): Future<T> {
  if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
  if (executor === null) {
    const state = stateOf(loop);
    if (state.shutdownCalled) throw new RuntimeError("Executor shutdown has been called");
    executor = state.executor ??= new WorkerExecutor();
  }
  const abort = new AbortController();
  const job = executor._submit(fn, args, abort.signal, context);
  const fut = loop.createFuture<T>();
  fut.addDoneCallback(() => {
    if (fut.cancelled()) abort.abort();
  });
  // Work in flight is time a virtual clock must not skip.
  loop._externalWaits++;
  settleLater(loop, fut, job.finally(() => loop._externalWaits--));
  return fut;
}

/** @ignore The body of `loop.setDefaultExecutor`. */
export function _setDefaultExecutor(loop: EventLoop, executor: WorkerExecutor): void {
  if (!(executor instanceof WorkerExecutor)) {
    throw new TypeError("executor must be WorkerExecutor");
  }
  const state = stateOf(loop);
  const replaced = state.executor;
  state.executor = executor;
  // CPython drops the replaced pool, and its threads end once it is
  // collected, finishing their work first. JavaScript cannot see that
  // moment, and an idle Worker keeps the process alive: shut it down as
  // shutdown(wait=False) would, its work still done.
  if (replaced !== null && replaced !== executor) void replaced.shutdown({ wait: false });
}

/** @ignore The body of `loop.shutdownDefaultExecutor`. */
export async function _shutdownDefaultExecutor(
  loop: EventLoop,
  timeout: number | null,
): Promise<void> {
  const state = stateOf(loop);
  state.shutdownCalled = true;
  const executor = state.executor;
  if (executor === null) return;
  const done = loop.createFuture<void>();
  settleLater(loop, done, executor.shutdown({ wait: true }));
  const timer = timeout === null ? null : loop.callLater(timeout, () => {
    if (done.done()) return;
    // As CPython 3.12's shutdown_default_executor(timeout), then end them.
    console.warn(
      `The executor did not finishing joining its threads within ${timeout} seconds.`,
    );
    executor._terminate();
  });
  try {
    await done;
  } finally {
    timer?.cancel();
  }
}

/**
 * Run `fn(...args)` on the running loop's default executor (a
 * `WorkerExecutor`) and return a future of its result.
 *
 * The function runs with the caller's context variables, as asyncio's runs
 * in a copy of the caller's context (`runInExecutor` passes none, as in
 * asyncio). A Worker has its own copy of every module, so a value reaches
 * the variable of the same name there, if it survives a structured clone
 * (else that variable has its default there).
 *
 * Mirrors `asyncio.to_thread`; the function is named by module URL and
 * export name, since closures cannot cross into a Worker.
 * @throws {RuntimeError} if no loop is running.
 * @example
 * ```ts
 * import { run, toThread } from "@asyncio/deno";
 * const fn = { module: "data:text/javascript,export const add = (a, b) => a + b;", name: "add" };
 * console.assert((await run(() => toThread<number>(fn, 2, 3))) === 5);
 * ```
 */
export function toThread<T = unknown>(fn: WorkerFunction, ...args: unknown[]): Future<T> {
  return _runInExecutor<T>(getRunningLoop(), null, fn, args, _carryContext());
}

// ---- Futures across threads: runCoroutineThreadsafe, wrapFuture --------
//
// A Worker and the loop's thread share no objects, so a call crosses a
// MessageChannel: the loop's end (`loopPort`) starts each call as a task
// and posts its outcome back; the Worker's end keeps a ConcurrentFuture per
// call. To let `result(timeout)` block (a Worker may; JavaScript cannot
// otherwise wait for a message without returning to its event loop), the
// Worker shares one Int32 with the loop's end: the loop's end bumps it
// after each reply and notifies, and the Worker, parked in Atomics.wait on
// it, takes the replies off the port with receiveMessageOnPort.
//
// Messages, Worker → loop: { id, module, name, args, flag? } (flag: the
// shared Int32's buffer, with the first call) and { cancel: id };
// loop → Worker: { id, ok: true, value } | { id, ok: false, error } |
// { id, cancelled: true } | { closed: true } (the loop closed: every call
// still pending fails).

type ErrorShape = NonNullable<JobReply["error"]>;

interface CallReply {
  id?: number;
  ok?: boolean;
  value?: unknown;
  error?: ErrorShape;
  cancelled?: boolean;
  closed?: boolean;
}

interface CallRequest {
  id: number;
  module: string;
  name: string;
  args: readonly unknown[];
  flag?: SharedArrayBuffer;
  cancel?: number;
}

const PENDING = 0, CANCELLED = 1, FINISHED = 2;

// Invariants: the state goes PENDING → CANCELLED or FINISHED once; the
// done-callbacks run once, right when it does (in the thread that settles
// it, as in Python), and callbacks added later run at once.
/**
 * A result that another thread (a Worker, or the loop's thread) will
 * produce: what `runCoroutineThreadsafe` returns. Await it, or, in a Worker,
 * block on it with `result(timeout)`; `cancel()` cancels the task on the
 * loop.
 *
 * Mirrors `concurrent.futures.Future`. Unlike Python, `result()` can block
 * only where the result comes from another thread (a Worker waiting on a
 * loop); on the thread that must produce the result it throws
 * `RuntimeError` rather than wait forever. `running()` is false until done,
 * as for a future from `run_coroutine_threadsafe`.
 */
export class ConcurrentFuture<T = unknown> implements PromiseLike<T> {
  #state = PENDING;
  #failed = false;
  #value: unknown = undefined;
  #callbacks: Array<(fut: ConcurrentFuture<T>) => void> = [];
  #onCancel: (() => void) | null = null;
  #block: ((deadline: number) => void) | null = null;

  /**
   * @ignore What `cancel()` also does (tell the loop) and how `result()`
   * waits (until the future is done or `deadline`, a `performance.now()`).
   */
  _bind(onCancel: () => void, block: ((deadline: number) => void) | null): void {
    this.#onCancel = onCancel;
    this.#block = block;
  }

  /** @ignore True if another thread completes it (its `result()` can block). */
  _remote(): boolean {
    return this.#block !== null;
  }

  /**
   * Cancel: true unless already done. Mirrors `Future.cancel`.
   */
  cancel(): boolean {
    if (this.#state !== PENDING) return this.#state === CANCELLED;
    this.#state = CANCELLED;
    this.#onCancel?.();
    this.#runCallbacks();
    return true;
  }

  /** True once cancelled. Mirrors `Future.cancelled`. */
  cancelled(): boolean {
    return this.#state === CANCELLED;
  }

  /** Always false: the work runs elsewhere, unseen. Mirrors `Future.running`. */
  running(): boolean {
    return false;
  }

  /** True once it has a result, an exception or was cancelled. Mirrors `Future.done`. */
  done(): boolean {
    return this.#state !== PENDING;
  }

  /**
   * The result, waiting for it up to `timeout` seconds (`null`: as long as
   * it takes; this blocks the thread, so only a Worker should).
   * Mirrors `Future.result`.
   * @throws {TimeoutError} if not done in time.
   * @throws {CancelledError} if cancelled; the error, if it failed.
   */
  result(timeout: number | null = null): T {
    this.#wait(timeout);
    if (this.#failed) throw this.#value;
    return this.#value as T;
  }

  /**
   * The exception (null if it succeeded), waiting as `result` does.
   * Mirrors `Future.exception`.
   * @throws {TimeoutError} if not done in time.
   * @throws {CancelledError} if cancelled.
   */
  exception(timeout: number | null = null): unknown {
    this.#wait(timeout);
    return this.#failed ? this.#value : null;
  }

  /**
   * Call `fn(future)` when done (now, if it is). Mirrors `Future.add_done_callback`.
   */
  addDoneCallback(fn: (fut: ConcurrentFuture<T>) => void): void {
    if (this.#state === PENDING) this.#callbacks.push(fn);
    else this.#call(fn);
  }

  /**
   * Complete with `value`. Mirrors `Future.set_result`.
   * @throws {InvalidStateError} if already done.
   */
  setResult(value: T): void {
    this.#settle(false, value);
  }

  /**
   * Complete with `error`. Mirrors `Future.set_exception`.
   * @throws {InvalidStateError} if already done.
   */
  setException(error: unknown): void {
    this.#settle(true, error);
  }

  /** `await future`: its result, or its error (`CancelledError` if cancelled). */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return new Promise<T>((resolve, reject) => {
      this.addDoneCallback((fut) => {
        if (fut.#state === CANCELLED) reject(new CancelledError());
        else if (fut.#failed) reject(fut.#value);
        else resolve(fut.#value as T);
      });
    }).then(onFulfilled, onRejected);
  }

  /** For example `<ConcurrentFuture state=finished>`. */
  toString(): string {
    const state = ["pending", "cancelled", "finished"][this.#state];
    return `<ConcurrentFuture state=${state}${this.#failed ? " raised" : ""}>`;
  }

  #settle(failed: boolean, value: unknown): void {
    if (this.#state !== PENDING) throw new InvalidStateError(`${this}`);
    this.#state = FINISHED;
    this.#failed = failed;
    this.#value = value;
    this.#runCallbacks();
  }

  #wait(timeout: number | null): void {
    if (this.#state === PENDING && timeout !== 0) {
      if (this.#block === null) {
        throw new RuntimeError(
          "result() would wait forever: this thread is the one that must complete the future (await it instead)",
        );
      }
      this.#block(timeout === null ? Infinity : performance.now() + timeout * 1000);
    }
    if (this.#state === CANCELLED) throw new CancelledError();
    if (this.#state === PENDING) throw new TimeoutError();
  }

  #runCallbacks(): void {
    for (const fn of this.#callbacks.splice(0)) this.#call(fn);
  }

  #call(fn: (fut: ConcurrentFuture<T>) => void): void {
    try {
      fn(this);
    } catch (err) {
      // As Python's concurrent.futures, which logs it and goes on.
      console.error(`exception calling callback for ${this}`, err);
    }
  }
}

/**
 * The end of a channel to `loop` that a Worker passes to
 * `runCoroutineThreadsafe`: transfer it to the Worker
 * (`worker.postMessage(port, [port])`). Calls that come through it run as
 * tasks on `loop`; it lives until the loop closes, and calls still pending
 * then fail with a `RuntimeError`.
 *
 * Python passes the loop object itself to the other thread; a Worker shares
 * no objects with this thread, so it gets this port instead.
 * @throws {RuntimeError} if `loop` is closed.
 * @example
 * ```ts
 * import { loopPort, run } from "@asyncio/deno";
 * await run(async () => {
 *   const port = loopPort(); // the running loop's
 *   const worker = new Worker(
 *     "data:text/javascript,onmessage = (e) => postMessage(e.data instanceof MessagePort)",
 *     { type: "module" },
 *   );
 *   const got = new Promise((resolve) => worker.onmessage = (e) => resolve(e.data));
 *   worker.postMessage(port, [port]);
 *   console.assert(await got === true);
 *   worker.terminate();
 * });
 * ```
 */
export function loopPort(loop: EventLoop = getRunningLoop()): MessagePort {
  if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
  const { port1, port2 } = new MessageChannel();
  let flag: Int32Array | null = null;
  const tasks = new Map<number, Task<unknown>>();
  const reply = (message: CallReply) => {
    try {
      port1.postMessage(message);
    } catch (err) { // a result that cannot be cloned
      port1.postMessage({ id: message.id, ok: false, error: describeError(err) });
    }
    if (flag !== null) {
      Atomics.add(flag, 0, 1);
      Atomics.notify(flag, 0);
    }
  };
  port1.onmessage = (event: MessageEvent<CallRequest>) => {
    const request = event.data;
    if (request.flag !== undefined) flag = new Int32Array(request.flag);
    if (loop.isClosed()) return;
    loop.callSoonThreadsafe(() => {
      if (request.cancel !== undefined) {
        tasks.get(request.cancel)?.cancel();
        return;
      }
      const { id } = request;
      const task = startCall(loop, request.module, request.name, request.args);
      tasks.set(id, task);
      task.addDoneCallback(() => {
        tasks.delete(id);
        if (task.cancelled()) reply({ id, cancelled: true });
        else if (task.exception() !== null) {
          reply({ id, ok: false, error: describeError(task.exception()) });
        } else reply({ id, ok: true, value: task.result() });
      });
    });
  };
  loop._closeHooks.push(() => {
    reply({ closed: true });
    port1.close();
  });
  return port2;
}

/** A call on the loop: the named export, imported once, as a task. */
function startCall(
  loop: EventLoop,
  module: string,
  name: string,
  args: readonly unknown[],
): Task<unknown> {
  const loaded = modules.get(module);
  return loop.createTask(async () => {
    const mod = loaded ?? await loadModule(module);
    const fn = mod[name];
    if (typeof fn !== "function") {
      throw new TypeError(`${module} has no exported function named '${name}'`);
    }
    return await fn(...args);
  });
}

const modules = new Map<string, Record<string, unknown>>();

async function loadModule(module: string): Promise<Record<string, unknown>> {
  const mod = await importModule(module);
  modules.set(module, mod);
  return mod;
}

function describeError(error: unknown): ErrorShape {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack };
  }
  return { name: "Error", message: String(error) };
}

/** Deno's MessagePort, which, as Node's, can stop keeping the thread alive. */
type RefPort = MessagePort & { ref(): void; unref(): void };

/** A Worker's end of a `loopPort`: its calls in flight, and the blocking wait. */
class LoopClient {
  #port: RefPort;
  #flag = new Int32Array(new SharedArrayBuffer(4));
  #flagSent = false;
  #pending = new Map<number, ConcurrentFuture<unknown>>();
  #nextId = 0;
  #closed = false;

  constructor(port: MessagePort) {
    this.#port = port as RefPort;
    port.onmessage = (event: MessageEvent<CallReply>) => this.#dispatch(event.data);
    this.#port.unref();
  }

  submit<T>(module: string, name: string, args: readonly unknown[]): ConcurrentFuture<T> {
    const fut = new ConcurrentFuture<T>();
    if (this.#closed) {
      fut.setException(new RuntimeError("Event loop is closed"));
      return fut;
    }
    const id = this.#nextId++;
    const request: CallRequest = { id, module, name, args };
    if (!this.#flagSent) request.flag = this.#flag.buffer as SharedArrayBuffer;
    try {
      this.#port.postMessage(request);
    } catch (err) { // arguments that cannot be cloned
      fut.setException(err);
      return fut;
    }
    this.#flagSent = true;
    const untyped = fut as unknown as ConcurrentFuture<unknown>;
    this.#pending.set(id, untyped);
    // While calls are in flight the port keeps this thread alive, not after.
    if (this.#pending.size === 1) this.#port.ref();
    fut._bind(() => {
      this.#forget(id);
      if (!this.#closed) this.#port.postMessage({ cancel: id });
    }, (deadline) => this.#waitFor(untyped, deadline));
    return fut;
  }

  #forget(id: number): void {
    if (this.#pending.delete(id) && this.#pending.size === 0) this.#port.unref();
  }

  #dispatch(reply: CallReply): void {
    if (reply.closed) {
      this.#closed = true;
      const pending = [...this.#pending.values()];
      this.#pending.clear();
      this.#port.close();
      for (const fut of pending) {
        fut.setException(new RuntimeError("Event loop closed before the coroutine finished"));
      }
      return;
    }
    const fut = this.#pending.get(reply.id!);
    if (fut === undefined) return; // cancelled here already
    this.#forget(reply.id!);
    if (reply.cancelled) fut.cancel();
    else if (reply.ok) fut.setResult(reply.value);
    else fut.setException(rebuildError(reply.error!));
  }

  /** Block until `fut` is done or `deadline` passes (see the notes above). */
  #waitFor(fut: ConcurrentFuture<unknown>, deadline: number): void {
    for (;;) {
      const seen = Atomics.load(this.#flag, 0);
      for (let got; !this.#closed && (got = receiveMessageOnPort(this.#port as never));) {
        this.#dispatch(got.message as CallReply);
      }
      const left = deadline - performance.now();
      if (fut.done() || left <= 0) return;
      Atomics.wait(this.#flag, 0, seen, left === Infinity ? undefined : left);
    }
  }
}

const clients = new WeakMap<MessagePort, LoopClient>();

/**
 * Run the exported function `fn` (its arguments `args`, by structured
 * clone) as a task on `loop`, from another thread: `loop` is the port
 * `loopPort(loop)` made, transferred to this Worker (or the `EventLoop`
 * itself, on its own thread). Returns a `ConcurrentFuture` of its result:
 * await it, or block on `result(timeout)` in a Worker; `cancel()` cancels
 * the task on the loop.
 *
 * Mirrors `asyncio.run_coroutine_threadsafe`: the coroutine is named by
 * module URL and export, as `runInExecutor` names its functions.
 * @throws {TypeError} if `fn` is not a `WorkerFunction`.
 * @example
 * ```ts
 * import { getRunningLoop, run, runCoroutineThreadsafe } from "@asyncio/deno";
 * const double = { module: "data:text/javascript,export const f = async (x) => 2 * x;", name: "f" };
 * await run(async () => {
 *   // On the loop's own thread; a Worker passes loopPort(loop) instead.
 *   console.assert((await runCoroutineThreadsafe<number>(double, getRunningLoop(), 21)) === 42);
 * });
 * ```
 */
export function runCoroutineThreadsafe<T = unknown>(
  fn: WorkerFunction,
  loop: MessagePort | EventLoop,
  ...args: unknown[]
): ConcurrentFuture<T> {
  const [module, name] = checkFunction(fn);
  if (loop instanceof MessagePort) {
    let client = clients.get(loop);
    if (client === undefined) clients.set(loop, client = new LoopClient(loop));
    return client.submit<T>(module, name, args);
  }
  const fut = new ConcurrentFuture<T>();
  let task: Task<unknown> | null = null;
  fut._bind(() => task?.cancel(), null);
  loop.callSoonThreadsafe(() => {
    if (fut.done()) return;
    task = startCall(loop, module, name, args);
    task.addDoneCallback((t) => {
      if (fut.done()) return;
      if (t.cancelled()) fut.cancel();
      else if (t.exception() !== null) fut.setException(t.exception());
      else fut.setResult(t.result() as T);
    });
  });
  return fut;
}

/**
 * A loop future of `x`: `x` itself if it is a loop `Future`; for a
 * `ConcurrentFuture`, a future that follows it (cancelling either cancels
 * the other); for any other promise, a task watching it, as `ensureFuture`
 * makes (cancelling it does not stop the promise's work).
 *
 * Mirrors `asyncio.wrap_future`, which takes a `concurrent.futures.Future`.
 * @example
 * ```ts
 * import { run, wrapFuture } from "@asyncio/deno";
 * await run(async () => {
 *   console.assert((await wrapFuture(Promise.resolve(7))) === 7);
 * });
 * ```
 */
export function wrapFuture<T>(
  x: Future<T> | ConcurrentFuture<T> | PromiseLike<T>,
  options: { loop?: EventLoop } = {},
): Future<T> {
  if (!(x instanceof ConcurrentFuture)) return ensureFuture(x, options);
  const loop = options.loop ?? getEventLoop();
  const fut = loop.createFuture<T>();
  // A call running on another thread's loop is time a virtual clock here
  // must not skip (a future completed on this thread is not).
  const remote = x._remote();
  if (remote) loop._externalWaits++;
  fut.addDoneCallback(() => {
    if (remote) loop._externalWaits--;
    if (fut.cancelled()) x.cancel();
  });
  x.addDoneCallback((source) => {
    if (loop.isClosed()) return;
    loop.callSoonThreadsafe(() => {
      if (fut.done()) return;
      if (source.cancelled()) fut.cancel();
      else if (source.exception() !== null) fut.setException(source.exception());
      else fut.setResult(source.result());
    });
  });
  return fut;
}
