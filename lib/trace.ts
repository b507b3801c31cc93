/**
 * Instruments: typed events about what a loop does, for timelines, traces
 * and debugging. As Trio's instruments, they cost nothing when nobody
 * listens: the loop checks one field before building an event.
 * @module
 */
import type { Handle, TimerHandle } from "./events.ts";
import type { Task } from "./tasks.ts";

/**
 * One thing the loop did, stamped with the loop's `time()` in seconds.
 *
 * - `schedule`: a handle went to the ready queue (`callSoon`) or the timer
 *   heap (`callLater`/`callAt`, then `handle.when()` is its deadline). With
 *   `io: true` it is an I/O completion that the library delivers (a
 *   transport's data, a process's exit, a host promise settled onto the
 *   loop), not a call that user code scheduled.
 * - `due`: a timer's deadline came; it moved to the ready queue.
 * - `start` / `finish`: the loop ran a handle. For a task's step
 *   (`handle.task` set), `finish` comes when the task suspends again or ends.
 *   A `start` with `outside: true` is a task's code resuming outside the
 *   loop: it awaited a promise the loop does not own (a `fetch`, a host
 *   timer), and Deno ran the rest when that promise settled, where asyncio
 *   would have run it as a step of the loop. (Any promise reaction that runs
 *   in the task's async context counts, e.g. a `.then` chain the task
 *   started and did not await.)
 * - `cancel`: a handle was cancelled before it ran.
 * - `iteration`: an iteration began with `ready` handles to run. This is
 *   the moment to snapshot the queues: during this event
 *   `loop.readyHandles()` lists exactly those handles, in the order they
 *   will run (the timers that just came due last), and
 *   `loop.scheduledHandles()` the timers still in the heap. Nothing is
 *   copied unless a listener asks.
 * - `idle`: nothing was ready; the loop waits for I/O or a timer (`until`).
 * - `task`: a task was created or finished (`phase`).
 * - `io`: code of the loop is about to await I/O: `what` names the call
 *   (`readuntil`, `read`, `readexactly` of a stream, `drain`, a process's
 *   `wait`, `connect`, a server's `wait_closed`); `task` is the task that
 *   waits, if any. The wait ends
 *   when that task's next step is scheduled.
 */
export type TraceEvent =
  | { kind: "schedule"; time: number; handle: Handle; io?: boolean }
  | { kind: "due"; time: number; handle: TimerHandle }
  | { kind: "start"; time: number; handle: Handle; outside?: boolean }
  | { kind: "finish"; time: number; handle: Handle }
  | { kind: "cancel"; time: number; handle: Handle }
  | { kind: "iteration"; time: number; iteration: number; ready: number }
  | { kind: "idle"; time: number; until: number | null }
  | { kind: "task"; time: number; phase: "created" | "done"; task: Task<unknown> }
  | { kind: "io"; time: number; what: string; task: Task<unknown> | null };

/** A function that receives trace events, synchronously, as they happen. */
export type TraceListener = (event: TraceEvent) => void;

/**
 * The set of listeners of one loop. Obtain events with
 * `loop.addTraceListener(fn)`; this class is what the loop keeps.
 */
export class Tracer {
  #listeners: TraceListener[] = [];

  /** Subscribe `listener`; returns the function that unsubscribes it. */
  add(listener: TraceListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** How many listeners there are. */
  get size(): number {
    return this.#listeners.length;
  }

  /** Deliver `event` to every listener; a throwing listener is skipped. */
  emit(event: TraceEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        console.error("trace listener failed:", err);
      }
    }
  }
}
