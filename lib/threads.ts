/**
 * Work on other threads: a pool of Deno Workers (`WorkerExecutor`), what
 * `loop.runInExecutor` and `toThread` run on, as CPython's
 * `concurrent.futures.ThreadPoolExecutor` and `asyncio.to_thread`.
 *
 * A Worker shares no memory with the loop, so a closure cannot cross: the
 * function is named by its module's URL and its export name
 * (`{ module: import.meta.resolve("./work.ts"), name: "fib" }`), its
 * arguments and its result travel by structured clone, and an error comes
 * back as an `Error` with the same `name`, `message` and `stack`.
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { getRunningLoop } from "./events.ts";
import { CancelledError, RuntimeError } from "./exceptions.ts";
import type { Future } from "./futures.ts";
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
