/**
 * Work on other threads: a pool of Deno Workers (`WorkerExecutor`), what
 * `loop.runInExecutor` and `toThread` run on, as CPython's
 * `concurrent.futures.ThreadPoolExecutor` and `asyncio.to_thread`; and the
 * other way round, a Worker calling into a loop (`callSoonThreadsafe` and
 * `runCoroutineThreadsafe` over a `loopPort`), with `ConcurrentFuture`
 * (`concurrent.futures.Future`) and `wrapFuture`.
 *
 * A Worker shares no objects with the loop, so a closure cannot cross: the
 * function is named by its module's URL and its export name
 * (`{ module: import.meta.resolve("./work.ts"), name: "fib" }`), its
 * arguments and its result are copied as structured clone copies them (or
 * moved, with `transfer()`), and an error comes back as an `Error` with the
 * same `name`, `message` and `stack`. Calls and results travel through
 * shared memory (`SharedArrayBuffer`, woken with `Atomics`), not one
 * message each.
 * @module
 */
import { MessageChannel as NodeMessageChannel } from "node:worker_threads";
import type { EventLoop } from "./base_events.ts";
import { getEventLoop, getRunningLoop } from "./events.ts";
import { CancelledError, InvalidStateError, RuntimeError, TimeoutError } from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { ensureFuture, type Task } from "./tasks.ts";
import { importModule } from "./_import.ts";
import {
  type ChannelEnd,
  channelFrom,
  ChannelReader,
  channelTo,
  ChannelWriter,
  isTransfer,
  markTransfer,
  unwrapTransfers,
} from "./_channel.ts";
import {
  DEPTH,
  describeError,
  type ErrorShape,
  KILLED,
  OP_DEFINE,
  OP_JOB,
  OP_JOB_CTX,
  OP_OK,
  OP_STOP,
  type PoolSetup,
  QUEUED,
  REVOKED,
  RUNNING,
  tag,
} from "./_pool.ts";
import { _carryContext } from "./contextvars.ts";
import { shortRepr } from "./_util.ts";

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
  /** Wait until the running and queued work is done and every Worker has ended (default `true`). */
  wait?: boolean;
  /** Cancel the work that has not started yet (default `false`). */
  cancelFutures?: boolean;
}

/** Options of `new WorkerExecutor()`. */
export interface WorkerExecutorOptions {
  /**
   * At most this many Workers at once (default `min(32, cores + 4)`, as
   * CPython's `ThreadPoolExecutor`).
   */
  maxWorkers?: number;
}

/**
 * A value whose buffers move to the other thread instead of being copied:
 * what `transfer()` makes. Pass it as an argument (top level) of
 * `WorkerExecutor.submit`, `runInExecutor`, `toThread`,
 * `runCoroutineThreadsafe` or `callSoonThreadsafe`, or return it from a
 * function a `WorkerExecutor` runs (or a coroutine a Worker runs on a loop)
 * to move its result back. The other side gets `value`; on this side the
 * moved buffers are detached (`byteLength` 0).
 */
export class Transfer<T = unknown> {
  /** The value the other side gets. */
  readonly value: T;
  /** What moves rather than being copied (`ArrayBuffer`s, `MessagePort`s). */
  readonly list: readonly Transferable[];

  /** See `transfer()`. */
  constructor(value: T, list: readonly Transferable[]) {
    this.value = value;
    this.list = list;
    markTransfer(this);
  }
}

/**
 * Mark `value` to be moved, not copied, to the Worker (or back from it):
 * an `ArrayBuffer`, a typed array or `DataView` (its buffer moves), or a
 * `MessagePort`; any other value with the list of what in it moves (as
 * `postMessage`'s transfer list). A 1 MiB `Uint8Array` then costs the same
 * as a number to send.
 *
 * No asyncio twin: Python's threads share one heap, so nothing is copied
 * there in the first place.
 * @throws {TypeError} if `value` is none of those and no `list` is given.
 * @example
 * ```ts
 * import { transfer, WorkerExecutor } from "@asyncio/deno";
 * const size = { module: "data:text/javascript,export const f = (b) => b.byteLength;", name: "f" };
 * await using pool = new WorkerExecutor({ maxWorkers: 1 });
 * const bytes = new Uint8Array(1 << 20);
 * console.assert((await pool.submit(size, transfer(bytes))) === 1 << 20);
 * console.assert(bytes.byteLength === 0); // it moved
 * ```
 */
export function transfer<T>(value: T, list?: readonly Transferable[]): Transfer<T> {
  if (list !== undefined) return new Transfer(value, [...list]);
  if (value instanceof ArrayBuffer || value instanceof MessagePort) {
    return new Transfer(value, [value]);
  }
  if (ArrayBuffer.isView(value)) {
    // A view of shared memory is shared, not moved.
    return new Transfer(value, value.buffer instanceof ArrayBuffer ? [value.buffer] : []);
  }
  throw new TypeError(
    "transfer() moves an ArrayBuffer, a typed array, a DataView or a MessagePort; " +
      "for other values give the list of what moves: transfer(value, [buffer, ...])",
  );
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

// ---- Named functions ---------------------------------------------------
//
// Every distinct (module, name) gets a number once per process; channels
// send the number, and define it on first use. A WorkerFunction object is
// checked once, then found by identity.

interface Named {
  given: string | URL;
  name: string;
  id: number;
}

const namedById: Array<[string, string]> = [];
const idByKey = new Map<string, number>();
const checked = new WeakMap<object, Named>();

// The last function asked about: a Worker calling one function in a loop
// skips the WeakMap.
let lastFn: object | null = null;
let lastNamed: Named | null = null;

/** The number of `fn`, checked. */
function functionId(fn: WorkerFunction): number {
  const known = fn === lastFn ? lastNamed : checked.get(fn);
  if (
    known !== undefined && known !== null && known.given === fn.module && known.name === fn.name
  ) {
    lastFn = fn;
    lastNamed = known;
    return known.id;
  }
  const [module, name] = checkFunction(fn);
  const key = `${module}\n${name}`;
  let id = idByKey.get(key);
  if (id === undefined) {
    id = namedById.length;
    namedById.push([module, name]);
    idByKey.set(key, id);
  }
  checked.set(fn, { given: fn.module, name: fn.name, id });
  return id;
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

function rebuildError(e: ErrorShape): Error {
  const error = new (BUILTIN_ERRORS[e.name] ?? Error)(e.message);
  error.name = e.name;
  if (e.stack !== undefined) error.stack = e.stack;
  return error;
}

// ---- WorkerExecutor ----------------------------------------------------

/** A job's life on the loop's thread. */
const PENDING_JOB = 0; // in the pool's queue
const SENT = 1; // held by a Worker (its state word says whether it started)
const SETTLED = 2;

interface Job {
  fnId: number;
  /** `OP_JOB`, or `OP_JOB_CTX` when `args[0]` is the context to run it in. */
  op: number;
  args: unknown[];
  transfer: Transferable[] | null;
  /** Called once, with the outcome (an `Error` when `ok` is false). */
  onDone: (ok: boolean, value: unknown) => void;
  life: number;
  /** Its payload needs the side port (a transfer list, or values the codec leaves to structured clone): only an idle Worker takes it, and it is never moved to another. */
  pinned: boolean;
  worker: PoolWorker | null;
  /** Its number on `worker`. */
  id: number;
  /** Submission order, pool-wide. */
  seq: number;
}

/** The loop's side of one Worker. */
interface PoolWorker {
  worker: Worker;
  jobs: ChannelWriter;
  results: ChannelReader;
  states: Int32Array;
  lifeline: MessagePort & { unref(): void; on(ev: string, fn: () => void): void };
  /** Jobs sent and not finished, in the order sent (by their number). */
  held: Map<number, Job>;
  nextId: number;
  defined: boolean[];
  /** A waitAsync on its results is pending. */
  waiting: boolean;
  gone: boolean;
  onResults: () => void;
}

// Invariants: a job is in exactly one place: the queue (PENDING_JOB), one
// Worker's `held` (SENT), or nowhere (SETTLED, its onDone called once). A
// Worker holds at most DEPTH jobs, and a pinned job only alone. The queue
// is in submission order, and so is each `held`; a job is taken back from
// a Worker only while its state word says QUEUED, by compare-and-swap.
/**
 * A pool of at most `maxWorkers` Deno Workers that run exported functions
 * off the loop's thread. Workers start when work arrives and no Worker is
 * idle, run one job each at a time, in the order submitted, and stay for
 * the next job until `shutdown()`.
 *
 * Cancelling work (cancelling what `runInExecutor` returned) removes it if
 * it has not started; if it runs, its Worker is terminated (JS cannot
 * interrupt a running function any other way) and a new one is started for
 * the next job. So, unlike a Python thread, running work stops, at its next
 * await or host turn. A Worker that dies while it runs a job (an uncaught
 * error in one of its callbacks, `close()`, `Deno.exit()`) fails that job
 * with a `RuntimeError`, and is replaced.
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
  #workers: PoolWorker[] = [];
  #queue: Job[] = [];
  #queueHead = 0;
  #seq = 0;
  #shutdown = false;
  #drained: Array<() => void> = [];

  /**
   * A pool; no Worker starts before there is work.
   * @throws {RangeError} if `maxWorkers` is not a positive integer.
   */
  constructor(options: WorkerExecutorOptions = {}) {
    const max = options.maxWorkers ?? Math.min(32, (navigator.hardwareConcurrency || 1) + 4);
    if (!Number.isInteger(max) || max <= 0) {
      throw new RangeError("max_workers must be greater than 0");
    }
    this.maxWorkers = max;
  }

  /** How many Workers are alive now (busy or idle). */
  get workers(): number {
    return this.#workers.length;
  }

  /**
   * Run `fn(...args)` on a Worker.
   * Mirrors `Executor.submit`.
   * @returns a promise of its result; it rejects with the function's error.
   * @throws {TypeError} if `fn` is not a `WorkerFunction`.
   * @throws {RuntimeError} after `shutdown()`.
   */
  submit<T = unknown>(fn: WorkerFunction, ...args: unknown[]): Promise<T> {
    let onDone!: (ok: boolean, value: unknown) => void;
    const promise = new Promise<T>((resolve, reject) => {
      onDone = (ok, value) => ok ? resolve(value as T) : reject(value);
    });
    this._submit(fn, args, onDone);
    return promise;
  }

  /**
   * @ignore As `submit`, with a callback for the outcome; returns the job
   * for `_cancel`.
   */
  _submit(
    fn: WorkerFunction,
    args: unknown[],
    onDone: (ok: boolean, value: unknown) => void,
    context: [string, unknown][] | null = null,
  ): object {
    const fnId = functionId(fn);
    if (this.#shutdown) throw new RuntimeError("cannot schedule new futures after shutdown");
    const moved = unwrapTransfers(args);
    const plain = moved === null ? args : moved.args;
    const job: Job = {
      fnId,
      op: context === null ? OP_JOB : OP_JOB_CTX,
      args: context === null ? plain : [context, ...plain],
      transfer: moved === null ? null : moved.list,
      onDone,
      life: PENDING_JOB,
      pinned: moved !== null,
      worker: null,
      id: 0,
      seq: this.#seq++,
    };
    this.#queue.push(job);
    this.#dispatch();
    return job;
  }

  /**
   * Stop taking work; with `wait` (the default), resolve once the running
   * and queued work is done and every Worker has ended. Without it, idle
   * Workers end now and busy ones once the queue is empty. With
   * `cancelFutures`, work not started yet is cancelled first.
   * Mirrors `Executor.shutdown`.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    this.#shutdown = true;
    if (options.cancelFutures) {
      for (const w of this.#workers) {
        for (const job of [...w.held.values()]) {
          if (this.#takeBack(w, job)) this.#settle(job, false, new CancelledError());
        }
      }
      for (const job of this.#takeQueue()) this.#settle(job, false, new CancelledError());
    }
    this.#progress();
    if (options.wait === false || this.#workers.length === 0) return;
    await new Promise<void>((resolve) => this.#drained.push(resolve));
  }

  /** `await using pool = new WorkerExecutor()` shuts it down (waiting) at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /**
   * @ignore Cancel `job` (what `_submit` returned): taken back if it has
   * not started; if it runs, its Worker is terminated.
   */
  _cancel(handle: object): void {
    const job = handle as Job;
    if (job.life === PENDING_JOB) {
      this.#settle(job, false, new CancelledError()); // the queue drops it when it comes up
    } else if (job.life === SENT) {
      const w = job.worker!;
      if (this.#takeBack(w, job)) {
        this.#settle(job, false, new CancelledError());
      } else if (this.#kill(w, job)) {
        this.#settle(job, false, new CancelledError());
        this.#retire(w, null);
      } else {
        // Finished already: its result is on its way, and is dropped.
        w.held.delete(job.id);
        this.#settle(job, false, new CancelledError());
      }
    }
    this.#progress();
  }

  /** Give queued jobs to Workers: an idle one, a new one, or the least busy. */
  #dispatch(): void {
    const queue = this.#queue;
    while (this.#queueHead < queue.length) {
      const job = queue[this.#queueHead];
      if (job.life !== PENDING_JOB) {
        queue[this.#queueHead++] = undefined as never;
        continue;
      }
      const w = this.#pick(job.pinned);
      if (w === null) break;
      queue[this.#queueHead++] = undefined as never;
      if (!this.#send(w, job)) {
        queue[--this.#queueHead] = job; // pinned now: it waits for an idle Worker
      }
    }
    if (this.#queueHead === queue.length) {
      queue.length = 0;
      this.#queueHead = 0;
    } else if (this.#queueHead > 1024 && this.#queueHead * 2 > queue.length) {
      queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
  }

  /**
   * An idle Worker, else a new one (while fewer than `maxWorkers`), as
   * CPython's `_adjust_thread_count`; else, unless `pinned`, the one
   * holding the fewest jobs, if it can take one more.
   */
  #pick(pinned: boolean): PoolWorker | null {
    let best: PoolWorker | null = null;
    for (const w of this.#workers) {
      const n = w.held.size;
      if (n === 0) return w;
      if (!pinned && (best === null || n < best.held.size) && hasRoom(w)) best = w;
    }
    if (this.#workers.length < this.maxWorkers) return this.#spawn();
    return best;
  }

  /** Write `job` to `w`'s channel: false if it needs the side port and `w` is busy. */
  #send(w: PoolWorker, job: Job): boolean {
    const fnId = job.fnId;
    if (w.defined[fnId] !== true) {
      w.jobs.writeValue(OP_DEFINE, fnId, 0, namedById[fnId], null, true);
      w.defined[fnId] = true;
    }
    const id = w.nextId;
    Atomics.store(w.states, id % DEPTH, tag(id, QUEUED));
    try {
      if (!w.jobs.writeArgs(job.op, id, fnId, job.args, job.transfer, w.held.size === 0)) {
        job.pinned = true;
        return false;
      }
    } catch (error) { // arguments that cannot be cloned
      this.#settle(job, false, error);
      return true;
    }
    w.nextId = (id + 1) & 0x0fffffff;
    job.life = SENT;
    job.worker = w;
    job.id = id;
    w.held.set(id, job);
    this.#wait(w);
    return true;
  }

  #spawn(): PoolWorker {
    const worker = new Worker(WORKER_URL, { type: "module" });
    liveWorkers++;
    const jobs = channelTo(() => worker.postMessage(null)); // it parked: ring
    const results = channelFrom();
    const states = new SharedArrayBuffer(DEPTH * 4);
    const { port1, port2 } = new NodeMessageChannel();
    const w: PoolWorker = {
      worker,
      jobs: jobs.writer,
      results: results.reader,
      states: new Int32Array(states),
      lifeline: port1 as unknown as PoolWorker["lifeline"],
      held: new Map(),
      nextId: 0,
      defined: [],
      waiting: false,
      gone: false,
      onResults: () => this.#onResults(w),
    };
    // The Worker's end of the lifeline closes when it ends, however it
    // ends: a Worker that calls close() or Deno.exit() says nothing else.
    w.lifeline.on("message", () => {});
    w.lifeline.on("close", () => this.#lost(w, null));
    w.lifeline.unref();
    // An error the Worker did not catch (one of its callbacks threw, it
    // cannot load): it ends; fail its job and replace it, rather than let
    // the error end this thread.
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#lost(w, event.error ?? new Error(event.message));
    };
    const setup: PoolSetup = {
      jobs: jobs.end,
      results: results.end,
      states,
      lifeline: port2 as unknown as MessagePort,
    };
    worker.postMessage(setup, [jobs.end.port, results.end.port, setup.lifeline]);
    this.#workers.push(w);
    return w;
  }

  /** Sleep until `w` writes results, if it holds jobs and no wait is pending. */
  #wait(w: PoolWorker): void {
    if (w.waiting || w.gone || w.held.size === 0) return;
    const wait = w.results.waitAsync();
    if (wait === null) queueMicrotask(w.onResults);
    else void wait.then(w.onResults);
    w.waiting = true;
  }

  #onResults(w: PoolWorker): void {
    w.waiting = false;
    if (w.gone) return;
    this.#read(w);
    this.#progress();
  }

  /** Settle the jobs whose results `w` wrote. */
  #read(w: PoolWorker): void {
    const results = w.results;
    while (results.next()) {
      const job = w.held.get(results.a);
      if (job === undefined) continue; // cancelled while it finished
      w.held.delete(results.a);
      const value = results.value();
      if (results.op === OP_OK) this.#settle(job, true, value);
      else this.#settle(job, false, rebuildError(value as ErrorShape));
    }
  }

  /** After jobs finished or moved: keep every Worker busy, end the idle ones after shutdown. */
  #progress(): void {
    this.#balance();
    this.#dispatch();
    // Backwards: #retire takes a Worker out of the list.
    for (let i = this.#workers.length - 1; i >= 0; i--) {
      const w = this.#workers[i];
      if (w.held.size > 0) this.#wait(w);
      else if (this.#shutdown && this.#queueHead === this.#queue.length) this.#retire(w, null);
    }
    this.#checkDrained();
  }

  /**
   * An idle Worker takes the oldest job still waiting behind a busy one
   * (jobs start in the order submitted, and none waits while a Worker has
   * nothing to do).
   */
  #balance(): void {
    for (const idle of this.#workers) {
      if (idle.held.size > 0) continue;
      for (;;) {
        let oldest: Job | null = null;
        for (const w of this.#workers) {
          if (w === idle) continue;
          for (const job of w.held.values()) {
            if (job.pinned || Atomics.load(w.states, job.id % DEPTH) !== tag(job.id, QUEUED)) {
              continue;
            }
            if (oldest === null || job.seq < oldest.seq) oldest = job;
            break;
          }
        }
        if (oldest === null) return;
        if (!this.#takeBack(oldest.worker!, oldest)) continue; // it started meanwhile
        oldest.life = PENDING_JOB;
        this.#send(idle, oldest);
        break;
      }
    }
  }

  /** Take `job` back from `w` if it has not started: true if taken. */
  #takeBack(w: PoolWorker, job: Job): boolean {
    const slot = job.id % DEPTH;
    if (
      Atomics.compareExchange(w.states, slot, tag(job.id, QUEUED), tag(job.id, REVOKED)) !==
        tag(job.id, QUEUED)
    ) {
      return false;
    }
    w.held.delete(job.id);
    job.worker = null;
    return true;
  }

  /** Mark `job`, running on `w`, killed: true if it was still running. */
  #kill(w: PoolWorker, job: Job): boolean {
    const slot = job.id % DEPTH;
    if (
      Atomics.compareExchange(w.states, slot, tag(job.id, RUNNING), tag(job.id, KILLED)) !==
        tag(job.id, RUNNING)
    ) {
      return false;
    }
    w.held.delete(job.id);
    return true;
  }

  /** `w` died (`cause`: its uncaught error, if any): fail what it ran, requeue what it had not started. */
  #lost(w: PoolWorker, cause: unknown): void {
    if (w.gone) return;
    this.#read(w); // what it finished before it died
    this.#retire(w, cause);
    this.#progress();
  }

  /**
   * End `w`: the jobs it holds that have not started go back to the front
   * of the queue; one that runs (only when `w` died) fails.
   */
  #retire(w: PoolWorker, cause: unknown): void {
    const back: Job[] = [];
    for (const job of [...w.held.values()]) {
      if (this.#takeBack(w, job)) {
        job.life = PENDING_JOB;
        back.push(job);
      } else {
        w.held.delete(job.id);
        const error = new RuntimeError(
          "A Worker of the pool ended abruptly while running this job" +
            (cause === null ? " (it called close() or Deno.exit())" : `: ${String(cause)}`),
        );
        if (cause !== null) (error as Error & { cause?: unknown }).cause = cause;
        this.#settle(job, false, error);
      }
    }
    this.#end(w);
    if (back.length > 0) {
      this.#queue.splice(this.#queueHead, 0, ...back);
    }
  }

  /** Terminate `w` and forget it. */
  #end(w: PoolWorker): void {
    if (w.gone) return;
    w.gone = true;
    // STOP wakes it if it sleeps in Atomics.wait, which terminate() does not interrupt.
    w.jobs.write(OP_STOP, 0, 0);
    w.worker.terminate();
    liveWorkers--;
    w.lifeline.close();
    w.jobs.close();
    w.results.close();
    if (w.waiting) w.results.wake(); // let the pending waitAsync go
    const i = this.#workers.indexOf(w);
    if (i >= 0) this.#workers.splice(i, 1);
  }

  #takeQueue(): Job[] {
    const jobs = this.#queue.slice(this.#queueHead).filter((job) => job.life === PENDING_JOB);
    this.#queue.length = 0;
    this.#queueHead = 0;
    return jobs;
  }

  /** Call `job`'s `onDone`, once. */
  #settle(job: Job, ok: boolean, value: unknown): void {
    if (job.life === SETTLED) return;
    job.life = SETTLED;
    job.worker = null;
    job.args = EMPTY;
    job.transfer = null;
    job.onDone(ok, value);
  }

  #checkDrained(): void {
    if (!this.#shutdown || this.#workers.length > 0) return;
    for (const resolve of this.#drained.splice(0)) resolve();
  }
}

const EMPTY: unknown[] = [];

/**
 * True if `w` can take its next job: its state word (`nextId % DEPTH`) is
 * not the word of a job it still holds, which is so while the oldest job
 * it holds is fewer than DEPTH numbers back (jobs taken back leave gaps).
 */
function hasRoom(w: PoolWorker): boolean {
  if (w.held.size === 0) return true;
  const oldest = w.held.keys().next().value as number;
  return ((w.nextId - oldest) & 0x0fffffff) < DEPTH;
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
    // As CPython's close(): shutdown(wait=False), so idle Workers end now
    // and running or queued work still finishes; run() waits for it first.
    loop._closeHooks.push(() => void made.executor?.shutdown({ wait: false }));
    loops.set(loop, made);
    state = made;
  }
  return state;
}

/**
 * Complete `fut` on its loop's thread (a loop callback), unless it is done:
 * a job cancelled in the pool cancels it, as CPython's `_copy_future_state`.
 */
function settleFuture(fut: Future<unknown>, ok: boolean, value: unknown): void {
  if (fut.done()) return;
  if (ok) fut.setResult(value);
  else if (value instanceof CancelledError) fut.cancel();
  else fut.setException(value);
}

/** @ignore The body of `loop.runInExecutor`. */
export function _runInExecutor<T>(
  loop: EventLoop,
  executor: WorkerExecutor | null,
  fn: WorkerFunction,
  args: unknown[],
  context: [string, unknown][] | null = null,
): Future<T> {
  if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
  if (executor === null || executor === undefined) {
    const state = stateOf(loop);
    if (state.shutdownCalled) throw new RuntimeError("Executor shutdown has been called");
    executor = state.executor ??= new WorkerExecutor();
  } else if (!(executor instanceof WorkerExecutor)) {
    throw new TypeError(`executor must be a WorkerExecutor or null, got ${shortRepr(executor)}`);
  }
  const fut = loop.createFuture<T>();
  // As CPython's wrap_future: the outcome is set by a loop callback, which
  // the pool schedules when it reads the result. Work in flight is time a
  // virtual clock must not skip.
  loop._externalWaits++;
  let job: object;
  try {
    job = executor._submit(fn, args, (ok, value) => {
      loop._externalWaits--;
      if (!loop.isClosed() && !fut.done()) loop.callSoonThreadsafe(settleFuture, fut, ok, value);
    }, context);
  } catch (error) {
    loop._externalWaits--;
    throw error;
  }
  const pool = executor;
  fut.addDoneCallback(() => {
    if (fut.cancelled()) pool._cancel(job);
  });
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
  // Waiting for Workers is time a virtual clock must not skip.
  loop._externalWaits++;
  executor.shutdown({ wait: true }).then(() => {
    loop._externalWaits--;
    if (!loop.isClosed() && !done.done()) {
      loop.callSoonThreadsafe(settleFuture, done, true, undefined);
    }
  });
  // As CPython 3.12's: past the timeout, warn and stop waiting; the pool
  // (already shut down) still finishes its work, then its Workers end.
  const timer = timeout === null ? null : loop.callLater(timeout, () => {
    if (done.done()) return;
    console.warn(
      `The executor did not finishing joining its threads within ${timeout} seconds.`,
    );
    done.setResult();
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
// ---- Calls from a Worker into a loop: loopPort, callSoonThreadsafe,
// runCoroutineThreadsafe; ConcurrentFuture, wrapFuture ------------------
//
// A Worker and the loop's thread share no objects, so calls cross on two
// channels (lib/_channel.ts) that the Worker's end (LoopClient) opens on
// first use, sending their ends through the port `loopPort(loop)` made:
// its calls, which the loop's end reads when woken (Atomics.waitAsync) and
// turns into loop callbacks in the order made, and the replies, which the
// Worker reads either blocked in `result(timeout)` (Atomics.wait) or, when
// parked, on a doorbell message through the same port. A call and a
// callSoonThreadsafe from one Worker thus reach the loop in the order made,
// as CPython's call_soon_threadsafe queue keeps them.
//
// Records, Worker → loop: DEFINE a=fnId payload [module, name] (before its
// first use); SOON b=fnId payload args; CORO a=call id, b=fnId, payload
// args; CANCEL a=call id. Loop → Worker: OK a=call id payload value; ERR
// a=call id payload ErrorShape; CANCELLED a=call id; CLOSED (the loop
// closed: every call still pending fails, later ones throw).

const CALL_DEFINE = 1;
const CALL_SOON = 2;
const CALL_CORO = 3;
const CALL_CANCEL = 4;
const REPLY_OK = 5;
const REPLY_ERR = 6;
const REPLY_CANCELLED = 7;
const REPLY_CLOSED = 8;

/** What a Worker's end sends first through a loopPort. */
interface Handshake {
  calls: ChannelEnd;
  replies: ChannelEnd;
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
 * `callSoonThreadsafe` and `runCoroutineThreadsafe`: transfer it to the
 * Worker (`worker.postMessage(port, [port])`). What comes through it runs
 * on `loop`, in the order the Worker made the calls; it lives until the
 * loop closes, and calls still pending then fail with a `RuntimeError`.
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
  port1.onmessage = (event: MessageEvent<Handshake>) => {
    port1.onmessage = null;
    if (loop.isClosed()) return;
    new LoopServer(loop, port1, event.data);
  };
  // Until a Worker uses the port, the loop's close only closes it.
  loop._closeHooks.push(() => port1.onmessage !== null && port1.close());
  return port2;
}

/** The loop's end of a Worker's calls: it reads them and writes the replies. */
class LoopServer {
  #loop: EventLoop;
  #port: MessagePort;
  #calls: ChannelReader;
  #replies: ChannelWriter;
  // By the Worker's fnId (its own numbering): the function (or whatever
  // the module exports under that name), and the name.
  #fns: unknown[] = [];
  #named: Array<[string, string]> = [];
  #tasks = new Map<number, Task<unknown>>();
  #closed = false;
  #onCalls = () => this.#read();

  constructor(loop: EventLoop, port: MessagePort, handshake: Handshake) {
    this.#loop = loop;
    this.#port = port;
    this.#calls = new ChannelReader(handshake.calls);
    this.#replies = new ChannelWriter(
      handshake.replies.port,
      () => port.postMessage(null), // the Worker parked: ring
      handshake.replies.segment,
    );
    loop._closeHooks.push(() => this.#close());
    this.#read();
  }

  /**
   * Turn the calls published so far into loop callbacks, in order. If there
   * were some, read again as a callback of the next iteration (more may
   * come meanwhile); sleep only when a read finds none, since each sleep
   * costs the Worker a wake-up call.
   */
  #read(): void {
    if (this.#closed) return;
    const calls = this.#calls;
    const loop = this.#loop;
    let any = false;
    while (calls.next()) {
      any = true;
      const op = calls.op;
      if (op === CALL_SOON) {
        const fn = this.#fns[calls.b];
        const args = calls.args();
        if (typeof fn === "function") loop._callSoonArgs(fn as Callback, args);
        else loop.callSoonThreadsafe(missing, this.#named[calls.b]);
      } else if (op === CALL_CORO) {
        loop.callSoonThreadsafe(this.#start, calls.a, calls.b, calls.args());
      } else if (op === CALL_CANCEL) {
        loop.callSoonThreadsafe(this.#cancel, calls.a);
      } else if (op === CALL_DEFINE) {
        const [module, name] = calls.value() as [string, string];
        const fnId = calls.a;
        this.#named[fnId] = [module, name];
        const mod = modules.get(module);
        if (mod !== undefined) {
          this.#fns[fnId] = mod[name];
          continue;
        }
        // Later calls wait for the module, so that they keep their order.
        loadModule(module).then(
          (loaded) => this.#fns[fnId] = loaded[name],
          () => this.#fns[fnId] = undefined,
        ).then(this.#onCalls);
        return;
      }
    }
    if (any) {
      loop.callSoonThreadsafe(this.#onCalls);
      return;
    }
    const wait = calls.waitAsync();
    if (wait === null) queueMicrotask(this.#onCalls);
    else void wait.then(this.#onCalls);
  }

  #start = (id: number, fnId: number, args: unknown[]): void => {
    const fn = this.#fns[fnId];
    const [module, name] = this.#named[fnId];
    const task = this.#loop.createTask(async () => {
      if (typeof fn !== "function") {
        throw new TypeError(`${module} has no exported function named '${name}'`);
      }
      return await fn(...args);
    });
    this.#tasks.set(id, task);
    task.addDoneCallback(() => {
      this.#tasks.delete(id);
      if (this.#closed) return;
      if (task.cancelled()) this.#replies.write(REPLY_CANCELLED, id, 0);
      else if (task.exception() !== null) this.#replyError(id, task.exception());
      else {
        const value = task.result();
        try {
          if (isTransfer(value)) {
            this.#replies.writeValue(REPLY_OK, id, 0, value.value, value.list, true);
          } else this.#replies.writeValue(REPLY_OK, id, 0, value, null, true);
        } catch (error) { // a result that cannot be cloned
          this.#replyError(id, error);
        }
      }
    });
  };

  #cancel = (id: number): void => {
    this.#tasks.get(id)?.cancel();
  };

  #replyError(id: number, error: unknown): void {
    this.#replies.writeValue(REPLY_ERR, id, 0, describeError(error), null, true);
  }

  #close(): void {
    this.#closed = true;
    this.#replies.write(REPLY_CLOSED, 0, 0);
    this.#replies.close();
    this.#calls.wake(); // let the pending waitAsync go
    this.#calls.close();
    this.#port.close();
  }
}

type Callback = (...args: unknown[]) => unknown;

/** A SOON call whose function the module does not export: the loop's exception handler says so. */
function missing(named: [string, string]): never {
  throw new TypeError(`${named[0]} has no exported function named '${named[1]}'`);
}

/** A call on the loop's own thread: the named export, imported once, as a task. */
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

/** Deno's MessagePort, which, as Node's, can stop keeping the thread alive. */
type RefPort = MessagePort & { ref(): void; unref(): void };

/** A Worker's end of a `loopPort`: its calls in flight, and the waits. */
class LoopClient {
  #port: RefPort;
  #calls: ChannelWriter;
  #replies: ChannelReader;
  #defined: boolean[] = [];
  #pending = new Map<number, ConcurrentFuture<unknown>>();
  #nextId = 0;
  #closed = false;

  constructor(port: MessagePort) {
    this.#port = port as RefPort;
    const calls = channelTo(() => {}); // the loop's end never parks
    const replies = channelFrom();
    this.#calls = calls.writer;
    this.#replies = replies.reader;
    const handshake: Handshake = { calls: calls.end, replies: replies.end };
    port.postMessage(handshake, [calls.end.port, replies.end.port]);
    // A doorbell: replies came while this thread was parked.
    port.onmessage = () => this.#read();
    this.#port.unref();
  }

  /** Queue `fn(...args)` as a loop callback. */
  soon(fn: WorkerFunction, args: unknown[]): void {
    const fnId = functionId(fn);
    if (this.#replies.hasNext()) this.#read(); // the loop may have closed
    if (this.#closed) throw new RuntimeError("Event loop is closed");
    if (this.#defined[fnId] !== true) this.#define(fnId);
    const moved = args.length === 0 ? null : unwrapTransfers(args);
    if (moved === null) this.#calls.writeArgs(CALL_SOON, 0, fnId, args, null, true);
    else this.#calls.writeArgs(CALL_SOON, 0, fnId, moved.args, moved.list, true);
  }

  submit<T>(fnId: number, args: unknown[]): ConcurrentFuture<T> {
    const fut = new ConcurrentFuture<T>();
    if (this.#replies.hasNext()) this.#read(); // the loop may have closed
    if (this.#closed) {
      fut.setException(new RuntimeError("Event loop is closed"));
      return fut;
    }
    const id = this.#nextId++;
    if (this.#defined[fnId] !== true) this.#define(fnId);
    const moved = unwrapTransfers(args);
    try {
      if (moved === null) this.#calls.writeArgs(CALL_CORO, id, fnId, args, null, true);
      else this.#calls.writeArgs(CALL_CORO, id, fnId, moved.args, moved.list, true);
    } catch (err) { // arguments that cannot be cloned
      fut.setException(err);
      return fut;
    }
    const untyped = fut as unknown as ConcurrentFuture<unknown>;
    this.#pending.set(id, untyped);
    // While calls are in flight the port keeps this thread alive, not after.
    if (this.#pending.size === 1) this.#port.ref();
    fut._bind(() => {
      this.#forget(id);
      if (!this.#closed) this.#calls.write(CALL_CANCEL, id, 0);
    }, (deadline) => this.#waitFor(untyped, deadline));
    this.#park();
    return fut;
  }

  #define(fnId: number): void {
    this.#calls.writeValue(CALL_DEFINE, fnId, 0, namedById[fnId], null, true);
    this.#defined[fnId] = true;
  }

  #forget(id: number): void {
    if (this.#pending.delete(id) && this.#pending.size === 0) this.#port.unref();
  }

  /** Settle the futures whose replies are there. */
  #read(): void {
    const replies = this.#replies;
    while (!this.#closed && replies.next()) {
      const op = replies.op;
      if (op === REPLY_CLOSED) {
        this.#closed = true;
        const pending = [...this.#pending.values()];
        this.#pending.clear();
        this.#port.unref();
        this.#port.close();
        this.#calls.close();
        replies.close();
        for (const fut of pending) {
          fut.setException(new RuntimeError("Event loop closed before the coroutine finished"));
        }
        return;
      }
      const fut = this.#pending.get(replies.a);
      if (fut === undefined) continue; // cancelled here already
      this.#forget(replies.a);
      if (op === REPLY_CANCELLED) fut.cancel();
      else if (op === REPLY_OK) fut.setResult(replies.value());
      else fut.setException(rebuildError(replies.value() as ErrorShape));
    }
    this.#park();
  }

  /** Wait for the doorbell while calls are in flight. */
  #park(): void {
    if (!this.#closed && this.#pending.size > 0 && !this.#replies.park()) {
      queueMicrotask(() => this.#read());
    }
  }

  /** Block until `fut` is done or `deadline` passes (see the notes above). */
  #waitFor(fut: ConcurrentFuture<unknown>, deadline: number): void {
    for (;;) {
      this.#read();
      const left = deadline - performance.now();
      if (fut.done() || left <= 0) return;
      this.#replies.waitSync(left === Infinity ? Infinity : left);
    }
  }
}

const clients = new WeakMap<MessagePort, LoopClient>();

function clientOf(port: MessagePort): LoopClient {
  let client = clients.get(port);
  if (client === undefined) clients.set(port, client = new LoopClient(port));
  return client;
}

/**
 * From a Worker, run the exported function `fn` with `args` as a callback
 * on the loop whose `loopPort` this Worker was given, as soon as it can: a
 * plain call, in the loop's order, with no result coming back (its errors
 * go to the loop's exception handler). Calls from one Worker (with its
 * `runCoroutineThreadsafe` calls) run in the order made. The arguments are
 * copied (or moved with `transfer()`) as `runInExecutor`'s are; calls made
 * in a burst cross together, so a Worker can make millions a second.
 *
 * Mirrors `loop.call_soon_threadsafe`, with the loop's port in place of the
 * loop and a named function in place of the callback. It returns nothing:
 * a `Handle` lives on the loop's thread.
 * @throws {TypeError} if `fn` is not a `WorkerFunction`.
 * @throws {RuntimeError} if the loop has closed.
 * @example
 * ```ts
 * import { getRunningLoop, loopPort, run } from "@asyncio/deno";
 * // The callback, run on the loop's thread: it settles what the loop awaits.
 * const greet = { module: "data:text/javascript,export const f = (s) => globalThis.greeted(s);", name: "f" };
 * const worker = new Worker(
 *   `data:text/javascript,import { callSoonThreadsafe } from "${import.meta.resolve("@asyncio/deno")}";
 *   onmessage = (e) => callSoonThreadsafe(e.data, ${JSON.stringify(greet)}, "hi");`,
 *   { type: "module" },
 * );
 * const said = await run(async () => {
 *   const fut = getRunningLoop().createFuture<string>();
 *   Object.assign(globalThis, { greeted: (s: string) => fut.setResult(s) });
 *   const port = loopPort();
 *   worker.postMessage(port, [port]);
 *   return await fut;
 * });
 * worker.terminate();
 * console.assert(said === "hi");
 * ```
 */
export function callSoonThreadsafe(
  loop: MessagePort,
  fn: WorkerFunction,
  ...args: unknown[]
): void {
  const client = clients.get(loop);
  if (client !== undefined) return client.soon(fn, args);
  functionId(fn); // a bad `fn` throws before a client is made
  if (!(loop instanceof MessagePort)) {
    throw new TypeError(
      "callSoonThreadsafe(port, fn, ...args) takes a loopPort; on the loop's thread use loop.callSoonThreadsafe",
    );
  }
  clientOf(loop).soon(fn, args);
}

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
  const fnId = functionId(fn);
  if (loop instanceof MessagePort) return clientOf(loop).submit<T>(fnId, args);
  const [module, name] = namedById[fnId];
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
