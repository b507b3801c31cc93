/**
 * The event loop, as CPython's `asyncio/base_events.py`: one ready queue,
 * one timer heap, and `_runOnce`-style iterations driven from inside Deno's
 * own event loop.
 * @module
 */
import { type Clock, RealClock } from "./clock.ts";
import { _QueuedHandle, Handle, TimerHandle } from "./events.ts";
import { type Callback, ReadyQueue } from "./_ready.ts";
import { TaskList } from "./_task_list.ts";
import { NotImplementedError, RuntimeError } from "./exceptions.ts";
import { Future } from "./futures.ts";
import { DUE, PENDING, TimerTable } from "./_timers.ts";
import { _getRunningLoopOrNull, _setRunningLoop, _taskContext } from "./_running.ts";
import {
  type CoroutineLike,
  type CreateTaskOptions,
  Task,
  type TaskFactory,
  type TaskOptions,
} from "./tasks.ts";
import { CallbackOptions, Context } from "./contextvars.ts";
import {
  batchEnds,
  batchStarts,
  capture,
  enter,
  type Held,
  leave,
  used as contextsUsed,
} from "./_context.ts";
import { type TraceEvent, type TraceListener, Tracer } from "./trace.ts";
import type { LoopWatch } from "./_watch.ts";
import { _monitorFromEnv } from "./_monitor_env.ts";
import { pyRepr, shortRepr, stackFrames } from "./_util.ts";
import { OutsideSteps } from "./_outside.ts";
import {
  _runInExecutor,
  _setDefaultExecutor,
  _shutdownDefaultExecutor,
  type WorkerExecutor,
  type WorkerFunction,
} from "./threads.ts";
import { _addSignalHandler, _removeSignalHandler } from "./unix_events.ts";
import { _addWatch, _removeWatch } from "./selector_events.ts";
import type { FileObject } from "./selectors.ts";
import type { BaseProtocol, DatagramProtocol, SubprocessProtocol } from "./protocols.ts";
import type { Server } from "./servers.ts";
import type { DatagramTransport, SubprocessTransport, Transport } from "./transports.ts";
import {
  connectTcp,
  connectUnix,
  listenTcp,
  listenUnix,
  onLoop,
  sendfileFallback,
} from "./_network.ts";
import { createDatagramEndpoint } from "./_datagram.ts";
import { bindOnRead, bindSubclassMethods } from "./_bound.ts";
import { _checkExecArgs, PIPE, type SubprocessPipeOptions } from "./subprocess.ts";
import { subprocessExec } from "./_subprocess.ts";
import type { Socket } from "./socket.ts";
import {
  type AddrInfo,
  getaddrinfo,
  type GetAddrInfoOptions,
  getnameinfo,
  type SockAddr,
} from "./_resolve.ts";

/** TLS options of a client: `true` for the system's roots. */
export type ClientTlsOptions = boolean | {
  /** PEM certificates to trust (beside the system's roots). */
  caCerts?: string[];
  /** The name to check the server's certificate against (default: `host`). */
  hostname?: string;
};

/**
 * Options of `loop.createServer` and `loop.createUnixServer` (`reusePort`,
 * `ssl`, `family`, `flags` and `sock`: TCP only).
 */
export interface CreateServerOptions {
  /** Resolve `host` for this family only (`AF_INET`, `AF_INET6`; default both). */
  family?: number;
  /** getaddrinfo flags for `host` (default `AI_PASSIVE`). */
  flags?: number;
  /**
   * Serve on this `Socket` (bound with `sock.bind()`, or bound to a free
   * port here) instead of `host`/`port`, which must be `null`; the server
   * takes it over.
   */
  sock?: Socket | null;
  /** Let several listeners share the port (Linux `SO_REUSEPORT`). TCP only. */
  reusePort?: boolean;
  /** Serve TLS with this PEM certificate chain and key. TCP only. */
  ssl?: { cert: string; key: string };
  /**
   * Accept connections at once (default true); else at `startServing()`.
   * Unlike asyncio, the socket listens from the start either way (Deno
   * cannot bind without listening): early clients wait in the backlog.
   */
  startServing?: boolean;
}

/** Options of `loop.createConnection`, as asyncio's keyword arguments. */
export interface CreateConnectionOptions {
  /** Connect over TLS (`true`: check the server against the system's roots). */
  ssl?: ClientTlsOptions;
  /** Resolve `host` for this family only (`AF_INET`, `AF_INET6`; default both). */
  family?: number;
  /** The protocol for getaddrinfo (default 0). */
  proto?: number;
  /** getaddrinfo flags for `host` (`AI_*`, default 0). */
  flags?: number;
  /**
   * Use this connected `Socket` (see `loop.sockConnect`) instead of
   * `host`/`port`, which must be `null`; the transport takes it over.
   */
  sock?: Socket | null;
  /**
   * Not available: Deno cannot bind a socket before connecting it, so any
   * value throws `NotImplementedError`.
   */
  localAddr?: SockAddr | null;
  /**
   * Happy eyeballs (RFC 8305): start the next address's connect when the
   * last fails or this many seconds pass; the first to connect wins. CPython
   * suggests 0.25.
   */
  happyEyeballsDelay?: number | null;
  /**
   * Reorder the addresses by family: this many of the first family, then
   * alternate (default 1 with `happyEyeballsDelay`, else none).
   */
  interleave?: number | null;
  /** Throw every connect error as an `ExceptionGroup` when all fail (3.12). */
  allErrors?: boolean;
}

/**
 * Options of `loop.createDatagramEndpoint`: Python's keyword arguments.
 * At least one of `localAddr`, `remoteAddr` and `family` is needed.
 */
export interface CreateDatagramEndpointOptions {
  /** Bind to this `[host, port]` (port 0: any free port); default any port. */
  localAddr?: [string, number] | null;
  /**
   * Connect to this `[host, port]`: `sendto` then needs no address, and
   * only its datagrams are received.
   */
  remoteAddr?: [string, number] | null;
  /**
   * Linux's `AF_INET` (2) or `AF_INET6` (10), as Python's `socket`; 0
   * (default) takes it from the address (IPv6 if it has a `:`).
   */
  family?: number;
  /** Set `SO_REUSEADDR` before binding. */
  reuseAddr?: boolean;
  /** Set `SO_REUSEPORT` before binding (several endpoints share the port). */
  reusePort?: boolean;
  /** Allow sending to broadcast addresses (`SO_BROADCAST`). */
  allowBroadcast?: boolean;
}

/** What a loop is made with. */
export interface EventLoopOptions {
  /** The clock; the real clock by default, a `VirtualClock` for instant runs. */
  clock?: Clock;
  /** Start in debug mode (see `setDebug`). */
  debug?: boolean;
}

/**
 * What goes to the exception handler: `message`, and where known the
 * `exception`, the `handle`, `future` or `task` concerned.
 */
export interface ExceptionContext {
  /** What happened, e.g. `Exception in callback boom()`. */
  message: string;
  /** The error, if there is one. */
  exception?: unknown;
  /** The handle whose callback failed. */
  handle?: Handle;
  /** The future (or task) whose exception nobody retrieved. */
  future?: Future<unknown>;
  /** The task concerned. */
  task?: Task<unknown>;
  /** Anything else worth printing. */
  [key: string]: unknown;
}

/** A loop-wide exception handler. Mirrors the handler of `loop.set_exception_handler`. */
export type ExceptionHandler = (loop: EventLoop, context: ExceptionContext) => void;

// As CPython base_events.py: purge cancelled timers when they are more than
// half of a heap of at least 100.
const MIN_SCHEDULED_TIMER_HANDLES = 100;
const MAX_CANCELLED_TIMER_HANDLES_FRACTION = 0.5;
// While callbacks keep the loop busy, give Deno's event loop a turn (I/O,
// host timers) at least this often, in milliseconds of real time.
const HOST_SLICE_MS = 2;
// A loop busy for this long without waiting for anything (milliseconds)
// lets Deno's runtime park once, so that sockets progress; costs ~2 ms.
const HOST_PARK_MS = 20;
// Reading the real time costs ~80 ns, so look at it only every this many
// iterations.
const HOST_CHECK_EVERY = 64;
const EMPTY: readonly unknown[] = Object.freeze([]);
// What `#runBatch` returns when a callback started an eager task that has
// not suspended yet: wait for it as for a step.
const EAGER_OPEN: unique symbol = Symbol("eager step open");
// The longest host timer the loop arms while idle: one day, in milliseconds.
const MAX_IDLE_MS = 24 * 3600 * 1000;
// What `then` queues a loop's microtask on: a job and the promise `then`
// returns (Deno's `queueMicrotask` wraps the callback in a closure of its own).
const RESOLVED: Promise<void> = Promise.resolve();
// Public methods that stay plain prototype methods, not bound to the loop
// (see lib/_bound.ts): those called once per callback, timer or task.
const PLAIN_METHODS: ReadonlySet<string> = new Set([
  "callSoon",
  "callSoonThreadsafe",
  "callLater",
  "callAt",
  "time",
  "isClosed",
  "isRunning",
  "getDebug",
]);

// Invariants, checked by the code below:
// - Only `#runBatch` and the step runner in `runForever` call callbacks;
//   everything else only appends to `_ready` or pushes onto `_scheduled`.
// - An iteration runs exactly the handles that were in `_ready` when it
//   began (they move to `_batch`); what they schedule waits for the next.
//   `_gen` counts the moves: a queued `callSoon` handle of generation
//   `_gen` is in `_ready`, of `_gen - 1` in `_batch`, else it has run.
// - `_scheduled` keeps each timer in a slot until it has run: in its heap
//   while pending, then (due) in the running batch; a handle finds it by
//   `_slot` while the slot holds its `_seq`. `_timerCancelledCount` counts
//   the cancelled timers still in the heap.
// - While a task's step runs, `_stepTask` is that task and `runForever`
//   waits until the task suspends on a loop future or settles (or, failing
//   both, until the microtask queue drains: the task awaits something the
//   loop does not own, and is counted in `_externalWaits` until it comes
//   back).
/**
 * An asyncio event loop.
 *
 * Mirrors `asyncio.BaseEventLoop`. JavaScript cannot block, so
 * `runForever()` and `runUntilComplete()` return promises. Its public
 * methods are bound to the loop, as Python's are, so they can be passed as
 * callbacks (`loop.callLater(2, loop.stop)`,
 * `loop.callSoon(loop.createTask, main)`); a subclass's overrides are bound
 * too. Not bound, so that they cost what a method call costs: `callSoon`,
 * `callSoonThreadsafe`, `callLater`, `callAt`, `time`, `isClosed`,
 * `isRunning`, `getDebug` (pass `() => loop.time()`).
 *
 * @example
 * ```ts
 * import { EventLoop } from "@asyncio/deno";
 * const loop = new EventLoop();
 * loop.callSoon(() => console.log("soon"));
 * loop.callLater(0.01, () => loop.stop());
 * await loop.runForever();
 * loop.close();
 * ```
 */
export class EventLoop {
  /** The clock this loop reads; `time()` is `clock.now()`. */
  readonly clock: Clock;
  /** In debug mode, callbacks slower than this (seconds) are reported. */
  slowCallbackDuration = 0.1;

  /** @ignore */
  _ready: ReadyQueue = new ReadyQueue();
  /** @ignore The handles of the running iteration, from `_batchPos` on. */
  _batch: ReadyQueue = new ReadyQueue();
  /** @ignore */
  _batchPos = 0;
  /** @ignore How many times `_ready` became `_batch` (wraps at 2^31). */
  _gen = 0;
  /** @ignore The pending timers (and those due in the running batch). */
  _scheduled: TimerTable = new TimerTable();
  /** @ignore */
  _timerCancelledCount = 0;
  /** @ignore The pending tasks (lib/_task_list.ts). */
  _tasks: TaskList = new TaskList();
  /** @ignore */
  _trace: Tracer | null = null;
  /** @ignore Tasks suspended on promises the loop does not own. */
  _externalWaits = 0;
  /**
   * @ignore A future settled a `then` that was no task's await (a
   * `Promise.race` of sleeps, a `.then` callback): promise reactions may be
   * pending, and code they resume may schedule work. A virtual clock does
   * not jump before they have run.
   */
  _reactionsPending = false;
  /** @ignore */
  _stepTask: Task<unknown> | null = null;
  /** @ignore */
  _closeHooks: Array<() => void> = [];
  /** @ignore Its public methods, bound to it on first read (lib/_bound.ts). */
  _bound: Record<string, unknown> | null = null;
  /** @ignore Eager tasks whose first step is still open (`Task._eagerOpen`). */
  _openEager = 0;
  /**
   * @ignore Socket reads wait their turn (`ReadSlots` in `_transports.ts`),
   * and the reads they wait for complete only once Deno polls its sockets:
   * the loop's host turns are then ones in which Deno can do that.
   */
  _readsQueued = false;
  /** @ignore A monitor's hooks (lib/_watch.ts) while one watches this loop, else null. */
  _watch: LoopWatch | null = null;
  /** @ignore The monitor started on this loop (lib/monitor.ts), if any. */
  _monitor: { close(): Promise<void> } | null = null;

  #timerSeq = 0;
  #stopping = false;
  #running = false;
  #closed = false;
  #debug = false;
  #iteration = 0;
  #exceptionHandler: ExceptionHandler | null = null;
  #taskFactory: TaskFactory | null = null;
  /** The options of a plain `createTask`: made once, not once a task. */
  readonly #onThisLoop: TaskOptions = Object.freeze({ loop: this });
  #stepDone: (() => void) | null = null;
  #wake: (() => void) | null = null;
  /** The host timer that ends an idle wait at the next deadline, if any. */
  #idleTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #drainId: ReturnType<typeof setImmediate> | null = null;
  #unretrieved = new Set<WeakRef<Future<unknown>>>();
  #outside: OutsideSteps | null = null;
  #envChecked = false;
  #finalizer = new FinalizationRegistry<
    { context: ExceptionContext; ref: WeakRef<Future<unknown>> }
  >((held) => {
    this.#unretrieved.delete(held.ref);
    this.callExceptionHandler(held.context);
  });

  /** Make a loop; see `EventLoopOptions`. Not running, not current. */
  constructor(options: EventLoopOptions = {}) {
    this.clock = options.clock ?? new RealClock();
    if (options.debug) this.setDebug(true);
    if (new.target !== EventLoop) {
      bindSubclassMethods(new.target, EventLoop.prototype, PLAIN_METHODS);
    }
  }

  /** The loop's time in seconds (monotonic). Mirrors `loop.time()`. */
  time(): number {
    return this.clock.now();
  }

  // ---- Scheduling -------------------------------------------------------

  /**
   * Run `callback(...args)` on the next iteration, after what is already
   * queued (FIFO).
   *
   * The callback runs in a copy of the current context (see `ContextVar`),
   * or in the `context` of a trailing `CallbackOptions`, which is not
   * passed to it.
   *
   * Mirrors `loop.call_soon`.
   * @returns a `Handle` whose `cancel()` stops the call.
   * @throws {TypeError} if `callback` is not a function.
   * @throws {RuntimeError} if the loop is closed.
   */
  callSoon<A extends unknown[]>(callback: (...args: A) => unknown, ...args: A): Handle;
  /** As above, run in the `context` of the trailing `CallbackOptions` (not passed on). */
  callSoon<A extends unknown[]>(
    callback: (...args: A) => unknown,
    ...argsAndOptions: [...A, CallbackOptions] | A
  ): Handle;
  callSoon(callback: (...args: never[]) => unknown): Handle {
    this.#checkCallback(callback, "callSoon");
    const args = packArgs(arguments, 1);
    // Nothing to look for without arguments, until contexts are in use.
    if (args === EMPTY && !contextsUsed && this._trace === null && !this.#debug) {
      const slot = this.#queue(callback as Callback, args);
      return new _QueuedHandle(callback as Callback, args, this, slot, this._gen);
    }
    return this.#callSoon(callback as Callback, args);
  }

  #callSoon(callback: Callback, packed: unknown): Handle {
    const options = optionsIn(packed);
    const args = options === null ? packed : dropOptions(packed);
    const context = options?.context ?? capture();
    if (this._trace !== null || this.#debug) {
      const handle = new Handle(callback as Callback, args, this);
      if (context !== null) handle._context = context;
      this.#enqueue(handle);
      return handle;
    }
    const slot = this.#queue(callback as Callback, args);
    const handle = new _QueuedHandle(callback as Callback, args, this, slot, this._gen);
    if (context !== null) {
      // The queue keeps the context beside the callback (a handle it held
      // would cost a scavenge-surviving object per callback).
      this._ready.setContext(slot, context);
      handle._context = context;
    }
    return handle;
  }

  /**
   * As `callSoon`, and safe from anywhere outside the loop's control (a
   * host timer, a promise callback, a signal listener, a worker message): it
   * wakes an idle loop at once.
   *
   * Mirrors `loop.call_soon_threadsafe`. JavaScript shares no memory
   * between threads, so "another thread" here means another callback of
   * Deno's event loop.
   */
  callSoonThreadsafe<A extends unknown[]>(
    callback: (...args: A) => unknown,
    ...args: A
  ): Handle;
  /** As above, run in the `context` of the trailing `CallbackOptions` (not passed on). */
  callSoonThreadsafe<A extends unknown[]>(
    callback: (...args: A) => unknown,
    ...argsAndOptions: [...A, CallbackOptions] | A
  ): Handle;
  callSoonThreadsafe(callback: (...args: unknown[]) => unknown, ...args: unknown[]): Handle {
    return this.callSoon(callback, ...args);
  }

  /**
   * Run `callback(...args)` after `delay` seconds. A delay of zero or less
   * means "due now" (but still after the ready queue). Equal deadlines run
   * in the order they were scheduled.
   *
   * Mirrors `loop.call_later`.
   * @throws {TypeError} if `delay` is not a finite number.
   */
  callLater<A extends unknown[]>(
    delay: number,
    callback: (...args: A) => unknown,
    ...args: A
  ): TimerHandle;
  /** As above, run in the `context` of the trailing `CallbackOptions` (not passed on). */
  callLater<A extends unknown[]>(
    delay: number,
    callback: (...args: A) => unknown,
    ...argsAndOptions: [...A, CallbackOptions] | A
  ): TimerHandle;
  callLater(
    delay: number,
    callback: (...args: never[]) => unknown,
  ): TimerHandle {
    checkTime(delay, "delay");
    const args = packArgs(arguments, 2);
    return this.#callAt(this.clock.now() + delay, callback, args, "callLater");
  }

  /**
   * Run `callback(...args)` at loop time `when` (seconds, as `time()`). A
   * past `when` means "due now".
   *
   * Mirrors `loop.call_at`.
   * @throws {TypeError} if `when` is not a finite number.
   */
  callAt<A extends unknown[]>(
    when: number,
    callback: (...args: A) => unknown,
    ...args: A
  ): TimerHandle;
  /** As above, run in the `context` of the trailing `CallbackOptions` (not passed on). */
  callAt<A extends unknown[]>(
    when: number,
    callback: (...args: A) => unknown,
    ...argsAndOptions: [...A, CallbackOptions] | A
  ): TimerHandle;
  callAt(
    when: number,
    callback: (...args: never[]) => unknown,
  ): TimerHandle {
    checkTime(when, "when");
    return this.#callAt(when, callback, packArgs(arguments, 2), "callAt");
  }

  #callAt(
    when: number,
    callback: (...args: never[]) => unknown,
    args: unknown,
    method: string,
  ): TimerHandle {
    this.#checkCallback(callback, method);
    let context: Held | null = null;
    // Nothing to look for without arguments, until contexts are in use.
    if (args !== EMPTY || contextsUsed) {
      const options = optionsIn(args);
      if (options !== null) args = dropOptions(args);
      context = options?.context ?? capture();
    }
    const seq = this.#timerSeq++;
    const slot = this._scheduled.add(when, seq, callback as Callback, args);
    const timer = new TimerHandle(when, seq, callback, args, this, slot);
    if (context !== null) {
      // The table keeps the handle, which knows the context.
      timer._context = context;
      this._scheduled.hold(slot, timer);
    }
    if (this._trace !== null || this.#debug) {
      if (this.#debug) timer._recordSource();
      this._scheduled.hold(slot, timer);
      if (this._trace !== null) this.#emit({ kind: "schedule", time: this.time(), handle: timer });
    }
    if (this.#wake !== null) this.#wakeUp();
    return timer;
  }

  /** A new pending future bound to this loop. Mirrors `loop.create_future`. */
  createFuture<T = unknown>(): Future<T> {
    return new Future<T>(this);
  }

  /**
   * Wrap a coroutine in a task and schedule its first step (with
   * `callSoon`; it never starts inside this call, unless a task factory
   * such as `eagerTaskFactory` says otherwise).
   *
   * Mirrors `loop.create_task`.
   * @param coro an async function to call with no arguments (the form that
   *   keeps asyncio's ordering), or an already-created promise.
   * @param options `name` for the task (default `Task-N`); `context` to
   *   run it in (default: a copy of the current context).
   */
  createTask<T>(coro: CoroutineLike<T>, options: CreateTaskOptions = this.#onThisLoop): Task<T> {
    this.#checkClosed();
    const factory = this.#taskFactory;
    if (factory === null) {
      const { name, context } = options;
      return new Task(
        coro,
        name === undefined && context === undefined
          ? this.#onThisLoop
          : { loop: this, name, context },
      );
    }
    // As CPython 3.12 base_events.py create_task: the factory is given the
    // context only when there is one, and the name is set afterwards.
    const task = options.context === undefined
      ? factory(this, coro)
      : factory(this, coro, { context: options.context });
    if (options.name != null) task.setName(options.name);
    return task;
  }

  /**
   * Make `createTask` call `factory(loop, coro, options?)` for its tasks
   * (`null`: plain `Task`s again), e.g. `eagerTaskFactory`.
   * Mirrors `loop.set_task_factory`.
   * @throws {TypeError} if `factory` is neither a function nor null.
   */
  setTaskFactory(factory: TaskFactory | null): void {
    if (factory !== null && typeof factory !== "function") {
      throw new TypeError("task factory must be a callable or None");
    }
    this.#taskFactory = factory;
  }

  /** The task factory, or `null` for the default one. Mirrors `loop.get_task_factory`. */
  getTaskFactory(): TaskFactory | null {
    return this.#taskFactory;
  }

  /** @ignore Append to the ready queue; wakes an idle loop. */
  _enqueue(handle: Handle): void {
    this.#enqueue(handle);
  }

  #enqueue(handle: Handle, io = false): void {
    if (this.#debug) handle._recordSource();
    this.#queue(handle, undefined);
    if (this._trace === null) return;
    this.#emit(
      io ? { kind: "schedule", time: this.time(), handle, io } : {
        kind: "schedule",
        time: this.time(),
        handle,
      },
    );
  }

  /**
   * Append to the ready queue (a handle, a task, or a callback and its
   * packed arguments); wakes an idle loop.
   */
  #queue(entry: Handle | Task<unknown> | Callback, args: unknown): number {
    const slot = this._ready.push(entry, args);
    if (this.#wake !== null) this.#wakeUp();
    return slot;
  }

  /** @ignore Called by `cancel()` of a handle the queue does not hold. */
  _cancelQueued(handle: _QueuedHandle): void {
    this.#queueHolding(handle)?.drop(handle._slot);
    if (this._trace !== null) this.#emit({ kind: "cancel", time: this.time(), handle });
  }

  /**
   * @ignore `getContext()` made the `Context` of a handle whose queue slot
   * keeps only its values: if it has not run, it runs in that object.
   */
  _queuedContextMade(handle: _QueuedHandle, context: Context): void {
    this.#queueHolding(handle)?.setContext(handle._slot, context);
  }

  /** The queue whose `handle._slot` still holds that handle's callback, if any. */
  #queueHolding(handle: _QueuedHandle): ReadyQueue | null {
    const gen = handle._gen;
    const queue = gen === this._gen
      ? this._ready
      : gen === ((this._gen - 1) | 0)
      ? this._batch
      : null;
    const slot = handle._slot;
    // The same callback and arguments in the slot: not another handle's,
    // should the generation have wrapped around.
    return queue !== null && slot < queue.length && queue.entries[slot] === handle._callback &&
        Object.is(queue.args[slot], handle._args)
      ? queue
      : null;
  }

  /** @ignore Called by `Handle.cancel()`. */
  _handleCancelled(handle: Handle): void {
    if (this._trace !== null) this.#emit({ kind: "cancel", time: this.time(), handle });
  }

  /** @ignore Called by `TimerHandle.cancel()`. */
  _cancelTimer(timer: TimerHandle): void {
    const table = this._scheduled, slot = timer._slot;
    if (table.holds(slot, timer._seq)) {
      // A twin that `scheduledHandles()` listed is cancelled with it.
      const where = table.where[slot];
      if (where !== PENDING) {
        // Due: in the running batch.
        markTwinCancelled(this._batch.entries[where - DUE]);
        this._batch.drop(where - DUE);
      } else if (table.entries[slot] !== null) { // else already cancelled through its twin
        markTwinCancelled(table.entries[slot]);
        table.cancel(slot);
        this._timerCancelledCount++;
      }
    }
    if (this._trace !== null) this.#emit({ kind: "cancel", time: this.time(), handle: timer });
  }

  // ---- Running ----------------------------------------------------------

  /**
   * Run until `stop()` is called. `stop()` lets the current iteration
   * finish, then the promise resolves.
   *
   * Mirrors `loop.run_forever`; it returns a promise because JavaScript
   * cannot block.
   * @throws {RuntimeError} if the loop is closed or already running, or if
   *   another loop is running: at once, as asyncio raises (so a callback
   *   that calls it fails as a callback), not as a rejected promise.
   */
  runForever(): Promise<void> {
    this.#checkClosed();
    if (this.#running) throw new RuntimeError("This event loop is already running");
    if (_getRunningLoopOrNull() !== null) {
      throw new RuntimeError("Cannot run the event loop while another loop is running");
    }
    return this.#runForever();
  }

  async #runForever(): Promise<void> {
    this.#running = true;
    _setRunningLoop(this);
    try {
      if (!this.#envChecked) {
        // ASYNCIO_MONITOR: a monitor with no code change (lib/_monitor_env.ts).
        this.#envChecked = true;
        const watching = _monitorFromEnv(this);
        if (watching !== null) await watching;
      }
      let check = 0;
      let yieldAt = performance.now() + HOST_SLICE_MS;
      let parkAt = performance.now() + HOST_PARK_MS;
      let idled = false;
      for (;;) {
        if (this._reactionsPending) {
          this._reactionsPending = false;
          if (this.clock.virtual && this._ready.length === 0) {
            await hostTurn(); // the microtask queue drains before a macrotask
            continue;
          }
        }
        if (this.#mustWait()) {
          const watch = this._watch;
          if (watch !== null) watch.idle(true);
          await this.#idle();
          if (watch !== null) watch.idle(false);
          // The host had its turn: the next check starts a new stretch
          // (marked, not timed here: a clock read per wake-up costs ~80 ns).
          idled = true;
          continue;
        }
        if (++check >= HOST_CHECK_EVERY) {
          check = 0;
          const now = performance.now();
          if (idled) {
            idled = false;
            parkAt = now + HOST_PARK_MS;
          }
          if (now >= parkAt) {
            await hostPark();
            parkAt = performance.now() + HOST_PARK_MS;
            yieldAt = performance.now() + HOST_SLICE_MS;
          } else if (now >= yieldAt) {
            if (this._readsQueued) await this.#ioTurn();
            else await hostTurn();
            yieldAt = performance.now() + HOST_SLICE_MS;
          }
        }
        this.#startIteration();
        let step: Task<unknown> | typeof EAGER_OPEN | null;
        while ((step = this.#runBatch()) !== null) {
          // A task's step: run it, then wait until the task suspends again.
          // Its resumption is already queued as a microtask, so one hop
          // behind it usually finds the task suspended; only a task that
          // takes several hops (or awaits a thenable) needs the barrier.
          // (Or a callback started eager tasks: wait for them the same way.)
          const t0 = this.#debug ? this.time() : NaN;
          if (step !== EAGER_OPEN) {
            this._stepTask = step;
            this.#runStep(step);
          }
          await undefined;
          if (this._stepTask !== null || this._openEager !== 0) {
            // Still running: wait for it to suspend, or for the microtask
            // queue to drain (then it awaits a promise the loop does not own).
            if (this.#drainId === null) this.#drainId = setImmediate(this.#onDrain);
            await new Promise<void>(this.#takeStepDone);
          }
          if (step === EAGER_OPEN) continue;
          if (this._trace !== null) {
            this.#emit({ kind: "finish", time: this.time(), handle: step._stepHandle });
          }
          if (this.#debug) this.#warnIfSlow(step._stepHandle, this.time() - t0);
        }
        if (this.#stopping) break;
      }
    } finally {
      this.#stopping = false;
      this.#running = false;
      _setRunningLoop(null);
      if (this.#drainId !== null) {
        clearImmediate(this.#drainId);
        this.#drainId = null;
      }
    }
  }

  /**
   * Run until `future` is done and return its result (or throw its error).
   *
   * Mirrors `loop.run_until_complete`.
   * @param future a `Future`/`Task`, a promise, or an async function to run
   *   as a task (`() => main()`, or `main`).
   * @throws {RuntimeError} `Event loop stopped before Future completed.` if
   *   `stop()` ended the run first; at once if the loop is closed or running.
   */
  runUntilComplete<T>(future: Future<T> | CoroutineLike<T>): Promise<T> {
    this.#checkClosed();
    if (this.#running) throw new RuntimeError("This event loop is already running");
    const fut = future instanceof Future ? future : this.createTask(future);
    if (fut.getLoop() !== this) {
      throw new TypeError("The future belongs to a different loop than the one given");
    }
    return this.#runUntilComplete(fut);
  }

  async #runUntilComplete<T>(fut: Future<T>): Promise<T> {
    const done = () => this.stop();
    fut.addDoneCallback(done);
    try {
      await this.runForever();
    } finally {
      fut.removeDoneCallback(done);
    }
    if (!fut.done()) throw new RuntimeError("Event loop stopped before Future completed.");
    return fut.result();
  }

  /**
   * Stop after the current iteration. Called before `runForever`, that run
   * does one iteration and returns. Mirrors `loop.stop`.
   */
  stop(): void {
    this.#stopping = true;
    if (this.#wake !== null) this.#wakeUp();
  }

  /** True while `runForever` runs. Mirrors `loop.is_running`. */
  isRunning(): boolean {
    return this.#running;
  }

  /** True after `close()`. Mirrors `loop.is_closed`. */
  isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Close the loop: drop pending callbacks and timers, report futures whose
   * exception was never retrieved. Idempotent.
   *
   * Mirrors `loop.close`.
   * @throws {RuntimeError} if the loop is running.
   */
  close(): void {
    if (this.#running) throw new RuntimeError("Cannot close a running event loop");
    if (this.#closed) return;
    for (const ref of this.#unretrieved) {
      const fut = ref.deref();
      if (fut === undefined) continue;
      this._retrieved(fut);
      this.#reportUnretrieved(fut);
    }
    this.#closed = true;
    this.#outside?.unwatch();
    for (const hook of this._closeHooks.splice(0)) hook();
    this._ready.reset(true);
    this._batch.reset(true);
    this._scheduled.clear();
    this._timerCancelledCount = 0;
  }

  /** Does nothing: JavaScript async generators need no finalising. */
  async shutdownAsyncgens(): Promise<void> {}

  // ---- I/O readiness, signals, executors ---------------------------------
  // Thin methods that delegate to selector_events.ts, unix_events.ts and
  // threads.ts; their state lives there, per loop, and `_closeHooks` ends it.

  /**
   * Run `callback(...args)` as a loop handle while `fileobj` is readable:
   * once per iteration for as long as it stays readable (level-triggered).
   * A second call for the same object replaces the callback. Readiness is
   * derived as the `selectors` module explains; read a raw Deno reader
   * (`Deno.stdin`) through `streamReaderFor(fileobj)`.
   *
   * Mirrors `loop.add_reader`.
   * @throws {TypeError} if `fileobj` cannot be read.
   * @throws {RuntimeError} if the loop is closed.
   * @example
   * ```ts
   * import { run, getRunningLoop, StreamReader } from "@asyncio/deno";
   * await run(async () => {
   *   const loop = getRunningLoop();
   *   const reader = new StreamReader();
   *   const got = loop.createFuture<string>();
   *   loop.addReader(reader, async () => {
   *     got.setResult(new TextDecoder().decode(await reader.readline()));
   *     loop.removeReader(reader);
   *   });
   *   loop.callLater(0.01, () => reader.feedData(new TextEncoder().encode("hi\n")));
   *   console.assert((await got) === "hi\n");
   * });
   * ```
   */
  addReader<A extends unknown[]>(
    fileobj: FileObject,
    callback: (...args: A) => unknown,
    ...args: A
  ): void {
    _addWatch(this, 0, fileobj, callback as (...args: never[]) => unknown, args);
  }

  /** Stop watching `fileobj` for reading. @returns false if it was not watched. Mirrors `loop.remove_reader`. */
  removeReader(fileobj: FileObject): boolean {
    return _removeWatch(this, 0, fileobj);
  }

  /**
   * Run `callback(...args)` as a loop handle while `fileobj` is writable
   * (a `StreamWriter` whose buffer is at most its high-water mark; a raw
   * Deno writer always), level-triggered. Mirrors `loop.add_writer`.
   * @throws {RuntimeError} if the loop is closed.
   */
  addWriter<A extends unknown[]>(
    fileobj: FileObject,
    callback: (...args: A) => unknown,
    ...args: A
  ): void {
    _addWatch(this, 1, fileobj, callback as (...args: never[]) => unknown, args);
  }

  /** Stop watching `fileobj` for writing. @returns false if it was not watched. Mirrors `loop.remove_writer`. */
  removeWriter(fileobj: FileObject): boolean {
    return _removeWatch(this, 1, fileobj);
  }

  /**
   * Run `fn(...args)` on `executor` (a `WorkerExecutor`; `null`: the loop's
   * default one, made on first use) and return a future of its result.
   * Cancelling the future cancels the work: a queued job never starts, a
   * running one has its Worker terminated.
   *
   * Mirrors `loop.run_in_executor`. The function is named by module URL and
   * export (`{ module: import.meta.resolve("./work.ts"), name: "fib" }`),
   * since closures cannot cross into a Worker.
   * @throws {TypeError} if `fn` is not such a name.
   * @throws {RuntimeError} if the loop is closed or its default executor
   *   was shut down.
   * @example
   * ```ts
   * import { run, getRunningLoop } from "@asyncio/deno";
   * const twice = { module: "data:text/javascript,export const f = (x) => 2 * x;", name: "f" };
   * const four = await run(() => getRunningLoop().runInExecutor<number>(null, twice, 2));
   * console.assert(four === 4);
   * ```
   */
  runInExecutor<T = unknown>(
    executor: WorkerExecutor | null,
    fn: WorkerFunction,
    ...args: unknown[]
  ): Future<T> {
    return _runInExecutor<T>(this, executor, fn, args);
  }

  /**
   * Run `callback(...args)` as a loop handle each time the process gets
   * `sig` (a name such as `"SIGINT"`); one handler per signal, a new one
   * replaces the old. While it is set, the signal's default action does not
   * happen and the process stays alive; `close()` removes it.
   *
   * Mirrors `loop.add_signal_handler`, on `Deno.addSignalListener`.
   * @throws {TypeError} for an async `callback` or an unknown signal.
   * @throws {RuntimeError} for a signal that cannot be caught (SIGKILL,
   *   SIGSTOP) or a closed loop.
   * @example
   * ```ts
   * import { run, getRunningLoop } from "@asyncio/deno";
   * await run(async () => {
   *   const loop = getRunningLoop();
   *   const got = loop.createFuture<string>();
   *   loop.addSignalHandler("SIGUSR1", (name) => got.setResult(name), "usr1");
   *   Deno.kill(Deno.pid, "SIGUSR1");
   *   console.assert((await got) === "usr1");
   *   loop.removeSignalHandler("SIGUSR1");
   * });
   * ```
   */
  addSignalHandler<A extends unknown[]>(
    sig: Deno.Signal,
    callback: (...args: A) => unknown,
    ...args: A
  ): void {
    _addSignalHandler(this, sig, callback as (...args: never[]) => unknown, args);
  }

  /**
   * Remove the handler of `sig`; the signal gets its default action back.
   * @returns false if there was none. Mirrors `loop.remove_signal_handler`.
   */
  removeSignalHandler(sig: Deno.Signal): boolean {
    return _removeSignalHandler(this, sig);
  }

  /**
   * Use `executor` when `runInExecutor` is given `null`. The executor it
   * replaces is shut down without waiting (`shutdown({ wait: false })`): its
   * idle Workers end now, its work still runs, and it takes no more.
   * Mirrors `loop.set_default_executor`, whose replaced pool CPython lets
   * go (its threads end once it is collected).
   */
  setDefaultExecutor(executor: WorkerExecutor): void {
    _setDefaultExecutor(this, executor);
  }

  /**
   * Wait for the default executor's work to finish and its Workers to end;
   * after `timeout` seconds (if given), warn (`console.warn`) and return,
   * the work still finishing (its Workers end after it). Later
   * `runInExecutor(null, …)` calls throw. `run()` calls this (with 300 s)
   * before it closes the loop; `close()` alone shuts it down without
   * waiting (idle Workers end, running work finishes).
   * Mirrors `loop.shutdown_default_executor` (3.12's, with `timeout`).
   */
  shutdownDefaultExecutor(timeout: number | null = null): Promise<void> {
    return _shutdownDefaultExecutor(this, timeout);
  }

  // ---- Connections and servers (the transports and protocols layer) ------

  /**
   * Connect to `host:port` over TCP (TLS with `ssl`), make a protocol with
   * `protocolFactory` and wire it to the connection's transport. Returns
   * once the protocol's `connectionMade` has run. `host` is resolved with
   * `getaddrinfo` and each address is tried in turn (staggered with
   * `happyEyeballsDelay`); `port` may be a service name (`"http"`).
   *
   * Mirrors `loop.create_connection`.
   * @returns `[transport, protocol]`.
   * @throws {ConnectionRefusedError} if nobody listens there; `OSError`
   *   `Multiple exceptions: …` when several addresses all failed differently.
   * @throws {gaierror} if `host` does not resolve.
   * @throws {NotImplementedError} with `localAddr`.
   * @example
   * ```ts
   * import { getRunningLoop, Protocol, run } from "@asyncio/deno";
   * await run(async () => {
   *   const loop = getRunningLoop();
   *   await using server = await loop.createServer(() => new Protocol(), "127.0.0.1", 0);
   *   const { port } = server.sockets[0] as Deno.NetAddr;
   *   const [transport] = await loop.createConnection(() => new Protocol(), "127.0.0.1", port);
   *   console.assert((transport.getExtraInfo("peername") as [string, number])[1] === port);
   *   transport.close();
   * });
   * ```
   */
  createConnection<P extends BaseProtocol>(
    protocolFactory: () => P,
    host: string | null = null,
    port: number | string | null = null,
    options: CreateConnectionOptions = {},
  ): Promise<[Transport, P]> {
    this.#checkClosed();
    return connectTcp(this, protocolFactory, host, port, options);
  }

  /**
   * As `createConnection`, to the Unix socket at `path`.
   * Mirrors `loop.create_unix_connection`.
   */
  createUnixConnection<P extends BaseProtocol>(
    protocolFactory: () => P,
    path: string,
  ): Promise<[Transport, P]> {
    this.#checkClosed();
    return connectUnix(this, protocolFactory, path);
  }

  /**
   * Listen on `host:port` (TCP, or TLS with `ssl`); each connection gets a
   * protocol from `protocolFactory` and a transport. `host` is resolved
   * (`AI_PASSIVE`) and every address it has gets a listener, as does each
   * host of a list; port 0 picks a free port (see `server.sockets`).
   * `host` `null` listens on all IPv4 interfaces ("0.0.0.0"; asyncio also
   * listens on "::", which Deno cannot beside it: it has no IPV6_V6ONLY).
   *
   * Mirrors `loop.create_server`.
   * @returns the `Server`, serving unless `startServing: false`.
   */
  createServer(
    protocolFactory: () => BaseProtocol,
    host: string | readonly string[] | null = null,
    port: number | string | null = null,
    options: CreateServerOptions = {},
  ): Promise<Server> {
    this.#checkClosed();
    return listenTcp(this, protocolFactory, host, port, options);
  }

  /**
   * As `createServer`, on a Unix socket at `path` (a stale socket file
   * there is removed first, and the file is removed on `close()`).
   * Mirrors `loop.create_unix_server`.
   */
  createUnixServer(
    protocolFactory: () => BaseProtocol,
    path: string,
    options: { startServing?: boolean } = {},
  ): Promise<Server> {
    this.#checkClosed();
    return listenUnix(this, protocolFactory, path, options);
  }

  // ---- Subprocesses --------------------------------------------------------

  /**
   * Start `program` with `args` (no shell) and wire it to a protocol from
   * `protocolFactory`: the child's output arrives in `pipeDataReceived(fd,
   * data)`, then `pipeConnectionLost(fd, exc)` per pipe, `processExited()`,
   * and `connectionLost(null)` last, once it exited and every pipe is
   * lost. Write to its stdin with `transport.getPipeTransport(0)`. Returns
   * once the protocol's `connectionMade` has run. A trailing options object
   * sets the pipes (`PIPE` by default, as asyncio; `null` inherits),
   * `cwd` and `env`.
   *
   * Mirrors `loop.subprocess_exec`.
   * @returns `[transport, protocol]`.
   * @throws {Deno.errors.NotFound} if there is no such program.
   * @throws {TypeError} for an argument that is not a string, or a bad option.
   * @example
   * ```ts
   * import { getRunningLoop, run, SubprocessProtocol } from "@asyncio/deno";
   * class Collect extends SubprocessProtocol {
   *   out = "";
   *   done = getRunningLoop().createFuture<void>();
   *   override pipeDataReceived(_fd: number, data: Uint8Array) {
   *     this.out += new TextDecoder().decode(data);
   *   }
   *   override connectionLost() {
   *     this.done.setResult();
   *   }
   * }
   * await run(async () => {
   *   const loop = getRunningLoop();
   *   const [transport, protocol] = await loop.subprocessExec(() => new Collect(), "echo", "hi");
   *   await protocol.done;
   *   console.assert(protocol.out === "hi\n" && transport.getReturncode() === 0);
   *   transport.close();
   * });
   * ```
   */
  subprocessExec<P extends SubprocessProtocol>(
    protocolFactory: () => P,
    program: string | URL,
    ...args: string[] | [...string[], SubprocessPipeOptions]
  ): Promise<[SubprocessTransport, P]> {
    this.#checkClosed();
    let options: SubprocessPipeOptions = {};
    const last = args[args.length - 1];
    if (last !== undefined && typeof last === "object") {
      options = args.pop() as SubprocessPipeOptions;
    }
    _checkExecArgs(program, args);
    // As asyncio, every stream is a pipe unless said otherwise (`null`
    // inherits; `undefined` is the default, as an absent key).
    const pipes = {
      ...options,
      stdin: options.stdin === undefined ? PIPE : options.stdin,
      stdout: options.stdout === undefined ? PIPE : options.stdout,
      stderr: options.stderr === undefined ? PIPE : options.stderr,
    };
    return subprocessExec(this, protocolFactory, program, args as string[], pipes);
  }

  /**
   * As `subprocessExec`, running `cmd` through the shell (`/bin/sh -c cmd`).
   * Mirrors `loop.subprocess_shell`.
   * @throws {TypeError} if `cmd` is not a string.
   */
  subprocessShell<P extends SubprocessProtocol>(
    protocolFactory: () => P,
    cmd: string,
    options: SubprocessPipeOptions = {},
  ): Promise<[SubprocessTransport, P]> {
    if (typeof cmd !== "string") throw new TypeError("cmd must be a string");
    return this.subprocessExec(protocolFactory, "/bin/sh", "-c", cmd, options);
  }

  /**
   * Open a UDP endpoint: bind to `localAddr` and/or connect to
   * `remoteAddr`, make a protocol with `protocolFactory` and wire it to the
   * endpoint's transport. Returns once the protocol's `connectionMade` has
   * run. Uses `node:dgram` (Deno's own datagram API is unstable in 2.9);
   * so, unlike asyncio on Linux, a connected endpoint is not told of ICMP
   * errors (`errorReceived(ConnectionRefusedError)`).
   *
   * Mirrors `loop.create_datagram_endpoint`.
   * @returns `[transport, protocol]`.
   * @throws {TypeError} for an address that is not `[host, port]`.
   * @throws {RangeError} for a bad `family`, or none to go by.
   * @throws {Error} `node:dgram`'s error (`code` `"EADDRINUSE"`, …) if
   * binding or connecting fails.
   * @example
   * ```ts
   * import { DatagramProtocol, getRunningLoop, run } from "@asyncio/deno";
   * await run(async () => {
   *   const loop = getRunningLoop();
   *   const got = loop.createFuture<string>();
   *   class Sink extends DatagramProtocol {
   *     override datagramReceived(data: Uint8Array) {
   *       got.setResult(new TextDecoder().decode(data));
   *     }
   *   }
   *   const [server] = await loop.createDatagramEndpoint(() => new Sink(), {
   *     localAddr: ["127.0.0.1", 0],
   *   });
   *   const [client] = await loop.createDatagramEndpoint(() => new DatagramProtocol(), {
   *     remoteAddr: server.getExtraInfo("sockname") as [string, number],
   *   });
   *   client.sendto(new TextEncoder().encode("ping"));
   *   console.assert(await got === "ping");
   *   client.close();
   *   server.close();
   * });
   * ```
   */
  createDatagramEndpoint<P extends DatagramProtocol>(
    protocolFactory: () => P,
    options: CreateDatagramEndpointOptions,
  ): Promise<[DatagramTransport, P]> {
    this.#checkClosed();
    return createDatagramEndpoint(this, protocolFactory, options);
  }

  // ---- Name resolution and sockets (lib/_resolve.ts, lib/socket.ts) -----

  /**
   * Resolve `host` and `port` as the C library does (/etc/hosts, then DNS;
   * `port` a number or a service name from /etc/services): rows
   * `[family, type, proto, canonname, sockaddr]`, exactly as CPython on
   * glibc gives them (one row per socket type unless `type` says which;
   * `null` host: the loopback, or with `AI_PASSIVE` the wildcard).
   * Differs only where Deno hides glibc's answer: a name that fails is
   * always `EAI_NONAME` (-2), also where glibc says `EAI_AGAIN`, and
   * `AI_CANONNAME` gives the /etc/hosts name or the name itself.
   *
   * Mirrors `loop.getaddrinfo`.
   * @throws {gaierror} with getaddrinfo's code (`-2` "Name or service not known", …).
   * @example
   * ```ts
   * import { getRunningLoop, run, SOCK_STREAM } from "@asyncio/deno";
   * await run(async () => {
   *   const rows = await getRunningLoop().getaddrinfo("127.0.0.1", "http", { type: SOCK_STREAM });
   *   console.assert(JSON.stringify(rows) === '[[2,1,6,"",["127.0.0.1",80]]]');
   * });
   * ```
   */
  getaddrinfo(
    host: string | null,
    port: number | string | null,
    options: GetAddrInfoOptions = {},
  ): Promise<AddrInfo[]> {
    this.#checkClosed();
    return onLoop(this, getaddrinfo(host, port, options), () => {}, "getaddrinfo");
  }

  /**
   * The host name and service of a numeric `sockaddr` (`[host, port]`, or
   * `[host, port, flowinfo, scopeId]`): `[host, service]`, names looked up
   * unless `NI_NUMERICHOST` / `NI_NUMERICSERV`.
   *
   * Mirrors `loop.getnameinfo`.
   * @throws {gaierror} if the host is not numeric, or has no name with `NI_NAMEREQD`.
   */
  getnameinfo(sockaddr: SockAddr, flags: number = 0): Promise<[string, string]> {
    this.#checkClosed();
    return onLoop(this, getnameinfo(sockaddr, flags), () => {}, "getnameinfo");
  }

  /**
   * Connect `sock` to `address` (resolved first, as asyncio does).
   * Mirrors `loop.sock_connect`.
   * @throws {ConnectionRefusedError} `[Errno 111] Connect call failed (…)`.
   */
  sockConnect(sock: Socket, address: SockAddr | string): Promise<void> {
    this.#checkSock(sock, "sockConnect");
    return sock._connect(this, address);
  }

  /**
   * Accept a connection on the listening `sock`: `[conn, address]`.
   * Mirrors `loop.sock_accept`.
   */
  sockAccept(sock: Socket): Promise<[Socket, SockAddr | string]> {
    this.#checkSock(sock, "sockAccept");
    return sock._accept(this);
  }

  /**
   * Receive up to `nbytes` bytes (fewer if fewer are there); empty at EOF.
   * Mirrors `loop.sock_recv`.
   */
  sockRecv(sock: Socket, nbytes: number): Promise<Uint8Array> {
    this.#checkSock(sock, "sockRecv");
    return sock._recv(this, nbytes);
  }

  /**
   * Receive into `buf`: how many bytes came (0 at EOF).
   * Mirrors `loop.sock_recv_into`.
   */
  sockRecvInto(sock: Socket, buf: Uint8Array): Promise<number> {
    this.#checkSock(sock, "sockRecvInto");
    return sock._recvInto(this, buf);
  }

  /**
   * Send all of `data` (keep it unchanged until this resolves).
   * Mirrors `loop.sock_sendall`.
   */
  sockSendall(sock: Socket, data: Uint8Array): Promise<void> {
    this.#checkSock(sock, "sockSendall");
    return sock._sendall(this, data);
  }

  /**
   * Receive one datagram (UDP): `[data, address]`, cut to `bufsize` bytes.
   * Mirrors `loop.sock_recvfrom`.
   */
  sockRecvfrom(sock: Socket, bufsize: number): Promise<[Uint8Array, SockAddr | null]> {
    this.#checkSock(sock, "sockRecvfrom");
    return sock._recvfrom(this, bufsize);
  }

  /**
   * Receive one datagram into `buf` (at most `nbytes`, 0 for all of `buf`):
   * `[count, address]`. Mirrors `loop.sock_recvfrom_into`.
   */
  sockRecvfromInto(
    sock: Socket,
    buf: Uint8Array,
    nbytes: number = 0,
  ): Promise<[number, SockAddr | null]> {
    this.#checkSock(sock, "sockRecvfromInto");
    return sock._recvfromInto(this, buf, nbytes);
  }

  /**
   * Send `data` as one datagram to `address`: the bytes sent.
   * Mirrors `loop.sock_sendto`.
   */
  sockSendto(sock: Socket, data: Uint8Array, address: SockAddr): Promise<number> {
    this.#checkSock(sock, "sockSendto");
    return sock._sendto(this, data, address);
  }

  /**
   * Send `file` (from `offset`, `count` bytes or to its end) over `sock`.
   * Deno has no sendfile(), so this always reads and sends blocks, as
   * asyncio's fallback does; `fallback: false` throws instead. The file is
   * left at `offset` plus the bytes sent.
   *
   * Mirrors `loop.sock_sendfile`.
   * @returns the bytes sent.
   * @throws {SendfileNotAvailableError} with `fallback: false`.
   */
  sockSendfile(
    sock: Socket,
    file: Deno.FsFile,
    offset: number = 0,
    count: number | null = null,
    options: { fallback?: boolean } = {},
  ): Promise<number> {
    this.#checkSock(sock, "sockSendfile");
    return sock._sendfile(this, file, offset, count, options.fallback ?? true);
  }

  /**
   * Send `file` (from `offset`, `count` bytes or to its end) over
   * `transport`, returning how many bytes were sent. Deno has no sendfile()
   * for its connections, so this is asyncio's fallback: the file is read in
   * blocks and written, waiting whenever the write buffer is above its
   * high-water mark; the file's position is left after the last byte sent.
   *
   * Mirrors `loop.sendfile`.
   * @throws {SendfileNotAvailableError} with `fallback: false`.
   * @throws {RuntimeError} if the transport is closing.
   */
  sendfile(
    transport: Transport,
    file: Deno.FsFile,
    offset = 0,
    count: number | null = null,
    options: { fallback?: boolean } = {},
  ): Promise<number> {
    this.#checkClosed();
    return sendfileFallback(this, transport, file, offset, count, options.fallback ?? true);
  }

  /**
   * Not available: Deno upgrades a connection to TLS only with
   * `Deno.startTls` on a connection it has not yet read from, which a
   * transport already does. Connect with `ssl` instead.
   * Mirrors `loop.start_tls`.
   * @throws {NotImplementedError} always.
   */
  startTls(
    _transport: Transport,
    _protocol: BaseProtocol,
    _sslcontext: unknown,
  ): Promise<Transport> {
    return Promise.reject(
      new NotImplementedError(
        "loop.startTls() is not available: Deno cannot upgrade a connection it is reading from; connect with ssl instead",
      ),
    );
  }

  // ---- Debugging, errors, tracing ----------------------------------------

  /** True in debug mode. Mirrors `loop.get_debug`. */
  getDebug(): boolean {
    return this.#debug;
  }

  /**
   * Debug mode: slow callbacks (over `slowCallbackDuration`) are reported
   * with their name and duration, and every handle remembers where it was
   * scheduled (`handle.sourceTraceback`); tasks remember where they await.
   * Mirrors `loop.set_debug`.
   */
  setDebug(enabled: boolean): void {
    this.#debug = enabled;
  }

  /** Set the handler of errors nobody caught (`null`: the default). Mirrors `loop.set_exception_handler`. */
  setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null && typeof handler !== "function") {
      throw new TypeError(`A callable object or None is expected, got ${handler}`);
    }
    this.#exceptionHandler = handler;
  }

  /** The handler set with `setExceptionHandler`, or `null`. */
  getExceptionHandler(): ExceptionHandler | null {
    return this.#exceptionHandler;
  }

  /**
   * Print `context` to stderr the way asyncio logs it: the message, one
   * `key: value` line per other entry, then the error's stack.
   * Mirrors `loop.default_exception_handler`.
   */
  defaultExceptionHandler(context: ExceptionContext): void {
    const lines = [context.message || "Unhandled exception in event loop"];
    for (const key of Object.keys(context).sort()) {
      if (key === "message" || key === "exception") continue;
      const value = context[key];
      lines.push(
        key === "sourceTraceback"
          ? `${key}: Object created at (most recent call first):\n${
            stackFrames(String(value)).join("\n")
          }`
          : `${key}: ${typeof value === "string" ? value : pyRepr(value)}`,
      );
    }
    const exc = context.exception;
    if (exc !== undefined) lines.push(errorText(exc));
    console.error(lines.join("\n"));
  }

  /**
   * Hand `context` to the exception handler (or the default one). A
   * handler that throws is itself reported by the default handler, with the
   * context it was handling; if that throws too (a subclass's), it is logged.
   * Mirrors `loop.call_exception_handler`.
   */
  callExceptionHandler(context: ExceptionContext): void {
    const handler = this.#exceptionHandler;
    if (handler === null) {
      try {
        this.defaultExceptionHandler(context);
      } catch (exception) {
        console.error(`Exception in default exception handler\n${errorText(exception)}`);
      }
      return;
    }
    try {
      handler(this, context);
    } catch (exception) {
      try {
        this.defaultExceptionHandler({
          message: "Unhandled error in exception handler",
          exception,
          context,
        });
      } catch (inner) {
        console.error(
          "Exception in default exception handler while handling an unexpected error " +
            `in custom exception handler\n${errorText(inner)}`,
        );
      }
    }
  }

  /**
   * Subscribe to the loop's trace events (see `TraceEvent`).
   * @returns the function that unsubscribes.
   */
  addTraceListener(listener: TraceListener): () => void {
    if (typeof listener !== "function") throw new TypeError("listener must be a function");
    this._trace ??= new Tracer();
    const remove = this._trace.add(listener);
    if (!this.#closed) (this.#outside ??= new OutsideSteps(this)).watch();
    return () => {
      remove();
      if (this._trace !== null && this._trace.size === 0) {
        this._trace = null;
        this.#outside?.unwatch();
      }
    };
  }

  /**
   * The handles in the ready queue, in the order they will run (not
   * cancelled ones). While the loop is traced (or in debug mode) they are
   * the handles `callSoon` returned; otherwise the queue keeps only their
   * callbacks and arguments (it is faster), and a `callSoon` handle is
   * listed as an equal handle, not the same object, whose `cancel()` works
   * the same. (The `handle` of an exception context is such a twin too.)
   */
  readyHandles(): Handle[] {
    const handles: Handle[] = [];
    // The queue kept a callback, not its handle: list one that cancels the same slot.
    type Twin = (callback: Callback, args: unknown, slot: number) => Handle;
    const collect = (queue: ReadyQueue, from: number, twin: Twin) => {
      for (let slot = from; slot < queue.length; slot++) {
        const entry = queue.entries[slot];
        if (typeof entry === "function") {
          handles.push(twin(entry, queue.args[slot], slot));
        } else if (entry instanceof Task) {
          handles.push(entry._stepHandle);
        } else if (entry !== null && !entry._cancelled) {
          handles.push(entry);
        }
      }
    };
    collect(
      this._batch,
      this._batchPos,
      (callback, args, slot) => this.#twin(callback, args, slot),
    );
    collect(
      this._ready,
      0,
      (callback, args, slot) => new _QueuedHandle(callback, args, this, slot, this._gen),
    );
    return handles;
  }

  /**
   * The timers in the heap, in firing order (not cancelled ones). While the
   * loop is traced (or in debug mode) they are the handles `callLater`
   * returned; otherwise the loop keeps only callbacks, arguments and
   * deadlines (a dropped handle then costs nothing), and lists an equal
   * handle, the same object each time. Cancelling either handle cancels the
   * timer, and the listed one shows a cancel made through the other; the
   * handle `callLater` returned does not show a cancel made through the
   * listed one.
   */
  scheduledHandles(): TimerHandle[] {
    const table = this._scheduled;
    return table.heap.sorted()
      .filter((slot) => table.entries[slot] !== null)
      .map((slot) => {
        const timer = this.#timerIn(slot);
        table.hold(slot, timer); // listed again, it is the same object
        return timer;
      });
  }

  /**
   * The handle of the timer in `slot`: the one `callLater` returned if the
   * table holds it (a traced loop), else an equal one that cancels the same timer.
   */
  #timerIn(slot: number): TimerHandle {
    const table = this._scheduled;
    const entry = table.entries[slot]!;
    if (typeof entry !== "function") return entry;
    return new TimerHandle(
      table.whens[slot],
      table.seqs[slot],
      entry,
      table.args[slot],
      this,
      slot,
    );
  }

  /**
   * How many tasks are suspended on a promise the loop does not own (a Deno
   * op, a host timer). While it is not zero, an idle loop may still be woken
   * from outside, and a virtual clock does not jump. (Added for the REPL's
   * `run` without a time, which stops when nothing can ever run again.)
   */
  get externalWaits(): number {
    return this._externalWaits;
  }

  /** How many iterations this loop has run. */
  get iteration(): number {
    return this.#iteration;
  }

  // ---- Internals used by futures and tasks -------------------------------

  /**
   * @ignore A future's done-callback, as `callSoon(callback, fut)` but for
   * the debug-mode check: an async done-callback is common in JavaScript.
   */
  _scheduleCallback(
    callback: (fut: Future<unknown>) => unknown,
    fut: Future<unknown>,
    context: Held | null = null,
  ): void {
    this.#checkClosed();
    if (this._trace !== null || this.#debug) {
      const handle = new Handle(callback as Callback, fut, this);
      if (context !== null) handle._context = context;
      this.#enqueue(handle);
    } else {
      const slot = this.#queue(callback as Callback, fut);
      if (context !== null) this._ready.setContext(slot, context);
    }
  }

  /**
   * @ignore An I/O completion (a transport's data, a process's exit, a host
   * promise settled onto the loop), as `callSoonThreadsafe(callback, arg)`
   * without returning a handle (`arg` must not be an array), traced as I/O.
   * Dropped once the loop is closed: I/O that completes after `close()` has
   * nobody to tell.
   */
  _callSoonIO<T>(callback: (arg: T) => unknown, arg: T): void {
    if (this.#closed) return;
    if (this._trace !== null || this.#debug) {
      this.#enqueue(new Handle(callback as Callback, arg, this), true);
    } else {
      this.#queue(callback as Callback, arg);
    }
  }

  /**
   * @ignore `callSoonThreadsafe(callback, ...args)` for a call that came
   * from a Worker (lib/threads.ts): `args` is a fresh array the queue may
   * keep, `callback` a function and the loop open (the caller checked), and
   * no handle is made.
   */
  _callSoonArgs(callback: Callback, args: unknown[]): void {
    if (this._trace !== null || this.#debug) {
      this.#enqueue(new Handle(callback, args, this));
    } else {
      this.#queue(callback, args);
    }
  }

  /**
   * @ignore Queue the step of `task`: the task itself, or (traced, debug
   * mode) its own reusable handle, which the trace events name.
   */
  _scheduleStep(task: Task<unknown>): void {
    // A closed loop runs nothing: drop it. (Host promises may still settle
    // a task after close(); throwing here would surface in their reactions.)
    if (this.#closed) return;
    if (this._trace !== null || this.#debug) this.#enqueue(task._stepHandle);
    else this.#queue(task, undefined);
    const watch = this._watch;
    if (watch !== null && watch.timing) watch.stepQueued(task);
  }

  /**
   * @ignore A task suspended on a loop future or settled: if it was the one
   * stepping, the step is over; if it had gone outside the loop, it is back.
   */
  _taskSuspended(task: Task<unknown>): void {
    if (task._eagerOpen) {
      task._eagerOpen = false;
      this._openEager--;
    } else if (task === this._stepTask) {
      this._stepTask = null;
      const watch = this._watch;
      const next = this.#nextResumption();
      if (next !== null) {
        this._stepTask = next;
        if (watch !== null) watch.stepSwitch(task, next);
        // A first step runs the coroutine at once: start it in a microtask,
        // behind the code running now, as a resumption's code would be.
        if (next._next === null) RESOLVED.then(this.#startChained);
        else next._step();
        return;
      }
      if (watch !== null) watch.stepEnd(task);
    } else {
      if (task._external) {
        task._external = false;
        this._externalWaits--;
        this.#outside?.end(task);
        if (this.#wake !== null) this.#wakeUp();
      }
      return;
    }
    if (this._stepTask === null && this._openEager === 0) this.#stepsSettled();
  }

  /**
   * The task whose step is the next entry of the running batch, taken off
   * the batch, if the step that just ended can start it now: resuming it
   * only queues that task's continuation behind the code running now (a
   * first step is queued as a microtask, since it would run the coroutine
   * at once), so the order is the one `runForever` would give, without its
   * hop per step. (Not a plain callback, which would run before the
   * suspending task's own code ends; not while traced or in debug mode,
   * which time each step.)
   */
  #nextResumption(): Task<unknown> | null {
    if (this._trace !== null || this.#debug || this._openEager !== 0) return null;
    const batch = this._batch;
    const { entries } = batch;
    let i = this._batchPos;
    while (i < batch.length && entries[i] === null) i++;
    if (i >= batch.length) return null;
    const entry = entries[i]!;
    if (typeof entry === "function") return null;
    const task = entry instanceof Task ? entry : entry._cancelled ? null : entry._task;
    if (task === null || task._state !== 0) return null;
    batch.drop(i);
    this._batchPos = i + 1;
    return task;
  }

  /** The first step of the task the chain reached (see `_taskSuspended`). */
  #startChained = (): void => {
    const task = this._stepTask;
    if (task === null || task._next !== null) return; // already started (cannot happen)
    try {
      task._step();
    } catch (exception) {
      this.#callbackFailed(task._stepHandle, exception);
    }
  };

  /** @ignore An eager task's first step began inside `createTask`. */
  _eagerStarted(task: Task<unknown>): void {
    task._eagerOpen = true;
    this._openEager++;
  }

  /** Neither a step nor an eager first step is open: the loop goes on. */
  #stepsSettled(): void {
    const done = this.#stepDone;
    if (done !== null) {
      this.#stepDone = null;
      done();
    }
  }

  /** @ignore The code running now is about to await I/O (`what`: the call), for tracers. */
  _waitingForIO(what: string): void {
    if (this._watch !== null) this._watch.io(what);
    if (this._trace === null) return;
    this.#emit({ kind: "io", time: this.time(), what, task: _taskContext.getStore() ?? null });
  }

  /** @ignore */
  _traceTask(task: Task<unknown>, phase: "created" | "done"): void {
    if (this._trace !== null) this.#emit({ kind: "task", time: this.time(), phase, task });
    if (this._watch !== null) this._watch.task(task, phase);
  }

  /** @ignore A future failed: remember it until its exception is retrieved. */
  _trackUnretrieved(fut: Future<unknown>): void {
    const ref = new WeakRef(fut);
    fut._unretrievedRef = ref;
    this.#unretrieved.add(ref);
    // What the finalizer reports must not hold the future, or it never dies.
    const kind = fut instanceof Task ? "Task" : "Future";
    const repr = fut.toString();
    const context: ExceptionContext = {
      message: `${kind} exception was never retrieved`,
      exception: fut._value,
      future_repr: repr,
    };
    this.#finalizer.register(fut, { context, ref }, fut);
  }

  /** @ignore Its exception was retrieved: stop tracking it. */
  _retrieved(fut: Future<unknown>): void {
    const ref = fut._unretrievedRef;
    if (ref === null) return;
    fut._unretrievedRef = null;
    this.#unretrieved.delete(ref);
    this.#finalizer.unregister(fut);
  }

  #reportUnretrieved(fut: Future<unknown>): void {
    const isTask = fut instanceof Task;
    this.callExceptionHandler({
      message: `${isTask ? "Task" : "Future"} exception was never retrieved`,
      exception: fut._value,
      future: fut,
    });
  }

  // ---- The iteration ------------------------------------------------------

  #checkClosed(): void {
    if (this.#closed) throw new RuntimeError("Event loop is closed");
  }

  #checkSock(sock: Socket, method: string): void {
    this.#checkClosed();
    if (typeof (sock as { _recv?: unknown } | null)?._recv !== "function") {
      throw new TypeError(`${method}() needs a Socket (new Socket(...)), got ${shortRepr(sock)}`);
    }
  }

  #checkCallback(callback: unknown, method: string): void {
    if (typeof callback !== "function") {
      throw new TypeError(`a callable object was expected by ${method}(), got ${callback}`);
    }
    // As asyncio in debug mode: an async function's promise would be dropped.
    if (this.#debug && callback.constructor.name === "AsyncFunction") {
      throw new TypeError(`coroutines cannot be used with ${method}()`);
    }
    this.#checkClosed();
  }

  /** Drop cancelled timers: all at once when they are many, else from the top. */
  #purgeCancelled(): void {
    if (this._timerCancelledCount === 0) return;
    const table = this._scheduled, heap = table.heap;
    if (
      heap.size > MIN_SCHEDULED_TIMER_HANDLES &&
      this._timerCancelledCount > heap.size * MAX_CANCELLED_TIMER_HANDLES_FRACTION
    ) {
      heap.filter((slot) => {
        if (table.entries[slot] !== null) return true;
        table.release(slot);
        return false;
      });
      table.shrinkIfSparse();
      this._timerCancelledCount = 0;
      return;
    }
    let top: number;
    while ((top = heap.peek()) >= 0 && table.entries[top] === null) {
      heap.pop();
      table.release(top);
      this._timerCancelledCount--;
    }
  }

  /** True if nothing can run now: the loop must wait for I/O or time. */
  #mustWait(): boolean {
    if (this._ready.length > 0 || this.#stopping) return false;
    this.#purgeCancelled();
    const when = this._scheduled.heap.peekWhen();
    if (when === Infinity) return true;
    if (when <= this.clock.now()) return false;
    if (this.clock.virtual && this._externalWaits === 0) {
      this.clock.advanceTo(when);
      return this.clock.now() < when;
    }
    return true;
  }

  /**
   * Wait, without spinning, for the next timer or a wake-up. Not an async
   * function: a wait costs its one promise (`#wakeUp` settles it and clears
   * the host timer), not also a frame, its promise and their hops; a quiet
   * server's loop idles between every two I/O events.
   */
  #idle(): Promise<void> {
    const heap = this._scheduled.heap;
    const until = heap.size === 0 ? null : heap.peekWhen();
    if (this._trace !== null) this.#emit({ kind: "idle", time: this.time(), until });
    const woken = new Promise<void>(this.#takeWake);
    if (until !== null && !this.clock.virtual) {
      // At most a day, as asyncio's MAXIMUM_SELECT_TIMEOUT: host timers
      // overflow past 2^31 - 1 ms (~24.8 days) and would fire at once.
      const ms = Math.min(MAX_IDLE_MS, Math.max(0, Math.ceil((until - this.clock.now()) * 1000)));
      this.#idleTimer = setTimeout(this.#wakeUp, ms);
    }
    return woken;
  }

  /**
   * A host turn in which Deno polls its sockets: after a `setImmediate` turn
   * (so that the host has had control), wait for the next callback queued
   * from outside (a read completing) or a 0 ms host timer, whichever comes
   * first. `setImmediate` turns alone would not do: while JavaScript keeps
   * waking Deno's runtime, tokio polls sockets only every 61 turns (see
   * `hostPark`), and the reads waiting for that hold up the connections
   * queued behind them.
   */
  async #ioTurn(): Promise<void> {
    await hostTurn();
    const woken = new Promise<void>(this.#takeWake);
    const timer = setTimeout(this.#wakeUp, 0);
    await woken;
    clearTimeout(timer);
  }

  #takeWake = (resolve: () => void): void => {
    this.#wake = resolve;
  };

  #takeStepDone = (resolve: () => void): void => {
    this.#stepDone = resolve;
  };

  #wakeUp = (): void => {
    const wake = this.#wake;
    this.#wake = null;
    const timer = this.#idleTimer;
    if (timer !== undefined) {
      this.#idleTimer = undefined;
      clearTimeout(timer);
    }
    if (wake !== null) wake();
  };

  /**
   * The microtask queue drained while a task's step was still open: the
   * task awaits a promise the loop does not own. Let the loop go on.
   */
  #onDrain = (): void => {
    this.#drainId = null;
    const task = this._stepTask;
    if (task !== null) {
      this._stepTask = null;
      this.#wentOutside(task);
      if (this._watch !== null) this._watch.stepEnd(task);
    }
    if (this._openEager !== 0) {
      this._openEager = 0;
      for (const t of this._tasks) {
        if (!t._eagerOpen) continue;
        t._eagerOpen = false;
        this.#wentOutside(t);
      }
    }
    this.#stepsSettled();
  };

  /** A task's step ended without suspending on a loop future. */
  #wentOutside(task: Task<unknown>): void {
    // Waiting through a promise on loop futures (`Promise.all`): the loop
    // will wake it; only a wait on nothing of the loop's is outside.
    if (task._thenWaits === 0) {
      task._external = true;
      this._externalWaits++;
    }
  }

  #startIteration(): void {
    this.#purgeCancelled();
    // What is ready becomes the batch; timers due by now join it, behind
    // what is there.
    const batch = this._ready;
    this._ready = this._batch;
    this._batch = batch;
    this._gen = (this._gen + 1) | 0;
    this._batchPos = 0;
    this.#iteration++;
    const table = this._scheduled;
    const firstDue = batch.length;
    let end = 0;
    if (table.size > 0) {
      end = this.clock.now();
      let slot: number;
      while ((slot = table.heap.popDue(end)) >= 0) {
        let entry = table.entries[slot] as Callback | TimerHandle | null;
        if (entry === null) {
          table.release(slot);
          this._timerCancelledCount--;
          continue;
        }
        // Scheduled before the loop was traced: trace it as an equal handle.
        if (this._trace !== null && typeof entry === "function") {
          table.hold(slot, entry = this.#timerIn(slot));
        }
        table.markDue(slot, batch.push(entry, table.args[slot]));
      }
    }
    if (this._trace !== null) {
      // Only once they are all in the batch: what a listener schedules waits
      // for the next iteration, and a cancel finds its timer in the batch.
      for (let i = firstDue; i < batch.length; i++) {
        const handle = batch.entries[i];
        if (handle instanceof TimerHandle) this.#emit({ kind: "due", time: end, handle });
      }
      this.#emit({
        kind: "iteration",
        time: this.time(),
        iteration: this.#iteration,
        ready: batch.length,
      });
    }
  }

  /**
   * This is the only place where callbacks are called. Runs the batch until
   * it ends (returns `null`) or reaches a task step, which it returns
   * without running: the caller runs it and waits for the task to suspend.
   */
  #runBatch(): Task<unknown> | typeof EAGER_OPEN | null {
    const batch = this._batch;
    const { entries, args, contexts } = batch;
    const n = batch.length;
    let i = this._batchPos;
    const plain = this._trace === null && !this.#debug;
    const watch = this._watch;
    // Each callback runs in a context of its own, as CPython's handles run in
    // the copy each one made. While no context variable is in use, all of them
    // are empty: a first `set()` in a callback goes to a new context, not the
    // top level's (`batchStarts`); from then on (`contextsUsed` is read per
    // callback) each callback enters its own.
    batchStarts();
    while (i < n) {
      const entry = entries[i];
      const arg = args[i];
      // As batch.drop(i): the context, if any, is taken where it is used.
      entries[i] = null;
      args[i++] = undefined;
      if (typeof entry === "function") {
        if (!plain) {
          // Queued before the loop was traced or in debug mode: run it as those want.
          const twin = this.#twin(entry, arg, i - 1);
          if (contextsUsed) twin._context = takeContext(contexts, i - 1);
          this.#runHandle(twin);
        } else {
          if (watch !== null && watch.last !== entry) watch.callback(entry);
          try {
            if (contextsUsed) callIn(entry, arg, takeContext(contexts, i - 1));
            else callWith(entry, arg);
          } catch (exception) {
            // The queue kept no handle: the context gets its twin (equal, not the same object).
            this.#callbackFailed(this.#twin(entry, arg, i - 1), exception);
          }
        }
      } else {
        if (entry === null) continue;
        if (entry instanceof Task) {
          this._batchPos = i;
          batchEnds();
          return entry;
        }
        const handle = entry;
        if (handle._cancelled) continue;
        if (handle._task !== null) {
          this._batchPos = i;
          batchEnds();
          return handle._task;
        }
        if (plain) {
          if (watch !== null && watch.last !== handle._callback) watch.callback(handle._callback);
          try {
            if (contextsUsed) callHandleIn(handle);
            else callWith(handle._callback, handle._args);
          } catch (exception) {
            this.#callbackFailed(handle, exception);
          }
        } else {
          this.#runHandle(handle);
        }
      }
      if (this._openEager !== 0) {
        this._batchPos = i;
        batchEnds();
        return EAGER_OPEN;
      }
    }
    batchEnds();
    batch.reset();
    this._batchPos = 0;
    this._scheduled.releaseDue();
    return null;
  }

  /** A handle equal to the one `callSoon` (or `callLater`) returned for this batch slot. */
  #twin(callback: Callback, args: unknown, slot: number): Handle {
    const timer = this._scheduled.dueAt(slot);
    if (timer >= 0) return this.#timerIn(timer);
    return new _QueuedHandle(callback, args, this, slot, (this._gen - 1) | 0);
  }

  /** Run a step of `task`; traced or in debug mode, as its handle. */
  #runStep(task: Task<unknown>): void {
    if (this._watch !== null) this._watch.stepStart(task);
    if (this._trace !== null || this.#debug) {
      this.#runHandle(task._stepHandle);
      return;
    }
    try {
      task._step();
    } catch (exception) {
      this.#callbackFailed(task._stepHandle, exception);
    }
  }

  #runHandle(handle: Handle): void {
    const t0 = this.#debug || this._trace !== null ? this.time() : NaN;
    if (this._trace !== null) this.#emit({ kind: "start", time: t0, handle });
    const task = handle._task;
    if (task === null && this._watch !== null) this._watch.callback(handle._callback);
    try {
      if (task !== null) task._step();
      else if (contextsUsed) callHandleIn(handle);
      else callWith(handle._callback, handle._args);
    } catch (exception) {
      this.#callbackFailed(handle, exception);
    }
    if (task !== null) return; // its finish comes when the task suspends
    const t1 = this.#debug || this._trace !== null ? this.time() : 0;
    if (this._trace !== null) this.#emit({ kind: "finish", time: t1, handle });
    if (this.#debug) this.#warnIfSlow(handle, t1 - t0);
  }

  /** Debug mode: name a callback (or task step) that held the loop too long. */
  #warnIfSlow(handle: Handle, seconds: number): void {
    // NaN: debug mode came on during the callback, which was not timed.
    if (!(seconds >= this.slowCallbackDuration)) return;
    console.warn(`Executing ${handle._task ?? handle} took ${seconds.toFixed(3)} seconds`);
  }

  #callbackFailed(handle: Handle, exception: unknown): void {
    const context: ExceptionContext = {
      message: `Exception in callback ${handle.describe()}`,
      exception,
      handle,
    };
    // Debug mode, as asyncio's `source_traceback`: where it was scheduled.
    const source = handle.sourceTraceback;
    if (source !== null) context.sourceTraceback = source;
    this.callExceptionHandler(context);
  }

  #emit(event: TraceEvent): void {
    this._trace!.emit(event);
  }
}

// As Python's bound methods: `loop.callLater(2, loop.stop)` stops this loop.
bindOnRead(EventLoop.prototype, PLAIN_METHODS);

/**
 * A handle's arguments, packed (see `Handle._args`): those of `args` from
 * index `from` on. The scheduling methods read `arguments` rather than take
 * a rest parameter, because V8 allocates a rest array even when it is empty
 * (a fifth of the bytes of a bare callSoon); once V8 inlines this small
 * function into them (measured: no more garbage than the code written out),
 * the `arguments` object is not allocated either.
 */
function packArgs(args: IArguments, from: number): unknown {
  const n = args.length - from;
  if (n === 0) return EMPTY;
  if (n === 1 && !Array.isArray(args[from])) return args[from];
  return Array.prototype.slice.call(args, from);
}

/** Call `callback` with packed arguments (see `Handle._args`). */
function callWith(callback: (...args: never[]) => unknown, args: unknown): void {
  const fn = callback as (...args: unknown[]) => unknown;
  if (!Array.isArray(args)) {
    fn(args);
    return;
  }
  switch (args.length) {
    case 0:
      fn();
      return;
    case 1:
      fn(args[0]);
      return;
    default:
      fn(...args);
  }
}

/**
 * Call a queued callback in its context (`null`: an empty one of its own),
 * as CPython's `Handle._run` calls it through `context.run`.
 */
function callIn(callback: (...args: never[]) => unknown, args: unknown, held: Held | null): void {
  enter(held);
  try {
    callWith(callback, args);
  } finally {
    leave();
  }
}

/** The context a ready-queue slot keeps for its callback (`ReadyQueue.contexts`), taken off it. */
function takeContext(contexts: (Held | undefined)[], slot: number): Held | null {
  if (slot >= contexts.length) return null;
  const held = contexts[slot];
  contexts[slot] = undefined;
  return held ?? null;
}

/** Call a handle's callback in the handle's context. */
function callHandleIn(handle: Handle): void {
  const held = handle._context;
  enter(held);
  let made: Context | null;
  try {
    callWith(handle._callback, handle._args);
  } finally {
    made = leave();
  }
  // It set a variable in its copy, made only then: that copy is the handle's.
  if (made !== null && !(held instanceof Context)) handle._context = made;
}

/** The `CallbackOptions` that end packed arguments (see `packArgs`), if they do. */
function optionsIn(args: unknown): CallbackOptions | null {
  if (args === EMPTY) return null;
  if (!Array.isArray(args)) return args instanceof CallbackOptions ? args : null;
  const last = args[args.length - 1];
  return last instanceof CallbackOptions ? last : null;
}

/** Packed arguments without their trailing `CallbackOptions`. */
function dropOptions(args: unknown): unknown {
  if (!Array.isArray(args)) return EMPTY;
  const rest = args.slice(0, -1);
  if (rest.length === 0) return EMPTY;
  return rest.length === 1 && !Array.isArray(rest[0]) ? rest[0] : rest;
}

/** An error as the default handler prints it: its stack, else its text. */
function errorText(exc: unknown): string {
  return exc instanceof Error ? (exc.stack ?? String(exc)) : String(exc);
}

/** The timer table or the batch holds a twin of a cancelled timer's handle: it is cancelled too. */
function markTwinCancelled(entry: unknown): void {
  if (entry instanceof TimerHandle) entry._cancelled = true;
}

function checkTime(value: unknown, what: string): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${what} must be a finite number of seconds, got ${shortRepr(value)}`);
  }
}

/** One turn of Deno's event loop: host timers and callbacks, ~7 µs. */
function hostTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A turn in which Deno's runtime parks, ~2 ms. While JavaScript keeps
 * waking it (a `setImmediate` chain), Deno's tokio runtime polls sockets
 * only every 61 turns, so a loopback echo under a busy `callSoon` chain
 * took the whole busy period (tests/base_events_test.ts, rule 10). Waiting
 * on a host timer lets it park, and parking polls every socket; other ways
 * (an op finishing on another thread) race with the park and starve at times.
 */
function hostPark(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
