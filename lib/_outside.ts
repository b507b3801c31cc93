// Steps of tasks that run outside the loop. A task that awaits a promise the
// loop does not own (a `fetch`, a host timer) resumes in one of Deno's
// microtasks when that promise settles, not in a step the loop runs (asyncio
// would have wrapped the foreign future and scheduled the step with
// call_soon). While someone traces the loop, V8's promise hooks say when such
// a task's code runs, so that the trace shows those runs as the task's steps
// (`start` with `outside: true`, then `finish`) at the times they happened.
// V8 reports only the jobs of promises made while its hooks are on, so they
// are on for as long as the loop is traced.
import v8 from "node:v8";
import type { EventLoop } from "./base_events.ts";
import type { Task } from "./tasks.ts";
import { _taskContext } from "./_running.ts";

export class OutsideSteps {
  #loop: EventLoop;
  // Open steps: the task, and when its last microtask job ended (loop time),
  // or null while its code runs. A step ends when the task comes back to a
  // loop future or settles, else once the microtask queue drains (it awaits
  // outside again).
  #open = new Map<Task<unknown>, number | null>();
  #unhook: (() => void) | null = null;
  #drain: ReturnType<typeof setImmediate> | null = null;

  constructor(loop: EventLoop) {
    this.#loop = loop;
  }

  /** The loop is traced: watch for tasks' code running outside it. */
  watch(): void {
    if (this.#unhook !== null) return;
    const hooks = v8.promiseHooks;
    const stopBefore = hooks.onBefore(this.#before);
    const stopAfter = hooks.onAfter(this.#after);
    this.#unhook = () => {
      stopBefore();
      stopAfter();
    };
  }

  /** `task` awaits a loop future again, or settled: its outside step (if any) ends now. */
  end(task: Task<unknown>): void {
    if (this.#open.delete(task)) this.#finish(task, this.#loop.time());
  }

  /** Stop watching (nobody traces the loop any more, or it closed): open steps end now. */
  unwatch(): void {
    const now = this.#loop.time();
    for (const [task, endedAt] of this.#open) this.#finish(task, endedAt ?? now);
    this.#open.clear();
    this.#unhook?.();
    this.#unhook = null;
    if (this.#drain !== null) {
      clearImmediate(this.#drain);
      this.#drain = null;
    }
  }

  #before = (): void => {
    const task = _taskContext.getStore();
    if (task === undefined || !task._external || task._loop !== this.#loop) return;
    const trace = this.#loop._trace;
    if (trace === null) return;
    if (!this.#open.has(task)) {
      trace.emit({
        kind: "start",
        time: this.#loop.time(),
        handle: task._stepHandle,
        outside: true,
      });
    }
    this.#open.set(task, null);
  };

  #after = (): void => {
    const task = _taskContext.getStore();
    if (task === undefined || !this.#open.has(task)) return;
    this.#open.set(task, this.#loop.time());
    this.#drain ??= setImmediate(this.#onDrain);
  };

  // The microtask queue drained: steps not running now await outside again.
  #onDrain = (): void => {
    this.#drain = null;
    for (const [task, endedAt] of this.#open) {
      if (endedAt === null) continue;
      this.#open.delete(task);
      this.#finish(task, endedAt);
    }
  };

  #finish(task: Task<unknown>, time: number): void {
    this.#loop._trace?.emit({ kind: "finish", time, handle: task._stepHandle });
  }
}
