/**
 * What the REPL knows about a loop, built only from the loop's trace events
 * (`loop.addTraceListener`): an id for every handle and task, and for each a
 * list of time slices (running, waiting in the ready queue, awaiting,
 * awaiting I/O), kept since the loop was made (the session's time base
 * starts there). The queue view, the timeline, `why` and the trace export
 * all read from here, so what `js` code schedules shows up like what the
 * commands schedule.
 * @module
 */
import { type EventLoop, type Handle, type Task, TimerHandle, type TraceEvent } from "../mod.ts";
import { errorLine } from "./errors.ts";

/**
 * The asyncio call behind the library's own timer callbacks, by the name
 * `handle.describe()` shows (`setResultUnlessDone(<SleepFuture …>, None)`
 * is a task's `sleep(1)`): `js` code's sleeps and deadlines then read as the
 * REPL's own `sleep=S` printers do.
 */
const LIBRARY_CALLS = new Map<string, (seconds: number) => string>([
  ["setResultUnlessDone", (s) => `sleep(${s})`],
  ["#onTimeout", (s) => `timeout(${s})`], // timeout(), timeoutAt(), waitFor(), asCompleted()
  ["releaseWaiter", (s) => `wait(…, { timeout: ${s} })`],
]);

/** The library's own callbacks that futures schedule, in the words of what the person wrote. */
const LIBRARY_CALLBACKS = new Map<string, string>([
  ["onChildDone", "gather: child done"],
  // Code outside any task (a js line) that awaited a future goes on.
  ["resumeAwait", "await resumes"],
]);

// How much of an anonymous function's source makes a name.
const SOURCE_CHARS = 40;

/**
 * An anonymous function as the person wrote it (as Deno transpiled it):
 * `() => console.log("hi")`, one line, cut; "" for a named one.
 */
export function sourceName(fn: unknown): string {
  if (typeof fn !== "function" || fn.name !== "") return "";
  const text = Function.prototype.toString.call(fn).replace(/\s+/g, " ").replace(
    /\)=>\s*/g,
    ") => ",
  );
  return text.length > SOURCE_CHARS ? text.slice(0, SOURCE_CHARS - 1) + "…" : text;
}

/** What the REPL calls a handle: the asyncio call that made it, else `handle.describe()`. */
function labelOf(handle: Handle, time: number): string {
  // `callSoon(loop.createTask, f)`, the lecture's call_soon(create_task, …): name the coroutine.
  if (handle.callback.name === "EventLoop.createTask") {
    const coro = handle.args[0];
    return `create_task(${typeof coro === "function" && coro.name !== "" ? coro.name : "…"})`;
  }
  const words = LIBRARY_CALLBACKS.get(handle.callback.name);
  if (words !== undefined) return words;
  const call = LIBRARY_CALLS.get(handle.callback.name);
  if (call === undefined) return sourceName(handle.callback) || handle.describe();
  // Milliseconds, as the REPL prints times: the real clock moves between two readings.
  const delay = handle instanceof TimerHandle ? Math.max(0, handle.when() - time) : 0;
  return call(Number(delay.toFixed(3)));
}

/**
 * `run`: the loop runs it; `wait`: ready, waiting for the loop; `await`: a
 * task suspended on something of the loop's; `io`: a task awaiting I/O.
 */
export type SliceKind = "run" | "wait" | "await" | "io";

/** A span of loop time, in seconds. */
export interface Slice {
  kind: SliceKind;
  start: number;
  end: number;
  /** A task's step that ran outside the loop (a host promise resumed it). */
  outside?: boolean;
  /** `io`: the call awaited (`readuntil`, `wait`, …). */
  what?: string;
}

/** A handle or task the REPL has seen, with its id. */
export interface Entry {
  id: number;
  kind: "callback" | "timer" | "task";
  /** The user's NAME, else the task's name, or what `labelOf` makes of the handle. */
  label: string;
  /** Set by the REPL: what the callback does (`block=0.2`), or how it was made. */
  detail: string;
  handle: Handle | null;
  task: Task<unknown> | null;
  /** The task whose step scheduled this handle (its sleeps): drawn as part of that task. */
  owner: Entry | null;
  /** The entry whose timeline row this one is drawn on (itself, or the callback that made this task). */
  row: Entry;
  /** A task this callback created while it ran (drawn on this row). */
  spawned: Entry | null;
  scheduledAt: number;
  /** A timer's deadline (null: not a timer). */
  due: number | null;
  state: "pending" | "ran" | "cancelled" | "done";
  cancelledAt: number | null;
  /** When it raised (a callback's exception, a task that failed) and the error's line. */
  raised: { at: number; error: string } | null;
  slices: Slice[];
  open: Slice | null;
  /** A timer still in the heap (not yet due, not cancelled). */
  inHeap: boolean;
  /** The order in which it first ran among everything recorded (null: not yet). */
  firstRun: number | null;
}

/** A window of loop time and who did something in it: one run, a series of steps, or the session. */
export interface RunRecord {
  title: string;
  start: number;
  end: number;
  entries: Set<Entry>;
  /** Iterations in which something recorded ran (the REPL's own stop timer does not count). */
  iterations: number;
  /** Plain callbacks run, and task steps run. */
  callbacks: number;
  steps: number;
  active: boolean;
}

/** When the loop ran (a `run`, a `step`), in loop time; between two, nothing could run. */
export interface RunWindow {
  start: number;
  end: number;
}

/** Listens to a loop's trace events and keeps `Entry`s, the run windows and the last `RunRecord`. */
export class Recorder {
  /** The last run (or steps in a row), or the one going on. */
  record: RunRecord | null = null;
  /** Every window in which the loop ran, in order. */
  readonly runs: RunWindow[] = [];
  /** The loop's time when recording began: the session's time base. */
  readonly origin: number;
  /** Counted iterations (those in which something recorded ran), since the origin. */
  iterations = 0;
  /** How many recorded handles and task steps wait in the ready queue. */
  readyCount = 0;
  /** How many recorded timers wait in the heap. */
  timerCount = 0;
  /** How many recorded tasks are pending. */
  taskCount = 0;
  /** How many recorded tasks await I/O (a process, a socket): the loop will hear from it. */
  ioCount = 0;
  /** The entry of the handle scheduled last (to label a `sleep()` timer). */
  lastScheduled: Entry | null = null;
  /** Called when a handle or a task step starts (the `step` command lists them). */
  onStart: ((entry: Entry) => void) | null = null;

  #loop: EventLoop;
  #nextId = 1;
  #runs = 0;
  #all: Entry[] = [];
  #byHandle = new Map<Handle, Entry>();
  #byTask = new Map<Task<unknown>, Entry>();
  #byId = new Map<number, Entry>();
  #ignored = new WeakSet<Handle>();
  #ignoreNext = false;
  // The last record and run windows as they were before `begin` or `resume`, for `discard`.
  #saved: { record: RunRecord | null; fields: Partial<RunRecord>; runs: number } | null = null;
  #running: Entry | null = null;
  #stepping: Entry | null = null;
  // An iteration began and nothing recorded has run in it yet.
  #uncounted = false;
  // Tasks whose running step said it is about to await I/O, and the call.
  #ioNext = new Map<Entry, string>();
  #callbacks = 0;
  #steps = 0;
  #unsubscribe: () => void;

  /** Listen to `loop`; `origin` is where its time base starts (default: its time now). */
  constructor(loop: EventLoop, origin = loop.time()) {
    this.#loop = loop;
    this.origin = origin;
    this.#unsubscribe = loop.addTraceListener((event) => this.#on(event));
  }

  /** Stop listening. */
  dispose(): void {
    this.#unsubscribe();
  }

  /** Schedule something of the REPL's own (the stop timer of `run S`): it gets no id and no row. */
  unrecorded<T extends Handle>(schedule: () => T): T {
    this.#ignoreNext = true;
    try {
      const handle = schedule();
      this.#ignored.add(handle);
      return handle;
    } finally {
      this.#ignoreNext = false;
    }
  }

  /** The id given last (ids run from 1). */
  get lastId(): number {
    return this.#nextId - 1;
  }

  /** The pending handle or task with this id. */
  byId(id: number): Entry | undefined {
    return this.#byId.get(id);
  }

  /** The handle or task with this id, pending or not (since the origin). */
  anyById(id: number): Entry | undefined {
    return this.#all[id - 1];
  }

  /** The entry of a pending handle (a task's step handle gives the task's entry). */
  ofHandle(handle: Handle): Entry | undefined {
    return handle.task !== null ? this.#byTask.get(handle.task) : this.#byHandle.get(handle);
  }

  /** The entry of a pending task. */
  ofTask(task: Task<unknown>): Entry | undefined {
    return this.#byTask.get(task);
  }

  /** The ids of everything pending, in order. */
  pendingIds(): number[] {
    return [...this.#byId.keys()];
  }

  /** The pending timers in the heap, by the task that scheduled them (its sleeps). */
  timersByTask(): Map<Entry, Entry[]> {
    const byTask = new Map<Entry, Entry[]>();
    for (const entry of this.#byHandle.values()) {
      if (entry.owner === null || !entry.inHeap) continue;
      const list = byTask.get(entry.owner) ?? [];
      list.push(entry);
      byTask.set(entry.owner, list);
    }
    return byTask;
  }

  /** Everything since the origin as one window (its end: the last run's). */
  session(): RunRecord {
    const last = this.runs.at(-1);
    const end = last === undefined
      ? this.origin
      : this.record?.active
      ? this.#loop.time()
      : last.end;
    return {
      title: "the session",
      start: this.origin,
      end,
      entries: new Set(this.#all),
      iterations: this.iterations,
      callbacks: this.#callbacks,
      steps: this.#steps,
      active: this.record?.active ?? false,
    };
  }

  /** Say that a callback or task raised (the REPL's exception handler, a failed task). */
  raised(entry: Entry, error: string): void {
    entry.raised = { at: this.#loop.time(), error };
    this.#touch(entry);
  }

  /** Start recording a run at the loop's current time. */
  begin(title: string): void {
    const now = this.#loop.time();
    this.#saved = this.#save();
    // What is still open (a task's await, a callback queued before `run`) goes on into this run.
    const entries = new Set<Entry>();
    for (const entry of this.#byId.values()) if (entry.open !== null) entries.add(entry);
    this.record = {
      title,
      start: now,
      end: now,
      entries,
      iterations: 0,
      callbacks: 0,
      steps: 0,
      active: true,
    };
    this.runs.push({ start: now, end: now });
  }

  /** Carry on recording into the current record (`step` after `step`). */
  resume(title: string): void {
    this.#saved = this.#save();
    this.record!.active = true;
    this.record!.title = title;
    const now = this.#loop.time();
    this.runs.push({ start: now, end: now });
  }

  /**
   * Undo the last `begin` or `resume` once recording has ended: the record
   * before it is the last one again (a `step` that failed leaves none).
   */
  discard(): void {
    const saved = this.#saved;
    if (saved === null) return;
    this.#saved = null;
    this.record = saved.record;
    if (saved.record !== null) Object.assign(saved.record, saved.fields);
    this.runs.length = saved.runs;
  }

  #save(): { record: RunRecord | null; fields: Partial<RunRecord>; runs: number } {
    const record = this.record;
    return { record, fields: record === null ? {} : { ...record }, runs: this.runs.length };
  }

  /** Stop recording; the record stays as "the last run". */
  end(): void {
    const record = this.record;
    if (record === null) return;
    record.end = this.#loop.time();
    record.active = false;
    const window = this.runs.at(-1);
    if (window !== undefined) window.end = record.end;
  }

  #touch(entry: Entry): void {
    if (this.record?.active) this.record.entries.add(entry);
  }

  #open(entry: Entry, kind: SliceKind, time: number): void {
    this.#close(entry, time);
    if (kind === "wait") this.readyCount++;
    if (kind === "io") this.ioCount++;
    entry.open = { kind, start: time, end: time };
    entry.slices.push(entry.open);
    this.#touch(entry);
  }

  #close(entry: Entry, time: number): void {
    if (entry.open === null) return;
    if (entry.open.kind === "wait") this.readyCount--;
    if (entry.open.kind === "io") this.ioCount--;
    entry.open.end = time;
    entry.open = null;
  }

  #add(kind: Entry["kind"], label: string, time: number): Entry {
    const entry: Entry = {
      id: this.#nextId++,
      kind,
      label,
      detail: "",
      handle: null,
      task: null,
      owner: null,
      row: null!,
      spawned: null,
      scheduledAt: time,
      due: null,
      state: "pending",
      cancelledAt: null,
      raised: null,
      slices: [],
      open: null,
      inHeap: false,
      firstRun: null,
    };
    entry.row = entry;
    this.#byId.set(entry.id, entry);
    this.#all.push(entry);
    return entry;
  }

  #forget(entry: Entry): void {
    this.#byId.delete(entry.id);
    if (entry.handle !== null) this.#byHandle.delete(entry.handle);
    if (entry.task !== null) this.#byTask.delete(entry.task);
  }

  #on(event: TraceEvent): void {
    switch (event.kind) {
      case "schedule":
        // The library's I/O completions are the loop's own work, not rows.
        if (event.io) return;
        return this.#scheduled(event.handle, event.time);
      case "due": {
        const entry = this.#byHandle.get(event.handle);
        if (entry === undefined) return;
        this.#leaveHeap(entry);
        // Ready since its deadline, though the loop (busy, or not running) saw it only now.
        this.#open(entry, "wait", Math.min(event.time, entry.due ?? event.time));
        return;
      }
      case "start":
        return this.#started(event.handle, event.time, event.outside === true);
      case "finish":
        return this.#finished(event.handle, event.time);
      case "cancel": {
        const entry = this.#byHandle.get(event.handle);
        if (entry === undefined) return;
        this.#close(entry, event.time);
        this.#leaveHeap(entry);
        entry.state = "cancelled";
        entry.cancelledAt = event.time;
        this.#touch(entry);
        this.#forget(entry);
        return;
      }
      case "iteration":
        this.#uncounted = true;
        return;
      case "task":
        if (event.phase === "created") this.#taskCreated(event.task, event.time);
        else this.#taskDone(event.task, event.time);
        return;
      case "io": {
        const entry = event.task === null ? undefined : this.#byTask.get(event.task);
        if (entry !== undefined) this.#ioNext.set(entry, event.what);
        return;
      }
    }
  }

  #scheduled(handle: Handle, time: number): void {
    if (this.#ignoreNext || this.#ignored.has(handle)) return;
    if (handle.task !== null) {
      // A task's step queued: it stops awaiting and waits for the loop.
      const entry = this.#byTask.get(handle.task);
      if (entry !== undefined) this.#open(entry, "wait", time);
      return;
    }
    const timer = handle instanceof TimerHandle;
    const entry = this.#add(timer ? "timer" : "callback", labelOf(handle, time), time);
    entry.handle = handle;
    entry.owner = this.#stepping;
    this.#byHandle.set(handle, entry);
    this.lastScheduled = entry;
    if (!timer) {
      this.#open(entry, "wait", time);
    } else {
      entry.due = (handle as TimerHandle).when();
      entry.inHeap = true;
      this.timerCount++;
      this.#touch(entry);
    }
  }

  #leaveHeap(entry: Entry): void {
    if (!entry.inHeap) return;
    entry.inHeap = false;
    this.timerCount--;
  }

  #started(handle: Handle, time: number, outside: boolean): void {
    const entry = this.ofHandle(handle);
    if (entry === undefined) return;
    if (!outside && this.#uncounted) {
      this.#uncounted = false;
      this.iterations++;
      if (this.record?.active) this.record.iterations++;
    }
    this.#open(entry, "run", time);
    if (outside) entry.open!.outside = true;
    entry.firstRun ??= this.#runs++;
    const active = this.record?.active === true;
    if (handle.task !== null) {
      this.#stepping = entry;
      this.#steps++;
      if (active) this.record!.steps++;
    } else {
      this.#running = entry;
      this.#callbacks++;
      if (active) this.record!.callbacks++;
    }
    this.onStart?.(entry);
  }

  #finished(handle: Handle, time: number): void {
    if (handle.task !== null) {
      // A step that ran outside the loop may end while another one runs.
      const stepping = this.#stepping;
      const entry = stepping?.task === handle.task ? stepping : this.#byTask.get(handle.task);
      if (entry === stepping) this.#stepping = null;
      if (entry === undefined) return;
      const io = this.#ioNext.get(entry);
      this.#ioNext.delete(entry);
      if (entry.state === "done") {
        this.#close(entry, time);
      } else if (io !== undefined) {
        this.#open(entry, "io", time);
        entry.open!.what = io;
      } else {
        this.#open(entry, "await", time);
      }
      return;
    }
    const entry = this.#byHandle.get(handle);
    this.#running = null;
    if (entry === undefined) return;
    this.#close(entry, time);
    entry.state = "ran";
    this.#forget(entry);
  }

  #taskCreated(task: Task<unknown>, time: number): void {
    // A default name (Task-3) says little: add the coroutine function's name, or its source.
    const coro = task.getCoro();
    const fn = typeof coro === "function" && /^Task-\d+$/.test(task.getName())
      ? coro.name || sourceName(coro)
      : "";
    const entry = this.#add("task", fn === "" ? task.getName() : `${task.getName()} ${fn}`, time);
    entry.task = task;
    entry.owner = this.#stepping;
    const parent = this.#running;
    if (parent !== null && parent.owner === null && parent.spawned === null) {
      // A callback that starts a task (the async printer): one row for both.
      parent.spawned = entry;
      entry.row = parent.row;
    }
    this.#byTask.set(task, entry);
    this.taskCount++;
    this.#touch(entry);
  }

  #taskDone(task: Task<unknown>, time: number): void {
    const entry = this.#byTask.get(task);
    if (entry === undefined) return;
    this.#close(entry, time);
    this.taskCount--;
    entry.state = "done";
    // Failed (state 2), read without retrieving it: the run's end reports it if nobody looks.
    if (task._state === 2) entry.raised = { at: time, error: errorLine(task._value) };
    this.#touch(entry);
    this.#forget(entry);
  }
}
