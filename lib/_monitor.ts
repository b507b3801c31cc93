// The monitor on the loop's thread (lib/monitor.ts starts it): the hooks
// the loop calls while it watches (`LoopWatch`, lib/_watch.ts), what it
// keeps per task, and the answers to the clients' commands, which its
// Worker (lib/_monitor_worker.ts) passes on. Answers are plain JSON data;
// the clients (monitor/, repl/attach.ts) make the text.
//
// Costs, while it watches (none before: the loop checks `_watch` only):
// - per callback: a compare and four stores to shared memory (what runs,
//   for the Worker to name while the loop is blocked in it);
// - per task step: a WeakMap lookup, counters, and the same stores; the
//   times come from the coarse clock the Worker keeps in shared memory, a
//   load instead of an 80 ns `performance.now()`. Busy and scheduled times
//   are sums of differences of a clock that moves every millisecond or two:
//   exact in the sum over many steps, not for one short step;
// - per task: a small record, and one in the history when it ends (no
//   strings made for tasks that end well);
// - a heartbeat every 50 ms (a host timer that does not keep the program
//   alive), which tells the Worker that the thread is not blocked.
import { Worker } from "node:worker_threads";
import type { EventLoop } from "./base_events.ts";
import { type Handle, TimerHandle } from "./events.ts";
import { RuntimeError } from "./exceptions.ts";
import { Future } from "./futures.ts";
import { captureCallGraph, formatCallGraph, formatTaskTree } from "./graph.ts";
import { Barrier, Condition, Event, Lock, Semaphore } from "./locks.ts";
import type { Monitor, MonitorOptions } from "./monitor.ts";
import { Queue } from "./queues.ts";
import { Task } from "./tasks.ts";
import type { TraceEvent } from "./trace.ts";
import { _taskContext } from "./_running.ts";
import { type LoopWatch, setResourceHook } from "./_watch.ts";
import {
  BEAT,
  BEAT_SEQ,
  BUSY,
  CALLBACK,
  CLOCK,
  CORO,
  epochNow,
  KIND,
  LAYOUT,
  NAME,
  NameArena,
  NONE,
  SEQ,
  type Shared,
  sharedViews,
  SINCE,
  SLEEPING,
  STEP,
  TASK,
  type WorkerInit,
} from "./_monitor_shared.ts";

import { monitorWorker } from "./_monitor_worker.ts";

// The Worker's program from its function's source (see lib/_monitor_worker.ts):
// a `data:` URL needs no read permission.
const WORKER_URL = new URL(
  "data:text/javascript;base64," + btoa(
    'import { parentPort, workerData } from "node:worker_threads";\n' +
      `(${monitorWorker})(workerData, parentPort);\n`,
  ),
);
const BEAT_MS = 50;
// A recording keeps at most this many events (a busy loop makes millions a second).
const MAX_RECORDED_EVENTS = 1_000_000;
// Slow steps remembered for `warnings`.
const SLOW_KEPT = 100;
// A task's share of sleep(0) wake-ups above which it busy-loops, once it has this many steps.
const SELF_WAKE_SHARE = 0.5, SELF_WAKE_MIN_STEPS = 10;

/** What the monitor knows of one task, kept in the history once it ends. */
class TaskInfo {
  /** The task while it is pending (dropped when it ends, so the history holds no task). */
  task: Task<unknown> | null;
  id: number;
  /** For the Worker: the name (`-N` for `Task-N`) and coroutine name in the shared arena. */
  nameRef: number;
  coroRef: number;
  coro: string;
  /** Epoch ms; NaN for a task made before the monitor started. */
  created: number;
  /** Epoch ms when the monitor first saw it. */
  seen: number;
  creator: number;
  creatorLabel: string;
  steps = 0;
  selfWakes = 0;
  busy = 0;
  scheduled = 0;
  queuedAt = NaN;
  startedAt = NaN;
  /** When its last step ended: it has awaited since. */
  suspendedAt = NaN;
  slowSteps = 0;
  maxStep = 0;
  io = "";
  cancelledBy = "";
  cancelMessage: string | null = null;
  cancelledAt = NaN;
  // Set when it ends.
  name = "";
  ended = NaN;
  state = 0;
  error = "";
  errorStack = "";
  failed: WeakRef<Task<unknown>> | null = null;
  createdAt = "";

  constructor(task: Task<unknown>, id: number, now: number, known: boolean) {
    this.task = task;
    this.id = id;
    this.nameRef = 0;
    this.coroRef = 0;
    const coro = task.getCoro();
    this.coro = typeof coro === "function" ? coro.name || "<anonymous>" : "<promise>";
    this.created = known ? now : NaN;
    this.seen = now;
    this.creator = 0;
    this.creatorLabel = "";
  }
}

/** A frame as the JSON answers give it. */
interface FrameJson {
  fn: string;
  file: string;
  line: number;
}

/** The hooks on the loop, and what they keep. */
class Watch implements LoopWatch {
  readonly loop: EventLoop;
  readonly shared: Shared;
  readonly infos = new WeakMap<Task<unknown>, TaskInfo>();
  readonly history: TaskInfo[] = [];
  readonly historySize: number;
  readonly slow: Array<{ id: number; name: string; ms: number; at: number }> = [];
  readonly resources: Array<WeakRef<object>> = [];
  readonly hidden = new WeakSet<object>();
  readonly started = epochNow();
  steps = 0;
  callbacks = 0;
  /** Who is cancelling now, when it is not code of the loop (the monitor's `cancel`). */
  canceller = "";
  #names: NameArena;
  #f64: Float64Array;
  #i32: Int32Array;
  #nextId = 1;
  #lastFn: unknown = null;
  #lastRef = 0;
  #running: TaskInfo | null = null;
  /** False until the Worker's clock runs: until then the hooks read the time themselves. */
  clockLive = false;

  constructor(loop: EventLoop, shared: Shared, historySize: number) {
    this.loop = loop;
    this.shared = shared;
    this.#names = new NameArena(shared);
    this.#f64 = shared.f64;
    this.#i32 = shared.i32;
    this.historySize = historySize;
  }

  /** The coarse time (epoch ms). */
  now(): number {
    return this.clockLive ? this.#f64[CLOCK] : (this.#f64[CLOCK] = epochNow());
  }

  callback(fn: (...args: never[]) => unknown): void {
    this.callbacks++;
    const i32 = this.#i32;
    if (fn !== this.#lastFn) {
      this.#lastFn = fn;
      this.#lastRef = this.#names.ref(fn.name || "<anonymous>");
    }
    i32[NAME] = this.#lastRef;
    i32[KIND] = CALLBACK;
    this.#f64[SINCE] = this.now();
    i32[SEQ] = (i32[SEQ] + 1) | 0;
  }

  stepStart(task: Task<unknown>): void {
    const info = this.infos.get(task) ?? this.adopt(task);
    const f64 = this.#f64, i32 = this.#i32;
    const now = this.now();
    this.steps++;
    info.steps++;
    // A step that resumes a sleep(0) is the task waking itself.
    if (task._resume !== null) info.selfWakes++;
    if (info.queuedAt === info.queuedAt) {
      info.scheduled += now - info.queuedAt;
      info.queuedAt = NaN;
    }
    info.startedAt = now;
    info.io = "";
    this.#running = info;
    i32[TASK] = info.id;
    i32[NAME] = info.nameRef;
    i32[CORO] = info.coroRef;
    i32[KIND] = STEP;
    f64[SINCE] = now;
    i32[SEQ] = (i32[SEQ] + 1) | 0;
  }

  stepEnd(task: Task<unknown>): void {
    let info = this.#running;
    if (info === null || info.task !== task && info.task !== null) {
      info = this.infos.get(task) ?? null;
      if (info === null) return;
    }
    this.#running = null;
    this.#i32[KIND] = NONE;
    const now = this.now();
    if (info.startedAt !== info.startedAt) return;
    const ms = now - info.startedAt;
    info.startedAt = NaN;
    info.suspendedAt = now;
    info.busy += ms;
    if (ms >= this.loop.slowCallbackDuration * 1000) {
      info.slowSteps++;
      if (ms > info.maxStep) info.maxStep = ms;
      this.slow.push({ id: info.id, name: task.getName(), ms, at: now });
      if (this.slow.length > SLOW_KEPT) this.slow.shift();
    }
  }

  stepQueued(task: Task<unknown>): void {
    const info = this.infos.get(task) ?? this.adopt(task);
    if (info.queuedAt !== info.queuedAt) info.queuedAt = this.now();
  }

  task(task: Task<unknown>, phase: "created" | "done"): void {
    if (phase === "created") {
      const info = this.#make(task, true);
      const creator = _taskContext.getStore();
      if (creator !== undefined && creator !== task) {
        info.creator = (this.infos.get(creator) ?? this.adopt(creator)).id;
      } else if (this.#i32[KIND] === CALLBACK && this.#lastFn !== null) {
        info.creatorLabel = `callback ${(this.#lastFn as { name: string }).name || "<anonymous>"}`;
      } else info.creatorLabel = "top level";
      if (task._source !== null) info.createdAt = placeOf(task._source);
      return;
    }
    const info = this.infos.get(task) ?? this.adopt(task);
    info.ended = this.now();
    info.state = task._state;
    info.name = task.getName();
    if (task._state === 2) {
      const error = task._value;
      info.error = errorLine(error);
      info.errorStack = error instanceof Error ? error.stack ?? "" : "";
      // Not the task itself: holding it would keep the loop from reporting
      // an exception nobody retrieved when it is collected.
      info.failed = new WeakRef(task);
    } else if (task._state === 3 && info.cancelMessage === null) {
      info.cancelMessage = task._cancelMessage;
    }
    info.task = null;
    const history = this.history;
    history.push(info);
    if (history.length > this.historySize) history.shift();
  }

  cancel(task: Task<unknown>, msg: string | null | undefined): void {
    const info = this.infos.get(task) ?? this.adopt(task);
    info.cancelledBy = this.#actor(task);
    info.cancelMessage = msg ?? null;
    info.cancelledAt = this.now();
  }

  io(what: string): void {
    const info = this.#running;
    if (info !== null) info.io = what;
  }

  idle(idle: boolean): void {
    const i32 = this.#i32;
    if (idle) {
      i32[KIND] = NONE;
      i32[BUSY] = 0;
      return;
    }
    i32[BUSY] = 1;
    if (Atomics.load(i32, SLEEPING) === 1) {
      // The Worker's clock stood still while the loop idled: set it now.
      this.#f64[CLOCK] = epochNow();
      Atomics.notify(i32, BUSY);
    }
  }

  /** The record of a task made before the monitor started (or seen first now). */
  adopt(task: Task<unknown>): TaskInfo {
    return this.#make(task, false);
  }

  #make(task: Task<unknown>, known: boolean): TaskInfo {
    const info = new TaskInfo(task, this.#nextId++, this.now(), known);
    info.nameRef = task._name === null ? -task._id : this.#names.ref(task._name);
    info.coroRef = this.#names.ref(info.coro);
    this.infos.set(task, info);
    return info;
  }

  /** Who is calling `cancel()` now: a task, a callback, the monitor, or code outside the loop. */
  #actor(target: Task<unknown>): string {
    if (this.canceller !== "") return this.canceller;
    const task = _taskContext.getStore();
    if (task !== undefined && !task.done()) {
      if (task === target) return "itself";
      const info = this.infos.get(task) ?? this.adopt(task);
      return `task ${hex(info.id)} ${quote(task.getName())}`;
    }
    if (this.#i32[KIND] === CALLBACK && this.#lastFn !== null) {
      return `callback ${(this.#lastFn as { name: string }).name || "<anonymous>"}`;
    }
    return "code outside the loop";
  }

  /** Heartbeat: the thread had a host turn. */
  beat(): void {
    this.#f64[BEAT] = epochNow();
    this.#i32[BEAT_SEQ] = Atomics.load(this.#i32, SEQ);
  }
}

// ---- Starting and stopping ---------------------------------------------------

class MonitorServer implements Monitor {
  address = "";
  host: string;
  port = 0;
  readonly ready: Promise<Monitor>;
  #loop: EventLoop;
  #watch: Watch;
  #worker: Worker;
  #beat: ReturnType<typeof setInterval>;
  #closed = false;
  #stuckAfter: number;
  #clients = 0;

  constructor(loop: EventLoop, host: string, port: number, options: MonitorOptions) {
    this.#loop = loop;
    this.host = host;
    this.#stuckAfter = options.stuckAfter ?? 10;
    const history = options.history ?? 1000;
    if (!Number.isInteger(history) || history < 0) {
      throw new RangeError(`history must be a whole number, got ${history}`);
    }
    const shared = sharedViews();
    shared.f64[CLOCK] = shared.f64[BEAT] = epochNow();
    shared.i32[BUSY] = 1;
    const watch = this.#watch = new Watch(loop, shared, history);
    const token = [...crypto.getRandomValues(new Uint8Array(16))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const init: WorkerInit = {
      layout: LAYOUT,
      buffer: shared.buffer,
      host,
      port,
      token,
      blockedAfter: Math.max(0.2, loop.slowCallbackDuration),
      blocks: 100,
    };
    this.#worker = new Worker(WORKER_URL, { workerData: init });
    this.#beat = setInterval(() => watch.beat(), BEAT_MS);
    Deno.unrefTimer(this.#beat);
    // Watching starts now; clients, once the Worker listens.
    this.#hook();
    this.ready = new Promise<Monitor>((resolve, reject) => {
      this.#worker.on("error", (err: unknown) => {
        reject(err);
        void this.close();
      });
      this.#worker.on("message", (message: WorkerMessage) => {
        if (message.kind === "listening") {
          // From now on the monitor never keeps the program alive (until
          // then, whoever awaits startMonitor needs the Worker to answer).
          this.#worker.unref();
          this.port = message.port;
          watch.clockLive = true; // the Worker ticks from now on
          const shown = host.includes(":") ? `[${host}]` : host;
          this.address = `${shown}:${message.port}#${token}`;
          const print = options.print ?? true;
          const line = `asyncio monitor: ${this.address}`;
          if (typeof print === "function") print(line);
          else if (print) console.error(line);
          resolve(this);
        } else if (message.kind === "failed") {
          reject(
            new RuntimeError(`the monitor cannot listen on ${host}:${port}: ${message.message}`),
          );
          void this.close();
        } else if (message.kind === "clients") {
          this.#clients = message.count;
        } else if (message.kind === "request") {
          void this.#answer(message);
        }
      });
    });
  }

  #hook(): void {
    const loop = this.#loop, watch = this.#watch;
    loop._watch = watch;
    watchers++;
    setResourceHook((resource) => {
      for (const w of live) w.#register(resource);
    });
    live.add(this);
    loop._closeHooks.push(() => void this.close());
    // What exists already and the loop can name: its pending tasks.
    for (const task of loop._tasks) watch.adopt(task);
  }

  #register(resource: object): void {
    const watch = this.#watch;
    if (resource instanceof Barrier) watch.hidden.add(resource._cond);
    if (resource instanceof Queue) watch.hidden.add(resource._finishedEvent);
    watch.resources.push(new WeakRef(resource));
  }

  async #answer(
    message: { rid: number; cmd: string; args: Record<string, unknown> },
  ): Promise<void> {
    let reply: { ok: boolean; data?: unknown; error?: string };
    try {
      const data = await answer(this.#loop, this.#watch, message.cmd, message.args ?? {}, {
        stuckAfter: this.#stuckAfter,
        clients: this.#clients,
      });
      reply = { ok: true, data };
    } catch (err) {
      reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    if (this.#closed) return;
    try {
      this.#worker.postMessage({ rid: message.rid, ...reply });
    } catch (err) {
      // Not cloneable data: say so rather than leave the client waiting.
      this.#worker.postMessage({ rid: message.rid, ok: false, error: String(err) });
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearInterval(this.#beat);
    if (this.#loop._watch === this.#watch) this.#loop._watch = null;
    if (this.#loop._monitor === this) this.#loop._monitor = null;
    if (live.delete(this) && --watchers === 0) setResourceHook(null);
    return this.#worker.terminate().then(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

type WorkerMessage =
  | { kind: "listening"; port: number }
  | { kind: "failed"; message: string }
  | { kind: "clients"; count: number }
  | { kind: "request"; rid: number; cmd: string; args: Record<string, unknown> };

// The monitors watching now (one per loop); the resource hook feeds them all.
const live = new Set<MonitorServer>();
let watchers = 0;

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

/** `HOST:PORT` (or `[V6]:PORT`) as host and port. */
function parseAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address.trim());
  if (match === null) {
    throw new RangeError(`a monitor address is HOST:PORT (127.0.0.1:0), got '${address}'`);
  }
  return { host: match[1] ?? match[2], port: Number(match[3]) };
}

/** Start watching `loop` (see `startMonitor` in lib/monitor.ts). */
export function _startMonitor(loop: EventLoop, options: MonitorOptions): Promise<Monitor> {
  const existing = loop._monitor as MonitorServer | null;
  if (existing !== null) return existing.ready;
  if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
  let { host, port } = options.address !== undefined
    ? parseAddress(options.address)
    : { host: options.host ?? "127.0.0.1", port: options.port ?? 0 };
  if (host === "localhost") host = "127.0.0.1";
  if (!LOOPBACK.test(host) && !options.allowRemote) {
    throw new RangeError(
      `the monitor listens on loopback only; ${host} is not (pass allowRemote: true to listen there anyway)`,
    );
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port must be 0-65535, got ${port}`);
  }
  const server = new MonitorServer(loop, host, port, options);
  loop._monitor = server;
  return server.ready;
}

// ---- Answers -------------------------------------------------------------------

interface Context {
  stuckAfter: number;
  clients: number;
}

/** What every row of one answer shares, gathered once. */
interface Snapshot {
  ready: Set<Task<unknown>>;
  now: number;
  waiters: Map<Future<unknown>, string>;
  pending: Set<number>;
  context: Context;
}

function snapshot(loop: EventLoop, watch: Watch, context: Context): Snapshot {
  const pending = new Set<number>();
  for (const task of loop._tasks) pending.add((watch.infos.get(task) ?? watch.adopt(task)).id);
  return {
    ready: readyTasks(loop),
    now: watch.now(),
    waiters: resourceWaiters(watch),
    pending,
    context,
  };
}

async function answer(
  loop: EventLoop,
  watch: Watch,
  cmd: string,
  args: Record<string, unknown>,
  context: Context,
): Promise<unknown> {
  switch (cmd) {
    case "info":
      return info(loop, watch, context);
    case "ps":
    case "top":
      return { info: info(loop, watch, context), ...selectTasks(loop, watch, context, args) };
    case "pstree":
      return pstree(loop);
    case "where":
      return args.done
        ? whereDone(watch, Number(args.id))
        : where(loop, watch, Number(args.id), context);
    case "cancel":
      return cancel(loop, watch, Number(args.id), args.msg);
    case "tasks":
      return {
        history: watch.history.map((i) => doneRow(i, watch)).reverse(),
        size: watch.historySize,
      };
    case "resources":
      return resources(loop, watch);
    case "warnings":
      return warnings(loop, watch, context);
    case "record":
      return await record(
        loop,
        Number(args.seconds),
        Number(args.maxEvents) || MAX_RECORDED_EVENTS,
      );
    default:
      throw new RangeError(`unknown command '${cmd}'`);
  }
}

function info(loop: EventLoop, watch: Watch, context: Context) {
  return {
    pid: Deno.pid,
    program: Deno.mainModule,
    now: epochNow(),
    started: watch.started,
    running: loop.isRunning(),
    closed: loop.isClosed(),
    debug: loop.getDebug(),
    iteration: loop.iteration,
    loopTime: loop.time(),
    tasks: loop._tasks.size,
    ready: loop._ready.length,
    timers: loop._scheduled.heap.size - loop._timerCancelledCount,
    steps: watch.steps,
    callbacks: watch.callbacks,
    done: watch.history.length,
    historySize: watch.historySize,
    clients: context.clients,
    slowCallbackDuration: loop.slowCallbackDuration,
    stuckAfter: context.stuckAfter,
  };
}

/** The tasks whose next step is in the ready queue now. */
function readyTasks(loop: EventLoop): Set<Task<unknown>> {
  const found = new Set<Task<unknown>>();
  const scan = (entries: readonly unknown[], from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const entry = entries[i];
      if (entry instanceof Task) found.add(entry);
      else if (entry !== null && typeof entry === "object" && "_task" in entry) {
        const task = (entry as { _task: Task<unknown> | null })._task;
        if (task !== null) found.add(task);
      }
    }
  };
  scan(loop._batch.entries, loop._batchPos, loop._batch.length);
  scan(loop._ready.entries, 0, loop._ready.length);
  return found;
}

function stateOf(loop: EventLoop, task: Task<unknown>, ready: Set<Task<unknown>>): string {
  if (loop._stepTask === task) return "running";
  if (ready.has(task)) return "ready";
  if (task._external) return "awaiting outside";
  return "awaiting";
}

function framesOf(
  graphFrames: readonly { frame: { functionName: string; fileName: string; lineNumber: number } }[],
): FrameJson[] {
  return graphFrames.map(({ frame }) => ({
    fn: frame.functionName || "<anonymous>",
    file: displayPath(frame.fileName),
    line: frame.lineNumber,
  }));
}

function taskRows(loop: EventLoop, watch: Watch, context: Context) {
  const snap = snapshot(loop, watch, context);
  return [...loop._tasks].map((task) => taskRow(loop, watch, task, snap));
}

// What `ps --sort` and `top` sort by, from what the monitor keeps (no row is made to sort).
const SORT_KEYS: Record<string, (info: TaskInfo, now: number) => number> = {
  steps: (i) => i.steps,
  busy: (i) => i.busy,
  sched: (i) => i.scheduled,
  idle: (i, now) => now - (i.created === i.created ? i.created : i.seen) - i.busy - i.scheduled,
  age: (i, now) => now - (i.created === i.created ? i.created : i.seen),
};

/**
 * The rows `ps` and `top` asked for: filtered by name or coroutine and
 * state, sorted, at most `limit`. Only the rows kept are made (a call
 * graph each): `top` on 100,000 tasks makes a screenful.
 */
function selectTasks(
  loop: EventLoop,
  watch: Watch,
  context: Context,
  args: Record<string, unknown>,
) {
  const snap = snapshot(loop, watch, context);
  let tasks = [...loop._tasks];
  const total = tasks.length;
  const filter = typeof args.filter === "string" ? args.filter.toLowerCase() : null;
  if (filter !== null) {
    tasks = tasks.filter((t) =>
      t.getName().toLowerCase().includes(filter) ||
      (watch.infos.get(t) ?? watch.adopt(t)).coro.toLowerCase().includes(filter)
    );
  }
  if (typeof args.state === "string") {
    const state = args.state;
    tasks = tasks.filter((t) => stateOf(loop, t, snap.ready).startsWith(state));
  }
  const key = typeof args.sort === "string" ? SORT_KEYS[args.sort] : undefined;
  if (args.sort === "name" || args.sort === "state") {
    const text = (t: Task<unknown>) =>
      args.sort === "name" ? t.getName() : stateOf(loop, t, snap.ready);
    tasks = tasks.map((t) => ({ t, k: text(t) })).sort((a, b) => a.k.localeCompare(b.k)).map((x) =>
      x.t
    );
  } else if (key !== undefined) {
    const keyed = tasks.map((t) => ({ t, k: key(watch.infos.get(t) ?? watch.adopt(t), snap.now) }));
    keyed.sort((a, b) => b.k - a.k);
    tasks = keyed.map((x) => x.t);
  }
  const limit = typeof args.limit === "number" && args.limit >= 0 ? args.limit : Infinity;
  if (tasks.length > limit) tasks = tasks.slice(0, limit);
  return { tasks: tasks.map((task) => taskRow(loop, watch, task, snap)), total };
}

function taskRow(loop: EventLoop, watch: Watch, task: Task<unknown>, snap: Snapshot) {
  const info = watch.infos.get(task) ?? watch.adopt(task);
  const graph = captureCallGraph(task)!;
  const state = stateOf(loop, task, snap.ready);
  const now = snap.now;
  const born = info.created === info.created ? info.created : info.seen;
  const age = Math.max(0, now - born);
  const awaitedBy = graph.awaitedBy.map((parent) => {
    const future = parent.future;
    return future instanceof Task
      ? {
        id: (watch.infos.get(future) ?? watch.adopt(future)).id,
        name: future.getName(),
        stack: framesOf(parent.callStack),
      }
      : { id: null, name: String(future), stack: [] };
  });
  return {
    id: info.id,
    name: task.getName(),
    coro: info.coro,
    state,
    awaiting: task._futWaiter === null ? null : describeAwait(watch, task._futWaiter, snap.waiters),
    io: info.io || null,
    stack: framesOf(graph.callStack),
    awaitedBy,
    created: info.created === info.created ? info.created : null,
    createdAt: info.createdAt || null,
    creator: creatorOf(watch, info),
    age: age / 1000,
    steps: info.steps,
    selfWakes: info.selfWakes,
    busy: info.busy / 1000,
    scheduled: info.scheduled / 1000,
    idle: Math.max(0, age - info.busy - info.scheduled) / 1000,
    cancelling: task.cancelling(),
    warnings: taskWarnings(loop, watch, task, info, snap),
  };
}

function creatorOf(watch: Watch, info: TaskInfo): { id: number | null; name: string } {
  if (info.creator === 0) {
    return { id: null, name: info.creatorLabel || "before the monitor started" };
  }
  return { id: info.creator, name: nameOfId(watch, info.creator) };
}

/** The name of the task with monitor id `id`, pending or in the history. */
function nameOfId(watch: Watch, id: number): string {
  for (const task of watch.loop._tasks) {
    if (watch.infos.get(task)?.id === id) return task.getName();
  }
  for (const done of watch.history) if (done.id === id) return done.name;
  return "";
}

function taskById(loop: EventLoop, watch: Watch, id: number): Task<unknown> | null {
  for (const task of loop._tasks) {
    if ((watch.infos.get(task) ?? watch.adopt(task)).id === id) return task;
  }
  return null;
}

/** What a task awaits, in words: a sleep and when it ends, a task, a lock's turn, else the repr. */
function describeAwait(
  watch: Watch,
  fut: Future<unknown>,
  waiters: Map<Future<unknown>, string>,
): string {
  if (fut instanceof Task) {
    const id = (watch.infos.get(fut) ?? watch.adopt(fut)).id;
    return `task ${hex(id)} ${quote(fut.getName())}`;
  }
  const resource = waiters.get(fut);
  if (resource !== undefined) return resource;
  if (fut.constructor.name === "SleepFuture") {
    const timer = (fut as unknown as { timer: TimerHandle | null }).timer;
    if (timer === null) return "sleep(Infinity)";
    const left = timer.when() - watch.loop.time();
    return `sleep, ${left >= 0 ? `${left.toFixed(1)} s left` : "due"}`;
  }
  return short(String(fut), 120);
}

function taskWarnings(
  loop: EventLoop,
  watch: Watch,
  task: Task<unknown>,
  info: TaskInfo,
  snap: Snapshot,
): string[] {
  const found: string[] = [];
  const slowMs = loop.slowCallbackDuration * 1000;
  if (info.slowSteps > 0) {
    found.push(
      `slow: ${info.slowSteps} step${info.slowSteps === 1 ? "" : "s"} over ${
        fmtMs(slowMs)
      } (longest ${fmtMs(info.maxStep)})`,
    );
  }
  if (info.steps >= SELF_WAKE_MIN_STEPS && info.selfWakes > info.steps * SELF_WAKE_SHARE) {
    const share = Math.round((100 * info.selfWakes) / info.steps);
    found.push(`self-wakes: ${share}% of ${info.steps} steps resumed a sleep(0)`);
  }
  const waited = snap.now - (info.suspendedAt === info.suspendedAt ? info.suspendedAt : info.seen);
  if (waited >= snap.context.stuckAfter * 1000) {
    const why = stuckReason(loop, watch, task, snap.waiters, new Set());
    if (why !== null) found.push(`stuck: ${fmtMs(waited)} on ${why}`);
  }
  // Its creator ended without awaiting it, and nothing else does: fire and forget.
  if (info.creator !== 0 && !snap.pending.has(info.creator) && task._callbacks === null) {
    found.push(`dropped: created by task ${hex(info.creator)}, which has ended; nothing awaits it`);
  }
  return found;
}

/**
 * Why nothing can complete what `task` awaits, if the monitor can tell: an
 * infinite sleep, a future of a closed loop, an await cycle, a lock whose
 * holder has ended, or a task that is itself stuck. Otherwise null (it may
 * still never complete: who holds a plain future is not known).
 */
function stuckReason(
  loop: EventLoop,
  watch: Watch,
  task: Task<unknown>,
  waiters: Map<Future<unknown>, string>,
  seen: Set<Task<unknown>>,
): string | null {
  const fut = task._futWaiter;
  if (fut === null) return null;
  seen.add(task);
  if (
    fut.constructor.name === "SleepFuture" && (fut as unknown as { timer: unknown }).timer === null
  ) {
    return "sleep(Infinity)";
  }
  if (fut._loop !== loop && fut._loop.isClosed()) return "a future of a closed loop";
  if (fut instanceof Task) {
    const id = (watch.infos.get(fut) ?? watch.adopt(fut)).id;
    if (seen.has(fut)) return `an await cycle through task ${hex(id)} ${quote(fut.getName())}`;
    const inner = stuckReason(loop, watch, fut, waiters, seen);
    return inner === null
      ? null
      : `task ${hex(id)} ${quote(fut.getName())}, itself stuck on ${inner}`;
  }
  const resource = waiters.get(fut);
  if (resource !== undefined && resource.includes("(held by an ended task")) return resource;
  return null;
}

// ---- pstree, where, cancel, history ----------------------------------------------

function pstree(loop: EventLoop): { tree: string | null; cycles: string[][] } {
  try {
    return { tree: formatTaskTree(loop), cycles: [] };
  } catch (err) {
    if (!(err instanceof RuntimeError) || !err.message.startsWith("await-graph contains cycles")) {
      throw err;
    }
    // formatTaskTree names each cycle as `cycle: a → b → a`, joined by "; ".
    const cycles = err.message.slice(err.message.indexOf("cycle: ")).split("; ").map((c) =>
      c.replace(/^cycle: /, "").split(" → ")
    );
    return { tree: null, cycles };
  }
}

function where(loop: EventLoop, watch: Watch, id: number, context: Context) {
  const task = taskById(loop, watch, id);
  if (task === null) {
    const done = watch.history.find((i) => i.id === id);
    if (done !== undefined) return { pending: false, done: doneRow(done, watch) };
    throw new RangeError(
      `no pending task ${hex(id)} (where --done ${hex(id)} looks among finished tasks)`,
    );
  }
  const row = taskRow(loop, watch, task, snapshot(loop, watch, context));
  const info = watch.infos.get(task)!;
  return {
    pending: true,
    task: row,
    repr: String(task),
    graph: formatCallGraph(task),
    creators: creatorChain(watch, info),
    cancelledBy: info.cancelledBy || null,
  };
}

/** The tasks that created this one, innermost first, ending with a callback or the top level. */
function creatorChain(
  watch: Watch,
  info: TaskInfo,
): Array<{ id: number | null; name: string; done: boolean }> {
  const chain: Array<{ id: number | null; name: string; done: boolean }> = [];
  const seen = new Set<number>();
  let at: TaskInfo | undefined = info;
  while (at !== undefined && at.creator !== 0 && !seen.has(at.creator)) {
    seen.add(at.creator);
    const id: number = at.creator;
    let next: TaskInfo | undefined;
    for (const task of watch.loop._tasks) {
      const candidate = watch.infos.get(task);
      if (candidate?.id === id) next = candidate;
    }
    const done = next === undefined;
    next ??= watch.history.find((i) => i.id === id);
    chain.push({ id, name: next === undefined ? "" : next.task?.getName() ?? next.name, done });
    at = next;
  }
  if (at !== undefined && at.creatorLabel !== "") {
    chain.push({ id: null, name: at.creatorLabel, done: false });
  }
  return chain;
}

function whereDone(watch: Watch, id: number) {
  const done = watch.history.find((i) => i.id === id);
  if (done === undefined) {
    throw new RangeError(
      `no finished task ${hex(id)} in the history (it keeps the last ${watch.historySize})`,
    );
  }
  return {
    pending: false,
    done: doneRow(done, watch),
    creators: creatorChain(watch, done),
    stack: done.errorStack || null,
  };
}

function doneRow(info: TaskInfo, watch: Watch) {
  const outcome = info.state === 1
    ? "finished"
    : info.state === 2
    ? `failed: ${info.error}`
    : `cancelled${info.cancelledBy !== "" ? ` by ${info.cancelledBy}` : ""}${
      info.cancelMessage !== null ? ` (${quote(info.cancelMessage)})` : ""
    }`;
  const task = info.failed?.deref();
  const unretrieved = task !== undefined && task._unretrievedRef !== null;
  const born = info.created === info.created ? info.created : info.seen;
  return {
    id: info.id,
    name: info.name,
    coro: info.coro,
    outcome,
    ended: info.ended,
    lifetime: (info.ended - born) / 1000,
    steps: info.steps,
    busy: info.busy / 1000,
    creator: creatorOf(watch, info),
    createdAt: info.createdAt || null,
    warnings: unretrieved ? ["exception never retrieved"] : [],
  };
}

function cancel(loop: EventLoop, watch: Watch, id: number, msg: unknown) {
  const task = taskById(loop, watch, id);
  if (task === null) throw new RangeError(`no pending task ${hex(id)}`);
  watch.canceller = "the monitor";
  try {
    const cancelled = task.cancel(typeof msg === "string" ? msg : null);
    return { id, name: task.getName(), cancelled };
  } finally {
    watch.canceller = "";
  }
}

// ---- Resources -------------------------------------------------------------------

/** The tasks among a future's waiters. */
function waitingTasks(
  watch: Watch,
  futures: Future<unknown>[],
): Array<{ id: number; name: string }> {
  const found: Array<{ id: number; name: string }> = [];
  for (const fut of futures) {
    const cbs = fut._callbacks;
    for (const waiter of cbs === null ? [] : Array.isArray(cbs) ? cbs : [cbs]) {
      if (waiter instanceof Task && !waiter.done()) {
        found.push({
          id: (watch.infos.get(waiter) ?? watch.adopt(waiter)).id,
          name: waiter.getName(),
        });
      }
    }
  }
  return found;
}

function holderOf(watch: Watch, lock: Lock): { id: number; name: string; done: boolean } | null {
  const holder = lock._holder;
  if (holder === null || !lock.locked()) return null;
  const id = (watch.infos.get(holder) ?? watch.adopt(holder)).id;
  return { id, name: holder.getName(), done: holder.done() };
}

function liveResources(watch: Watch): object[] {
  const alive: object[] = [];
  const kept: Array<WeakRef<object>> = [];
  for (const ref of watch.resources) {
    const r = ref.deref();
    if (r === undefined) continue;
    kept.push(ref);
    if (!watch.hidden.has(r)) alive.push(r);
  }
  watch.resources.splice(0, watch.resources.length, ...kept);
  return alive;
}

/** Each waiter future of a lock, condition or semaphore, as the await it stands for. */
function resourceWaiters(watch: Watch): Map<Future<unknown>, string> {
  const map = new Map<Future<unknown>, string>();
  for (const r of liveResources(watch)) {
    if (r instanceof Lock || r instanceof Condition) {
      const lock = r instanceof Lock ? r : r._lock;
      const holder = holderOf(watch, lock);
      const held = holder === null
        ? ""
        : holder.done
        ? ` (held by an ended task, ${hex(holder.id)} ${
          quote(holder.name)
        }: nothing will release it)`
        : ` held by task ${hex(holder.id)} ${quote(holder.name)}`;
      const what = r instanceof Lock ? `Lock.acquire() ${r}${held}` : `Condition.wait() ${r}`;
      for (const fut of r._waiterFutures()) map.set(fut, what);
    } else if (r instanceof Semaphore || r instanceof Event) {
      const what = `${
        r instanceof Event ? "Event.wait()" : `${r.constructor.name}.acquire()`
      } ${r}`;
      for (const fut of r._waiterFutures()) map.set(fut, what);
    } else if (r instanceof Queue) {
      const { getters, putters } = r._waiterFutures();
      for (const fut of getters) map.set(fut, `${r.constructor.name}.get() ${r}`);
      for (const fut of putters) map.set(fut, `${r.constructor.name}.put() ${r}`);
    }
  }
  return map;
}

function resources(loop: EventLoop, watch: Watch) {
  const rows = liveResources(watch).map((r) => {
    if (r instanceof Lock) {
      return {
        kind: "Lock",
        repr: String(r),
        holder: holderOf(watch, r),
        waiting: waitingTasks(watch, r._waiterFutures()),
      };
    }
    if (r instanceof Condition) {
      return {
        kind: "Condition",
        repr: String(r),
        holder: holderOf(watch, r._lock),
        waiting: waitingTasks(watch, r._waiterFutures()),
      };
    }
    if (r instanceof Semaphore || r instanceof Event) {
      return {
        kind: r.constructor.name,
        repr: String(r),
        holder: null,
        waiting: waitingTasks(watch, r._waiterFutures()),
      };
    }
    if (r instanceof Barrier) {
      return {
        kind: "Barrier",
        repr: String(r),
        holder: null,
        waiting: waitingTasks(watch, r._cond._waiterFutures()),
      };
    }
    const q = r as Queue<unknown>;
    const { getters, putters } = q._waiterFutures();
    return {
      kind: q.constructor.name,
      repr: String(q),
      holder: null,
      waiting: waitingTasks(watch, getters),
      putting: waitingTasks(watch, putters),
      size: q.qsize(),
      maxsize: q.maxsize,
      unfinished: q._unfinished,
    };
  }).filter((row) =>
    row.holder !== null || row.waiting.length > 0 ||
    ("putting" in row && (row.putting?.length ?? 0) > 0) || "size" in row
  );
  return { resources: rows, timers: timers(loop, watch), since: watch.started };
}

/** The pending timers, soonest first: when, the callback, and for a sleep the task it wakes. */
function timers(loop: EventLoop, watch: Watch) {
  const table = loop._scheduled;
  const now = loop.time();
  const rows: Array<{ due: number; callback: string; task: { id: number; name: string } | null }> =
    [];
  for (const slot of table.heap.sorted()) {
    const entry = table.entries[slot];
    if (entry === null) continue;
    const callback = typeof entry === "function" ? entry : (entry as TimerHandle)._callback;
    const args = typeof entry === "function" ? table.args[slot] : (entry as TimerHandle)._args;
    const first = Array.isArray(args) ? args[0] : args;
    let task: { id: number; name: string } | null = null;
    if (first instanceof Future) task = waitingTasks(watch, [first])[0] ?? null;
    rows.push({ due: table.whens[slot] - now, callback: callback.name || "<anonymous>", task });
    if (rows.length >= 200) break;
  }
  return rows;
}

function warnings(loop: EventLoop, watch: Watch, context: Context) {
  const rows = taskRows(loop, watch, context).filter((r) => r.warnings.length > 0)
    .map((r) => ({ id: r.id, name: r.name, warnings: r.warnings }));
  const done = watch.history.map((i) => doneRow(i, watch)).filter((r) => r.warnings.length > 0)
    .map((r) => ({ id: r.id, name: r.name, warnings: r.warnings }));
  return {
    tasks: rows,
    done,
    slow: watch.slow,
    slowCallbackDuration: loop.slowCallbackDuration,
    stuckAfter: context.stuckAfter,
  };
}

// ---- record --------------------------------------------------------------------

/**
 * The loop's trace events for `seconds`, as a recording the REPL replays
 * (repl/attach.ts): each handle and task once with what the REPL shows of
 * it, then the events naming them by number.
 */
async function record(loop: EventLoop, seconds: number, maxEvents: number) {
  if (!(seconds > 0 && seconds <= 3600)) {
    throw new RangeError("record: SECONDS must be in (0, 3600]");
  }
  const handleIds = new WeakMap<object, number>();
  const taskIds = new WeakMap<object, number>();
  const handles: unknown[][] = [];
  const tasks: unknown[][] = [];
  const events: unknown[][] = [];
  let truncated = false;
  const taskId = (task: Task<unknown>): number => {
    let id = taskIds.get(task);
    if (id === undefined) {
      taskIds.set(task, id = tasks.length + 1);
      const coro = task.getCoro();
      tasks.push([id, task.getName(), typeof coro === "function" ? coro.name : ""]);
    }
    return id;
  };
  const handleId = (handle: Handle): number => {
    let id = handleIds.get(handle);
    if (id === undefined) {
      handleIds.set(handle, id = handles.length + 1);
      const arg0 = handle.args[0];
      handles.push([
        id,
        handle instanceof TimerHandle ? "timer" : handle.task !== null ? "step" : "callback",
        handle.task !== null ? "" : handle.describe(),
        handle.callback.name,
        handle instanceof TimerHandle ? handle.when() : null,
        handle.task !== null ? taskId(handle.task) : null,
        typeof arg0 === "function" ? arg0.name : null,
      ]);
    }
    return id;
  };
  const start = loop.time();
  // The tasks already pending, as if made now: the REPL's recorder names a
  // task's steps only after it has seen the task made.
  for (const task of loop._tasks) events.push(["task", start, "created", taskId(task)]);
  const listener = (event: TraceEvent) => {
    if (events.length >= maxEvents) {
      truncated = true;
      return;
    }
    const t = event.time;
    switch (event.kind) {
      case "schedule":
        events.push(
          event.io
            ? ["schedule", t, handleId(event.handle), 1]
            : ["schedule", t, handleId(event.handle)],
        );
        return;
      case "due":
      case "finish":
      case "cancel":
        events.push([event.kind, t, handleId(event.handle)]);
        return;
      case "start":
        events.push(
          event.outside
            ? ["start", t, handleId(event.handle), 1]
            : ["start", t, handleId(event.handle)],
        );
        return;
      case "iteration":
        events.push(["iteration", t, event.iteration, event.ready]);
        return;
      case "idle":
        events.push(["idle", t, event.until]);
        return;
      case "task": {
        const id = taskId(event.task);
        if (event.phase === "created") events.push(["task", t, "created", id]);
        else {
          const state = event.task._state;
          events.push([
            "task",
            t,
            "done",
            id,
            state,
            state === 2 ? errorLine(event.task._value) : null,
          ]);
        }
        return;
      }
      case "io":
        events.push(["io", t, event.what, event.task === null ? null : taskId(event.task)]);
        return;
    }
  };
  const remove = loop.addTraceListener(listener);
  try {
    await new Promise<void>((resolve) => {
      // A host timer: the recording must not show a timer of its own.
      const timer = setTimeout(resolve, seconds * 1000);
      Deno.unrefTimer(timer);
      loop._closeHooks.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    remove();
  }
  return {
    format: "asyncio-deno-recording",
    version: 1,
    program: Deno.mainModule,
    pid: Deno.pid,
    clock: loop.clock.virtual ? "virtual" : "real",
    start,
    end: loop.time(),
    truncated,
    handles,
    tasks,
    events,
  };
}

// ---- Text helpers ------------------------------------------------------------------

/** A task's id as the clients show it (CPython shows an address): `0x1f`. */
function hex(id: number): string {
  return `0x${id.toString(16)}`;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "\\'")}'`;
}

function short(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function errorLine(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return short(String(error), 200);
}

/** `file:` URLs as paths, as CPython names a file. */
function displayPath(fileName: string): string {
  if (!fileName.startsWith("file://")) return fileName;
  return decodeURIComponent(new URL(fileName).pathname);
}

const LIB_DIR = new URL("./", import.meta.url).href;

/** Where a debug-mode creation stack was: its first frame outside the library, as `path:line`. */
function placeOf(stack: string): string {
  for (const line of stack.split("\n").slice(1)) {
    const match = /\(?((?:file|https?):\/\/[^\s)]+):(\d+):\d+\)?\s*$/.exec(line.trim());
    if (match === null || match[1].startsWith(LIB_DIR)) continue;
    return `${displayPath(match[1])}:${match[2]}`;
  }
  return "";
}
