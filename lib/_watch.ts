// The hooks a monitor (lib/_monitor.ts) sets on a loop, and on the
// synchronisation primitives, while it watches: a lighter instrument than
// the trace events (lib/trace.ts), which make the loop keep a handle per
// callback. The loop holds one `LoopWatch` in `_watch` and checks that
// field where these things happen, once per callback, step, task and idle
// wait; while it is `null` nothing else runs. This module holds no code the
// loop runs: its types cost nothing, and `onResource` is one `null` check
// when a lock or queue is made.
import type { Task } from "./tasks.ts";

/** What the loop tells a watching monitor. Each call must be cheap: no clock reads. */
export interface LoopWatch {
  /**
   * The callback `callback` was told of last, while nothing else has run
   * since (the watch clears it otherwise): the loop does not call
   * `callback` for it again, so a batch of one function costs a compare.
   */
  readonly last: unknown;
  /** A plain callback (or a timer's) other than `last` is about to run. */
  callback(fn: (...args: never[]) => unknown): void;
  /** A step of `task` is about to run. */
  stepStart(task: Task<unknown>): void;
  /** The step of `task` that ran ended: it suspended, finished, or awaits outside the loop. */
  stepEnd(task: Task<unknown>): void;
  /** The step of `ended` ended, and one of `next` begins at once (`stepEnd` then `stepStart`). */
  stepSwitch(ended: Task<unknown>, next: Task<unknown>): void;
  /**
   * True while steps are timed (a client is attached): only then does the
   * loop call `stepQueued`.
   */
  readonly timing: boolean;
  /** The next step of `task` went to the ready queue (called only while `timing`). */
  stepQueued(task: Task<unknown>): void;
  /** `task` was created, or finished. */
  task(task: Task<unknown>, phase: "created" | "done"): void;
  /** `task.cancel(msg)` was called on a pending task. */
  cancel(task: Task<unknown>, msg: string | null | undefined): void;
  /** The code running now is about to await I/O (`what`: the call, as the `io` trace event). */
  io(what: string): void;
  /** The loop waits for I/O or a timer (`true`), or woke up (`false`). */
  idle(idle: boolean): void;
}

/**
 * Called with each `Lock`, `Event`, `Condition`, `Semaphore`, `Barrier`
 * and `Queue` made while a monitor watches; `null` otherwise.
 */
export let onResource: ((resource: object) => void) | null = null;

/** Set or clear `onResource` (a monitor starting, or the last one stopping). */
export function setResourceHook(hook: ((resource: object) => void) | null): void {
  onResource = hook;
}
