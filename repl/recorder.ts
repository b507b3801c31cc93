/**
 * What the REPL knows about a loop, built only from the loop's trace events
 * (`loop.addTraceListener`): an id for every handle and task, and for each a
 * list of time slices (running, waiting in the ready queue, awaiting). The
 * queue view, the timeline and the trace export all read from here, so what
 * `js` code schedules shows up like what the commands schedule.
 * @module
 */
import { type EventLoop, type Handle, type Task, TimerHandle, type TraceEvent } from "../mod.ts";

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

/** What the REPL calls a handle: the asyncio call that made it, else `handle.describe()`. */
function labelOf(handle: Handle, time: number): string {
  const call = LIBRARY_CALLS.get(handle.callback.name);
  if (call === undefined) return handle.describe();
  // Milliseconds, as the REPL prints times: the real clock moves between two readings.
  const delay = handle instanceof TimerHandle ? Math.max(0, handle.when() - time) : 0;
  return call(Number(delay.toFixed(3)));
}

/** `run`: the loop runs it; `wait`: ready, waiting for the loop; `await`: a task suspended. */
export type SliceKind = "run" | "wait" | "await";

/** A span of loop time, in seconds. */
export interface Slice {
  kind: SliceKind;
  start: number;
  end: number;
  /** A task's step that ran outside the loop (a host promise resumed it). */
  outside?: boolean;
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
  state: "pending" | "ran" | "cancelled" | "done";
  cancelledAt: number | null;
  slices: Slice[];
  open: Slice | null;
  /** A timer still in the heap (not yet due, not cancelled). */
  inHeap: boolean;
  /** The order in which it first ran among everything recorded (null: not yet). */
  firstRun: number | null;
}

/** One run (or a series of steps): the window of time and who did something in it. */
export interface RunRecord {
  title: string;
  start: number;
  end: number;
  entries: Set<Entry>;
  iterations: number;
  /** Plain callbacks run, and task steps run. */
  callbacks: number;
  steps: number;
  active: boolean;
}

/** Listens to a loop's trace events and keeps `Entry`s and the last `RunRecord`. */
export class Recorder {
  /** The last run, or the one going on. */
  record: RunRecord | null = null;
  /** How many recorded handles and task steps wait in the ready queue. */
  readyCount = 0;
  /** How many recorded timers wait in the heap. */
  timerCount = 0;
  /** How many recorded tasks are pending. */
  taskCount = 0;
  /** The entry of the handle scheduled last (to label a `sleep()` timer). */
  lastScheduled: Entry | null = null;
  /** Called when a handle or a task step starts (the `step` command lists them). */
  onStart: ((entry: Entry) => void) | null = null;

  #loop: EventLoop;
  #nextId = 1;
  #runs = 0;
  #byHandle = new Map<Handle, Entry>();
  #byTask = new Map<Task<unknown>, Entry>();
  #byId = new Map<number, Entry>();
  #ignored = new WeakSet<Handle>();
  #ignoreNext = false;
  // The last record as it was before `begin` or `resume`, for `discard`.
  #saved: { record: RunRecord | null; fields: Partial<RunRecord> } | null = null;
  #running: Entry | null = null;
  #stepping: Entry | null = null;
  #unsubscribe: () => void;

  constructor(loop: EventLoop) {
    this.#loop = loop;
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

  /** The pending handle or task with this id. */
  byId(id: number): Entry | undefined {
    return this.#byId.get(id);
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

  /** Start recording a run at the loop's current time. */
  begin(title: string): void {
    const now = this.#loop.time();
    this.#saved = this.#save();
    // Slices wholly before the last record are no longer needed (those in
    // it are, until this one is kept: `discard` brings that one back); an
    // open one (its end not yet known) goes on into this run.
    const since = this.record?.start ?? now;
    const entries = new Set<Entry>();
    for (const entry of this.#byId.values()) {
      entry.slices = entry.slices.filter((s) => s === entry.open || s.end >= since);
      if (entry.open !== null) entries.add(entry);
    }
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
  }

  /** Carry on recording into the current record (`step` after `step`). */
  resume(title: string): void {
    this.#saved = this.#save();
    this.record!.active = true;
    this.record!.title = title;
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
  }

  #save(): { record: RunRecord | null; fields: Partial<RunRecord> } {
    const record = this.record;
    return { record, fields: record === null ? {} : { ...record } };
  }

  /** Stop recording; the record stays as "the last run". */
  end(): void {
    const record = this.record;
    if (record === null) return;
    record.end = this.#loop.time();
    record.active = false;
  }

  #touch(entry: Entry): void {
    if (this.record?.active) this.record.entries.add(entry);
  }

  #open(entry: Entry, kind: SliceKind, time: number): void {
    this.#close(entry, time);
    if (kind === "wait") this.readyCount++;
    entry.open = { kind, start: time, end: time };
    entry.slices.push(entry.open);
    this.#touch(entry);
  }

  #close(entry: Entry, time: number): void {
    if (entry.open === null) return;
    if (entry.open.kind === "wait") this.readyCount--;
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
      state: "pending",
      cancelledAt: null,
      slices: [],
      open: null,
      inHeap: false,
      firstRun: null,
    };
    entry.row = entry;
    this.#byId.set(entry.id, entry);
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
        return this.#scheduled(event.handle, event.time);
      case "due": {
        const entry = this.#byHandle.get(event.handle);
        if (entry === undefined) return;
        this.#leaveHeap(entry);
        this.#open(entry, "wait", event.time);
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
        if (this.record?.active) this.record.iterations++;
        return;
      case "task":
        if (event.phase === "created") this.#taskCreated(event.task, event.time);
        else this.#taskDone(event.task, event.time);
        return;
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
    this.#open(entry, "run", time);
    if (outside) entry.open!.outside = true;
    entry.firstRun ??= this.#runs++;
    if (handle.task !== null) {
      this.#stepping = entry;
      if (this.record?.active) this.record.steps++;
    } else {
      this.#running = entry;
      if (this.record?.active) this.record.callbacks++;
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
      if (entry.state === "done") this.#close(entry, time);
      else this.#open(entry, "await", time);
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
    const entry = this.#add("task", task.getName(), time);
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
    this.#touch(entry);
    this.#forget(entry);
  }
}

/** A slice of a timeline row, clipped to the run's window, with the entry it belongs to. */
export interface RowSlice extends Slice {
  entry: Entry;
}

/** One timeline row: a callback or task (or a callback and the task it started). */
export interface Row {
  head: Entry;
  slices: RowSlice[];
  cancelledAt: number | null;
  /** When the row first did something in the run. */
  first: number;
  /** The order in which the row first ran (Infinity: it did not). */
  firstRun: number;
}

/**
 * The rows of `record`, in the order they first ran: each entry's
 * slices clipped to the run's window, a task's own timers and callbacks
 * left out (they are part of the task), rows with nothing in the window
 * left out.
 */
export function rowsOf(record: RunRecord): Row[] {
  const rows = new Map<Entry, Row>();
  const inWindow = (t: number | null) => t !== null && t >= record.start && t <= record.end;
  for (const entry of record.entries) {
    // A task's own timers and callbacks are part of its row; the tasks it
    // starts get rows of their own.
    if (entry.owner !== null && entry.kind !== "task") continue;
    const slices = entry.slices
      .filter((s) => s.end >= record.start && s.start <= record.end)
      .map((s) => ({
        kind: s.kind,
        start: Math.max(s.start, record.start),
        end: Math.min(entry.open === s ? record.end : s.end, record.end),
        outside: s.outside,
        entry,
      }))
      // Waiting no time at all is not worth drawing; running no time is (an instant callback).
      .filter((s) => s.kind === "run" || s.end > s.start);
    let cancelledAt = entry.cancelledAt;
    if (entry.task?.cancelled() && entry.slices.length > 0) cancelledAt = entry.slices.at(-1)!.end;
    if (!inWindow(cancelledAt)) cancelledAt = null;
    if (slices.length === 0 && cancelledAt === null) continue;
    let row = rows.get(entry.row);
    if (row === undefined) {
      row = { head: entry.row, slices: [], cancelledAt: null, first: Infinity, firstRun: Infinity };
      rows.set(entry.row, row);
    }
    if (entry.firstRun !== null && entry.firstRun < row.firstRun) row.firstRun = entry.firstRun;
    for (const s of slices) {
      row.slices.push(s);
      if (s.start < row.first) row.first = s.start;
    }
    if (cancelledAt !== null) {
      row.cancelledAt ??= cancelledAt;
      row.first = Math.min(row.first, cancelledAt);
    }
  }
  // Rows in the order they first ran, then those that never ran.
  return [...rows.values()].sort((a, b) =>
    a.firstRun - b.firstRun || a.first - b.first || a.head.id - b.head.id
  );
}
