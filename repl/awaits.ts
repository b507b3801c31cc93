/**
 * What a task is doing, in the words of what a person wrote: the task it
 * awaits by its id, a `gather` by its children, a sleep by its timer, a
 * plain future as asyncio shows it (without the loop's own callbacks). For
 * `tasks`, `graph` and the trees of the browser view.
 * @module
 */
import { Future, Task, TimerHandle } from "../mod.ts";
import type { Entry, Recorder } from "./recorder.ts";
import { fmt } from "./render.ts";

/** The pending tasks' states need these, gathered once per listing. */
export interface TaskListing {
  recorder: Recorder;
  /** Tasks whose step is in the ready queue. */
  stepQueued: ReadonlySet<Task<unknown> | null>;
  /** The pending timers, by the task that scheduled them (`Recorder.timersByTask`). */
  timers: ReadonlyMap<Entry, Entry[]>;
}

/** `#3 sleeper(1)`, or the task's name if the REPL has no entry for it. */
export function taskName(recorder: Recorder, task: Task<unknown>): string {
  const entry = recorder.ofTask(task);
  return entry === undefined ? task.getName() : `#${entry.id} ${entry.label}`;
}

/** What `future` is, as written: a task, `gather(…)` of its children, a sleep, or its repr. */
export function futureText(recorder: Recorder, future: Future<unknown>, depth = 0): string {
  if (future instanceof Task) return taskName(recorder, future);
  const { children, timer } = future as { children?: unknown; timer?: unknown };
  if (Array.isArray(children) && depth < 2) {
    const shown = children.slice(0, 3).map((child) =>
      child instanceof Future ? futureText(recorder, child, depth + 1) : String(child)
    );
    return `gather(${shown.join(", ")}${children.length > 3 ? ", …" : ""})`;
  }
  if (timer instanceof TimerHandle) {
    const entry = recorder.ofHandle(timer);
    if (entry !== undefined) return `#${entry.id} ${entry.label}`;
  }
  // `cb=[Task.task_wakeup()]` is the loop's own business.
  return String(future).replace(/ cb=\[.*\]>$/, ">");
}

/**
 * A pending task's state for `tasks`: ready (its first or next step
 * queued), or what it awaits, with the timer that will wake it and any
 * deadline of its own (a timeout's).
 */
export function taskState(task: Task<unknown>, context: TaskListing): string {
  const entry = context.recorder.ofTask(task) ?? null;
  const cancelling = task.cancelling() > 0 ? " (cancel requested)" : "";
  if (context.stepQueued.has(task)) {
    const first = entry?.firstRun === null;
    return `ready: its ${first ? "first" : "next"} step is in the ready queue${cancelling}`;
  }
  const awaited = task._futWaiter;
  const own = entry === null ? [] : context.timers.get(entry) ?? [];
  // The timer whose arguments hold the future the task awaits wakes it (a
  // sleep's, a wait's); another of its timers is likely a deadline (a timeout's).
  const wake = awaited === null
    ? undefined
    : own.find((t) => t.handle!.args.some((arg) => arg === awaited));
  const due = (t: Entry) =>
    `${t.label}: timer #${t.id} due at t=${fmt((t.handle as TimerHandle).when(), 3)}`;
  const io = entry?.open?.kind === "io" ? ` (I/O: ${entry.open.what})` : "";
  const what = wake !== undefined
    ? due(wake)
    : awaited === null
    ? "a promise outside the loop"
    : futureText(context.recorder, awaited);
  // (Not one that `what` names already: a gathered sleep.)
  const other = own.find((t) => t !== wake && !what.includes(`#${t.id} `));
  return `awaiting ${what}${io}${other === undefined ? "" : `; ${due(other)}`}${cancelling}`;
}

/**
 * A task in a tree: its id and label, and in a word what it does, from the
 * recorder alone (cheap enough for every iteration).
 */
export function treeLabel(recorder: Recorder, entry: Entry): string {
  const task = entry.task!;
  const open = entry.open?.kind;
  const state = open === "wait"
    ? "ready"
    : open === "run"
    ? "running"
    : open === "io"
    ? `I/O ${entry.open!.what}`
    : task._futWaiter === null
    ? "awaiting a promise outside the loop"
    : `awaiting ${futureText(recorder, task._futWaiter)}`;
  return `#${entry.id} ${entry.label}: ${state}`;
}
