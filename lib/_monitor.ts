// The monitor on the loop's thread (lib/monitor.ts starts it): the hooks
// the loop calls while it watches (`LoopWatch`, lib/_watch.ts), what it
// keeps per task, and the answers to the clients' commands, which its
// Worker (lib/_monitor_worker.ts) passes on. Answers are plain JSON data;
// the clients (monitor/, repl/attach.ts) make the text.
//
// Costs, while it watches (none before: the loop checks `_watch` only):
// - per callback: a compare (the same function again), else three stores
//   to shared memory (what runs, for the Worker to name while the loop is
//   blocked in it);
// - per task step: a count in the task's row and two stores to shared
//   memory (the task's row and the count of steps); while a client is
//   attached (`timing`) also the times, read from the coarse clock the
//   Worker keeps in shared memory, a load instead of an 80 ns
//   `performance.now()`. Busy and scheduled times are sums of differences
//   of a clock that moves every millisecond or two: exact in the sum over
//   many steps, not for one short step;
// - per task: a row of an Int32Array (no object), and its id and names in
//   the shared task table; an ended task's row stays as the history's until
//   the ring of finished rows wraps past it (no strings made for tasks that
//   end well);
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
  epochNow,
  growTaskTable,
  LAYOUT,
  NAME,
  NameArena,
  NONE,
  ORIGIN,
  RUNNING,
  SEQ,
  type Shared,
  sharedViews,
  SLEEPING,
  TASK_CORO,
  TASK_ID,
  TASK_NAME,
  TASK_WIDTH,
  TICKS_PER_MS,
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

// What the monitor keeps per task is in rows of one Int32Array (a task's
// `_monitored` is its row + 1), not in an object per task: with 100,000
// pending tasks an object each was promoted by the collector and cost
// task_steps a fifth of its speed. Times are clock ticks (`Watch.now`),
// integers (a double field is a heap box of its own in Deno's V8); -1 is
// "none". A finished task keeps its row while the history holds it.
// What every step reads or writes comes first (bytes 0–23 of a 64-byte row:
// one cache line in most rows, where the old order spread them over two),
// then what a timed step adds, then what only a task's start and end touch.
// (The id and the names are in the shared task table too, for the Worker.)
const ID = 0, // the monitor's number of the task
  NAME_REF = 1, // its name in the arena, or -N for Task-N
  CORO_REF = 2, // its coroutine function's name in the arena
  STEPS = 3,
  SELF_WAKES = 4, // steps that resumed a sleep(0)
  SUSPENDED_AT = 5, // when its last step ended
  QUEUED_AT = 6,
  STARTED_AT = 7,
  BUSY_T = 8, // ticks its steps ran
  SCHEDULED = 9, // ticks its steps waited in the ready queue
  CREATED = 10, // when it was made (or first seen, if ADOPTED)
  CREATOR = 11, // the id of the task that made it, or 0
  CREATOR_REF = 12, // else: the callback that made it (arena), TOP_LEVEL, or 0 if ADOPTED
  FLAGS = 13, // ADOPTED, TIMED
  ENDED = 14,
  STATE = 15; // Future._state once it ended
const WIDTH = 16;
/** Rows made at first (they double as needed). */
const FIRST_ROWS = 1024;
// TIMED: made while steps were timed (its times are to the millisecond, not
// to the heartbeat's 50 ms).
const ADOPTED = 1, TIMED = 2, TOP_LEVEL = -1;

/** What few tasks need kept beside their row: a cancel, a failure, slow steps, an I/O wait. */
class TaskMore {
  slowSteps = 0;
  maxStep = 0;
  /** The I/O call a step of it was about to await (the `io` trace event's `what`)… */
  io = "";
  /** …in its step number `ioStep` (its STEPS then): current while no step followed. */
  ioStep = 0;
  cancelledBy = "";
  cancelMessage: string | null = null;
  error = "";
  errorStack = "";
  /** A failed task while it lives (to tell whether anyone retrieved its exception). */
  failed: WeakRef<Task<unknown>> | null = null;
  /** Where it was made, `path:line`, in debug mode. */
  createdAt = "";
  /** Its given name, kept when it ends (`Task-N` is made again from NAME_REF). */
  name: string | null = null;
}

/** A task's row, read out for an answer (made per query, never per step). */
interface TaskInfo {
  id: number;
  /** The task, while it is pending. */
  task: Task<unknown> | null;
  taskName: string;
  coro: string;
  created: number;
  adopted: boolean;
  /** Made while steps were timed. */
  timed: boolean;
  creator: number;
  creatorLabel: string;
  steps: number;
  selfWakes: number;
  busy: number;
  scheduled: number;
  suspendedAt: number;
  ended: number;
  state: number;
  more: TaskMore | null;
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
  readonly historySize: number;
  readonly slow: Array<{ id: number; name: string; ms: number; at: number }> = [];
  readonly resources: Array<WeakRef<object>> = [];
  readonly hidden = new WeakSet<object>();
  /** Epoch ms when it started: tick 0 of its clock. */
  readonly started: number;
  steps = 0;
  /** Who is cancelling now, when it is not code of the loop (the monitor's `cancel`). */
  canceller = "";
  /**
   * True while steps are timed: while a client is attached (or always, with
   * `times: "always"`). Untimed, a step costs a count and what the Worker
   * needs to name a blocked loop; timed, also the reads of the coarse
   * clock, the time each step waited in the ready queue, and slow steps.
   */
  timing = false;
  /** Epoch ms since when steps are timed without a break, or null. */
  timedSince: number | null = null;
  #names: NameArena;
  #f64: Float64Array;
  #i32: Int32Array;
  #nextId = 1;
  /** SEQ's value, kept here too: a step stores it without loading shared memory. */
  #seq = 0;
  #shared: Shared;
  #lastFn: { readonly name: string } | null = null;
  /** The row of the task whose step runs, or -1. */
  #running = -1;
  /**
   * The loop's `slowCallbackDuration` in ticks, an integer: read at each
   * heartbeat (a double read and multiplied per step cost the timed step).
   */
  #slowTicks = 0;
  // The tasks' rows (pending, and finished in the history), their cold
  // parts, and the rows free.
  #rows = new Int32Array(WIDTH * FIRST_ROWS);
  /** How many rows there are (free or not). */
  #rowCount = 0;
  #more: Array<TaskMore | null> = [];
  #free: number[] = [];
  /** The finished tasks kept: a ring of their rows. */
  #done: Int32Array;
  #doneCount = 0;
  #doneNext = 0;

  constructor(loop: EventLoop, shared: Shared, historySize: number) {
    this.loop = loop;
    this.started = shared.f64[ORIGIN];
    this.#names = new NameArena(shared);
    this.#shared = shared;
    this.#f64 = shared.f64;
    this.#i32 = shared.i32;
    this.historySize = historySize;
    this.#done = new Int32Array(historySize);
  }

  /**
   * The coarse time, in ticks of 0.1 ms since the monitor started: kept by
   * the Worker every millisecond or two while steps are timed, else by the
   * heartbeat (within 50 ms).
   */
  now(): number {
    return this.#i32[CLOCK];
  }

  /** Time steps from now on, or stop. */
  setTiming(on: boolean): void {
    if (on === this.timing) return;
    this.timing = on;
    this.timedSince = on ? epochNow() : null;
    if (!on) return;
    // What was left from an earlier timed stretch would count the gap.
    this.#i32[CLOCK] = this.ticksNow();
    this.#readSlow();
    const rows = this.#rows;
    for (let at = 0; at < this.#rowCount * WIDTH; at += WIDTH) {
      rows[at + QUEUED_AT] = rows[at + STARTED_AT] = -1;
    }
  }

  #readSlow(): void {
    const ticks = this.loop.slowCallbackDuration * 1000 * TICKS_PER_MS;
    this.#slowTicks = ticks >= 2 ** 30 ? 2 ** 30 : Math.max(0, Math.ceil(ticks));
  }

  /** The time now, as ticks, read from the real clock. */
  ticksNow(): number {
    return Math.round((epochNow() - this.started) * TICKS_PER_MS);
  }

  /** Ticks as epoch ms. */
  epoch(ticks: number): number {
    return this.started + ticks / TICKS_PER_MS;
  }

  /**
   * The callback told of last while only it ran since (see `LoopWatch`):
   * cleared by a step, an idle wait and a heartbeat, so that what runs
   * after those is written again, and a blocked loop is blamed on the
   * callback it is in.
   */
  last: unknown = null;

  callback(fn: (...args: never[]) => unknown): void {
    const i32 = this.#i32;
    this.#lastFn = this.last = fn;
    i32[NAME] = this.#names.refOf(fn);
    i32[RUNNING] = CALLBACK;
    i32[SEQ] = this.#seq = (this.#seq + 1) | 0;
  }

  // The step hooks are what a monitor costs a busy loop (a `sleep(0)` step
  // is ~500 ns): each one loads the task's row once and stores what the
  // Worker needs; nothing else is read per step (an I/O wait is matched to
  // its step by the step count, not cleared per step), and nothing is
  // called that V8 could not inline.

  stepSwitch(ended: Task<unknown>, next: Task<unknown>): void {
    // As stepEnd(ended) then stepStart(next), less the stores that the
    // second overwrites.
    const rows = this.#rows;
    const done = ended._monitored - 1;
    if (this.timing) {
      if (done >= 0) this.#stepEnded(done, this.now(), ended);
    } else if (done >= 0) rows[done * WIDTH + SUSPENDED_AT] = this.#i32[CLOCK];
    this.stepStart(next);
  }

  stepStart(task: Task<unknown>): void {
    this.last = null;
    const row = task._monitored > 0 ? task._monitored - 1 : this.#make(task, true);
    const rows = this.#rows, at = row * WIDTH;
    const i32 = this.#i32;
    this.steps++;
    rows[at + STEPS]++;
    // A step that resumes a sleep(0) is the task waking itself.
    if (typeof task._next === "function" && task._futWaiter === null) rows[at + SELF_WAKES]++; // a sleep(0)
    if (this.timing) {
      const now = this.now();
      const queued = rows[at + QUEUED_AT];
      if (queued >= 0) {
        rows[at + SCHEDULED] += now - queued;
        rows[at + QUEUED_AT] = -1;
      }
      rows[at + STARTED_AT] = now;
    }
    this.#running = row;
    i32[RUNNING] = row + 1;
    i32[SEQ] = this.#seq = (this.#seq + 1) | 0;
  }

  stepEnd(task: Task<unknown>): void {
    // A task that ended has left its row already (see `task`): its step is counted there.
    if (task._monitored <= 0) return;
    const row = task._monitored - 1;
    if (row === this.#running) this.#running = -1;
    this.#i32[RUNNING] = NONE;
    if (this.timing) this.#stepEnded(row, this.now(), task);
    else this.#rows[row * WIDTH + SUSPENDED_AT] = this.#i32[CLOCK];
  }

  #stepEnded(row: number, now: number, task: Task<unknown>): void {
    const rows = this.#rows, at = row * WIDTH;
    const started = rows[at + STARTED_AT];
    if (started < 0) return;
    const ticks = now - started;
    rows[at + STARTED_AT] = -1;
    rows[at + SUSPENDED_AT] = now;
    rows[at + BUSY_T] += ticks;
    if (ticks >= this.#slowTicks) {
      const more = this.#extra(row);
      more.slowSteps++;
      if (ticks > more.maxStep) more.maxStep = ticks;
      const name = task.getName();
      this.slow.push({ id: rows[at + ID], name, ms: ticks / TICKS_PER_MS, at: this.epoch(now) });
      if (this.slow.length > SLOW_KEPT) this.slow.shift();
    }
  }

  stepQueued(task: Task<unknown>): void {
    const at = this.#rowOf(task) * WIDTH, rows = this.#rows;
    if (rows[at + QUEUED_AT] < 0) rows[at + QUEUED_AT] = this.now();
  }

  task(task: Task<unknown>, phase: "created" | "done"): void {
    if (phase === "created") {
      const row = this.#make(task, false), at = row * WIDTH, rows = this.#rows;
      const creator = _taskContext.getStore();
      if (creator !== undefined && creator !== task) {
        rows[at + CREATOR] = rows[this.#rowOf(creator) * WIDTH + ID];
      } else if (this.#i32[RUNNING] === CALLBACK && this.#lastFn !== null) {
        rows[at + CREATOR_REF] = this.#names.refOf(this.#lastFn);
      } else rows[at + CREATOR_REF] = TOP_LEVEL;
      if (task._source !== null) this.#extra(row).createdAt = placeOf(task._source);
      return;
    }
    if (task._monitored <= 0) return;
    const row = task._monitored - 1, at = row * WIDTH, rows = this.#rows;
    const now = this.now();
    // Its last step ends with it (the loop says so after this call).
    if (row === this.#running) {
      this.#running = -1;
      if (this.timing) this.#stepEnded(row, now, task);
    }
    rows[at + ENDED] = now;
    rows[at + STATE] = task._state;
    let more = this.#more[row];
    if (task._name !== null) (more ??= this.#extra(row)).name = task._name;
    if (task._state === 2) {
      more ??= this.#extra(row);
      const error = task._value;
      more.error = errorLine(error);
      more.errorStack = error instanceof Error ? error.stack ?? "" : "";
      // Not the task itself: holding it would keep the loop from reporting
      // an exception nobody retrieved when it is collected.
      more.failed = new WeakRef(task);
    } else if (task._state === 3 && more?.cancelMessage == null && task._cancelMessage !== null) {
      (more ??= this.#extra(row)).cancelMessage = task._cancelMessage;
    }
    this.#keep(row);
    // It keeps its id, negated: a lock it still holds names it as before.
    task._monitored = -rows[at + ID];
  }

  /** Into the history: the row stays as it is, and the oldest one kept is free again. */
  #keep(row: number): void {
    const size = this.historySize;
    if (size === 0) return this.#release(row);
    const to = this.#doneNext;
    if (this.#doneCount === size) this.#release(this.#done[to]);
    else this.#doneCount++;
    this.#done[to] = row;
    this.#doneNext = to + 1 === size ? 0 : to + 1;
  }

  #release(row: number): void {
    this.#more[row] = null;
    this.#free.push(row);
  }

  cancel(task: Task<unknown>, msg: string | null | undefined): void {
    const more = this.#extra(this.#rowOf(task));
    more.cancelledBy = this.#actor(task);
    more.cancelMessage = msg ?? null;
  }

  io(what: string): void {
    const row = this.#running;
    if (row < 0) return;
    const more = this.#extra(row);
    more.io = what;
    more.ioStep = this.#rows[row * WIDTH + STEPS];
  }

  idle(idle: boolean): void {
    const i32 = this.#i32;
    this.last = null;
    if (idle) {
      i32[RUNNING] = NONE;
      i32[BUSY] = 0;
      return;
    }
    i32[BUSY] = 1;
    if (Atomics.load(i32, SLEEPING) === 1) {
      // The Worker's clock stood still while the loop idled: set it now.
      i32[CLOCK] = this.ticksNow();
      Atomics.notify(i32, BUSY);
    }
  }

  /** The row of `task`, made now for a task it has not seen (made before the monitor started). */
  #rowOf(task: Task<unknown>): number {
    // A positive `_monitored` is always this monitor's row: a task finishing
    // negates it, and a monitor that stops clears its tasks' (`release`).
    const row = task._monitored - 1;
    return row >= 0 ? row : this.#make(task, true);
  }

  /** The monitor's id of `task`, pending or ended (no row is made for an ended one). */
  idOf(task: Task<unknown>): number {
    return task._monitored < 0 ? -task._monitored : this.#rows[this.#rowOf(task) * WIDTH + ID];
  }

  /** How many finished tasks the history holds. */
  get doneCount(): number {
    return this.#doneCount;
  }

  /**
   * What `ps --sort` and `top` sort by, read from the pending task's row
   * (no `TaskInfo` made: `top` sorts every task each second).
   */
  sortKey(task: Task<unknown>, key: string, now: number): number {
    const at = this.#rowOf(task) * WIDTH, rows = this.#rows;
    switch (key) {
      case "steps":
        return rows[at + STEPS];
      case "busy":
        return rows[at + BUSY_T];
      case "sched":
        return rows[at + SCHEDULED];
      case "idle":
        return now - rows[at + CREATED] - rows[at + BUSY_T] - rows[at + SCHEDULED];
      default: // age
        return now - rows[at + CREATED];
    }
  }

  #make(task: Task<unknown>, adopted: boolean): number {
    let row = this.#free.pop();
    if (row === undefined) {
      row = this.#rowCount++;
      this.#more.push(null);
      if ((row + 1) * WIDTH > this.#rows.length) {
        const grown = new Int32Array(this.#rows.length * 2);
        grown.set(this.#rows);
        this.#rows = grown;
        growTaskTable(this.#shared, grown.length / WIDTH);
      }
    }
    const rows = this.#rows, at = row * WIDTH;
    // Every field written: a row may be a finished task's, reused.
    const id = rows[at + ID] = this.#nextId++;
    const nameRef = rows[at + NAME_REF] = task._name === null
      ? -task._id
      : this.#names.ref(task._name);
    const coro = task.getCoro();
    // Not `refOf`: most tasks run a closure of their own (`() => work(i)`).
    const coroRef = rows[at + CORO_REF] = this.#names.ref(
      typeof coro === "function" ? coro.name || "<anonymous>" : "<promise>",
    );
    const tasks = this.#shared.tasks, to = row * TASK_WIDTH;
    if (to < tasks.length) {
      tasks[to + TASK_ID] = id;
      tasks[to + TASK_NAME] = nameRef;
      tasks[to + TASK_CORO] = coroRef;
    }
    rows[at + CREATED] = this.now();
    rows[at + CREATOR] = rows[at + CREATOR_REF] = 0;
    rows[at + STEPS] =
      rows[at + SELF_WAKES] =
      rows[at + BUSY_T] =
      rows[at + SCHEDULED] =
        0;
    rows[at + QUEUED_AT] =
      rows[at + STARTED_AT] =
      rows[at + SUSPENDED_AT] =
      rows[at + ENDED] =
        -1;
    rows[at + FLAGS] = (adopted ? ADOPTED : 0) | (this.timing ? TIMED : 0);
    rows[at + STATE] = 0;
    // No array of the tasks: storing each (young) task in a long-lived
    // array made every scavenge visit them all (task_steps, +7 %).
    task._monitored = row + 1;
    return row;
  }

  #extra(row: number): TaskMore {
    return this.#more[row] ??= new TaskMore();
  }

  /**
   * What it keeps of `task`: its row if pending (made now for one it has
   * not seen), its history entry if it ended (or just its id, if the
   * history no longer has it).
   */
  info(task: Task<unknown>): TaskInfo {
    if (task._monitored < 0) {
      const id = -task._monitored;
      const done = this.finished().find((i) => i.id === id);
      if (done !== undefined) return done;
      const view = this.#view(new Int32Array(WIDTH), 0, null, null);
      return {
        ...view,
        id,
        taskName: task.getName(),
        adopted: false,
        timed: false,
        creatorLabel: "",
      };
    }
    const row = this.#rowOf(task);
    return this.#view(this.#rows, row * WIDTH, task, this.#more[row]);
  }

  /** The finished tasks kept, oldest first. */
  finished(): TaskInfo[] {
    const found: TaskInfo[] = [];
    const first = this.#doneCount < this.historySize ? 0 : this.#doneNext;
    for (let i = 0; i < this.#doneCount; i++) {
      const row = this.#done[(first + i) % this.historySize];
      found.push(this.#view(this.#rows, row * WIDTH, null, this.#more[row]));
    }
    return found;
  }

  #view(rows: Int32Array, at: number, task: Task<unknown> | null, more: TaskMore | null): TaskInfo {
    const nameRef = rows[at + NAME_REF];
    const creatorRef = rows[at + CREATOR_REF];
    const adopted = (rows[at + FLAGS] & ADOPTED) !== 0;
    const timed = (rows[at + FLAGS] & TIMED) !== 0;
    return {
      id: rows[at + ID],
      task,
      taskName: task?.getName() ?? more?.name ??
        (nameRef < 0 ? `Task-${-nameRef}` : this.#names.text(nameRef)),
      coro: this.#names.text(rows[at + CORO_REF]),
      created: rows[at + CREATED],
      adopted,
      timed,
      creator: rows[at + CREATOR],
      creatorLabel: adopted
        ? "before the monitor started"
        : creatorRef === TOP_LEVEL
        ? "top level"
        : creatorRef > 0
        ? `callback ${this.#names.text(creatorRef)}`
        : "",
      steps: rows[at + STEPS],
      selfWakes: rows[at + SELF_WAKES],
      busy: rows[at + BUSY_T],
      scheduled: rows[at + SCHEDULED],
      suspendedAt: rows[at + SUSPENDED_AT],
      ended: rows[at + ENDED],
      state: rows[at + STATE],
      more,
    };
  }

  /** Who is calling `cancel()` now: a task, a callback, the monitor, or code outside the loop. */
  #actor(target: Task<unknown>): string {
    if (this.canceller !== "") return this.canceller;
    const task = _taskContext.getStore();
    if (task !== undefined && !task.done()) {
      if (task === target) return "itself";
      return `task ${hex(this.idOf(task))} ${quote(task.getName())}`;
    }
    if (this.#i32[RUNNING] === CALLBACK && this.#lastFn !== null) {
      return `callback ${this.#lastFn.name || "<anonymous>"}`;
    }
    return "code outside the loop";
  }

  /** Heartbeat: the thread had a host turn. */
  beat(): void {
    this.last = null;
    const now = epochNow();
    this.#f64[BEAT] = now;
    // The coarse clock between the Worker's ticks (it ticks only while steps are timed).
    if (!this.timing) this.#i32[CLOCK] = Math.round((now - this.started) * TICKS_PER_MS);
    this.#i32[BEAT_SEQ] = Atomics.load(this.#i32, SEQ);
    if (this.timing) this.#readSlow();
  }

  /** Forget the tasks' rows (the monitor stops: a later one must not read them as its own). */
  release(): void {
    for (const task of this.loop._tasks) if (task._monitored > 0) task._monitored = 0;
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
    const shared = sharedViews(FIRST_ROWS);
    shared.f64[ORIGIN] = shared.f64[BEAT] = epochNow();
    shared.i32[BUSY] = 1;
    const watch = this.#watch = new Watch(loop, shared, history);
    const token = [...crypto.getRandomValues(new Uint8Array(16))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const init: WorkerInit = {
      layout: LAYOUT,
      buffer: shared.buffer,
      tasks: shared.tasksBuffer,
      host,
      port,
      token,
      blockedAfter: Math.max(0.2, loop.slowCallbackDuration),
      timeAlways: options.times === "always",
      blocks: 100,
      program: Deno.mainModule,
    };
    this.#worker = new Worker(WORKER_URL, { workerData: init });
    this.#beat = setInterval(() => watch.beat(), BEAT_MS);
    Deno.unrefTimer(this.#beat);
    // Watching starts now; clients, once the Worker listens.
    this.#hook();
    if (options.times === "always") watch.setTiming(true);
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
          watch.setTiming(this.#clients > 0 || options.times === "always");
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
    for (const task of loop._tasks) watch.info(task);
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
    this.#watch.release();
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
/**
 * What an answer reads of the loop at once. The sets over every task are
 * made only when asked for (`top` asks each second, on a loop that may
 * have 100,000 tasks, and shows 40).
 */
class Snapshot {
  readonly loop: EventLoop;
  readonly watch: Watch;
  // The real time: the coarse clock stands still while the loop idles.
  readonly now: number;
  readonly waiters: Map<Future<unknown>, string>;
  readonly context: Context;
  #ready: Set<Task<unknown>> | null = null;
  #among: Set<Task<unknown>> | null = null;
  #pending: Set<number> | null = null;

  constructor(loop: EventLoop, watch: Watch, context: Context) {
    this.loop = loop;
    this.watch = watch;
    this.now = watch.ticksNow();
    this.waiters = resourceWaiters(watch);
    this.context = context;
  }

  /** The tasks whose next step is queued (only those of `among`, if set). */
  get ready(): Set<Task<unknown>> {
    return this.#ready ??= readyTasks(this.loop, this.#among);
  }

  /** From now on only these tasks' states are asked for. */
  among(tasks: readonly Task<unknown>[]): void {
    this.#among = new Set(tasks);
    this.#ready = null;
  }

  /** The ids of the pending tasks. */
  get pending(): Set<number> {
    if (this.#pending === null) {
      this.#pending = new Set<number>();
      for (const task of this.loop._tasks) this.#pending.add(this.watch.idOf(task));
    }
    return this.#pending;
  }
}

function snapshot(loop: EventLoop, watch: Watch, context: Context): Snapshot {
  return new Snapshot(loop, watch, context);
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
        history: watch.finished().map((i) => doneRow(i, watch)).reverse(),
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
    done: watch.doneCount,
    historySize: watch.historySize,
    timedSince: watch.timedSince,
    clients: context.clients,
    slowCallbackDuration: loop.slowCallbackDuration,
    stuckAfter: context.stuckAfter,
  };
}

/** The tasks whose next step is in the ready queue now (only those of `among`, if given). */
function readyTasks(loop: EventLoop, among: Set<Task<unknown>> | null): Set<Task<unknown>> {
  const found = new Set<Task<unknown>>();
  const add = (task: Task<unknown>) => {
    if (among === null || among.has(task)) found.add(task);
  };
  const scan = (entries: readonly unknown[], from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const entry = entries[i];
      if (entry instanceof Task) add(entry);
      else if (entry !== null && typeof entry === "object" && "_task" in entry) {
        const task = (entry as { _task: Task<unknown> | null })._task;
        if (task !== null) add(task);
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

// What `ps --sort` and `top` sort by, from what the monitor keeps (`Watch.sortKey`).
const SORT_KEYS = new Set(["steps", "busy", "sched", "idle", "age"]);

/**
 * The `limit` items of largest key, largest first, equal keys in their
 * order in `items` (as a stable sort would give): one pass, each item
 * compared with the smallest kept, so `top`'s 40 of 100,000 tasks cost no
 * sort of them all.
 */
function largest<T>(items: readonly T[], key: (item: T) => number, limit: number): T[] {
  if (limit >= items.length / 4) {
    const keyed = items.map((t) => ({ t, k: key(t) }));
    keyed.sort((a, b) => b.k - a.k);
    return keyed.map((x) => x.t);
  }
  const kept: T[] = [], keys: number[] = [];
  for (const item of items) {
    const k = key(item);
    if (kept.length === limit && !(k > keys[limit - 1])) continue;
    // After the equal keys already kept.
    let i = kept.length;
    while (i > 0 && keys[i - 1] < k) i--;
    kept.splice(i, 0, item);
    keys.splice(i, 0, k);
    if (kept.length > limit) {
      kept.pop();
      keys.pop();
    }
  }
  return kept;
}

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
      watch.info(t).coro.toLowerCase().includes(filter)
    );
  }
  if (typeof args.state === "string") {
    const state = args.state;
    tasks = tasks.filter((t) => stateOf(loop, t, snap.ready).startsWith(state));
  }
  const sort = typeof args.sort === "string" && SORT_KEYS.has(args.sort) ? args.sort : null;
  const limit = typeof args.limit === "number" && args.limit >= 0 ? args.limit : Infinity;
  if (args.sort === "name" || args.sort === "state") {
    const text = (t: Task<unknown>) =>
      args.sort === "name" ? t.getName() : stateOf(loop, t, snap.ready);
    tasks = tasks.map((t) => ({ t, k: text(t) })).sort((a, b) => a.k.localeCompare(b.k)).map((x) =>
      x.t
    );
  } else if (sort !== null) {
    tasks = largest(tasks, (t) => watch.sortKey(t, sort, snap.now), limit);
  }
  if (tasks.length > limit) tasks = tasks.slice(0, limit);
  snap.among(tasks);
  return { tasks: tasks.map((task) => taskRow(loop, watch, task, snap)), total };
}

/** The I/O call the task's last step was about to await, if no step ran since. */
function ioOf(info: TaskInfo): string {
  const more = info.more;
  return more !== null && more.ioStep === info.steps ? more.io : "";
}

function taskRow(loop: EventLoop, watch: Watch, task: Task<unknown>, snap: Snapshot) {
  const info = watch.info(task);
  const graph = captureCallGraph(task)!;
  const state = stateOf(loop, task, snap.ready);
  const now = snap.now;
  const age = Math.max(0, now - info.created);
  const seconds = (ticks: number) => ticks / (1000 * TICKS_PER_MS);
  const awaitedBy = graph.awaitedBy.map((parent) => {
    const future = parent.future;
    return future instanceof Task
      ? {
        id: watch.idOf(future),
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
    awaiting: task._futWaiter === null
      ? null
      : ioOf(info) !== ""
      ? `I/O (${ioOf(info)})`
      : describeAwait(watch, task._futWaiter, snap.waiters),
    io: ioOf(info) || null,
    stack: framesOf(graph.callStack),
    awaitedBy,
    created: info.adopted ? null : watch.epoch(info.created),
    createdAt: info.more?.createdAt || null,
    creator: creatorOf(watch, info),
    age: seconds(age),
    steps: info.steps,
    selfWakes: info.selfWakes,
    busy: seconds(info.busy),
    scheduled: seconds(info.scheduled),
    idle: seconds(Math.max(0, age - info.busy - info.scheduled)),
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
    if (watch.idOf(task) === id) return task.getName();
  }
  for (const done of watch.finished()) if (done.id === id) return done.taskName;
  return "";
}

function taskById(loop: EventLoop, watch: Watch, id: number): Task<unknown> | null {
  for (const task of loop._tasks) {
    if (watch.idOf(task) === id) return task;
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
    const id = watch.idOf(fut);
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
  const ms = (ticks: number) => ticks / TICKS_PER_MS;
  const slowSteps = info.more?.slowSteps ?? 0;
  if (slowSteps > 0) {
    found.push(
      `slow: ${slowSteps} step${slowSteps === 1 ? "" : "s"} over ${fmtMs(slowMs)} (longest ${
        fmtMs(ms(info.more!.maxStep))
      })`,
    );
  }
  if (info.steps >= SELF_WAKE_MIN_STEPS && info.selfWakes > info.steps * SELF_WAKE_SHARE) {
    const share = Math.round((100 * info.selfWakes) / info.steps);
    found.push(`self-wakes: ${share}% of ${info.steps} steps resumed a sleep(0)`);
  }
  const waited = ms(snap.now - (info.suspendedAt >= 0 ? info.suspendedAt : info.created));
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
    const id = watch.idOf(fut);
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
    const done = watch.finished().find((i) => i.id === id);
    if (done !== undefined) return { pending: false, done: doneRow(done, watch) };
    throw new RangeError(
      `no pending task ${hex(id)} (where --done ${hex(id)} looks among finished tasks)`,
    );
  }
  const row = taskRow(loop, watch, task, snapshot(loop, watch, context));
  const info = watch.info(task);
  return {
    pending: true,
    task: row,
    repr: String(task),
    graph: formatCallGraph(task),
    creators: creatorChain(watch, info),
    cancelledBy: info.more?.cancelledBy || null,
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
      const candidate = watch.info(task);
      if (candidate?.id === id) next = candidate;
    }
    const done = next === undefined;
    next ??= watch.finished().find((i) => i.id === id);
    chain.push({ id, name: next === undefined ? "" : next.taskName, done });
    at = next;
  }
  if (at !== undefined && at.creatorLabel !== "") {
    chain.push({ id: null, name: at.creatorLabel, done: false });
  }
  return chain;
}

function whereDone(watch: Watch, id: number) {
  const done = watch.finished().find((i) => i.id === id);
  if (done === undefined) {
    throw new RangeError(
      `no finished task ${hex(id)} in the history (it keeps the last ${watch.historySize})`,
    );
  }
  return {
    pending: false,
    done: doneRow(done, watch),
    creators: creatorChain(watch, done),
    stack: done.more?.errorStack || null,
  };
}

function doneRow(info: TaskInfo, watch: Watch) {
  const more = info.more;
  const outcome = info.state === 1
    ? "finished"
    : info.state === 2
    ? `failed: ${more?.error}`
    : `cancelled${more?.cancelledBy ? ` by ${more.cancelledBy}` : ""}${
      more?.cancelMessage != null ? ` (${quote(more.cancelMessage)})` : ""
    }`;
  const task = more?.failed?.deref();
  const unretrieved = task !== undefined && task._unretrievedRef !== null;
  return {
    id: info.id,
    name: info.taskName,
    coro: info.coro,
    outcome,
    ended: watch.epoch(info.ended),
    lifetime: (info.ended - info.created) / (1000 * TICKS_PER_MS),
    steps: info.steps,
    busy: info.busy / (1000 * TICKS_PER_MS),
    timed: info.timed,
    creator: creatorOf(watch, info),
    createdAt: more?.createdAt || null,
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
          id: watch.idOf(waiter),
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
  const id = watch.idOf(holder);
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
    if (r instanceof Semaphore) {
      return {
        kind: r.constructor.name,
        repr: String(r),
        holder: null,
        holders: (r._holders ?? []).map((t) => ({
          id: watch.idOf(t),
          name: t.getName(),
          done: t.done(),
        })),
        waiting: waitingTasks(watch, r._waiterFutures()),
      };
    }
    if (r instanceof Event) {
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
    ("holders" in row && (row.holders?.length ?? 0) > 0) ||
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
  const done = watch.finished().map((i) => doneRow(i, watch)).filter((r) => r.warnings.length > 0)
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
