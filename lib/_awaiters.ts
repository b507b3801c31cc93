// Who awaits a future through a combinator, for the await graph
// (`lib/graph.ts`).
//
// A task that awaits a future directly is already in that future's
// callbacks (it is the waiter its step wakes), so the graph finds it there.
// `gather`, `TaskGroup` and `shield` make the calling task wait for other
// futures through a done-callback instead; CPython 3.14 records those with
// `future_add_to_awaited_by(child, task)` on every child. Here the
// combinator marks its done-callback with the task once (one property
// write per `gather` call, per group, per `shield` call; never per child,
// never per task step), and the graph reads a child's callbacks at capture
// time: a marked callback stands for its task. The mark goes when the
// callback does, so there is no "discard" to call: a child that finished
// has no callbacks left, and a callback removed from a future (a cancelled
// `shield`) stops counting at once.
//
// Why a symbol property and not a WeakMap: a WeakMap entry per `gather`
// cost about 70 ns (an ephemeron for the collector to trace), a property
// on the closure about 1 ns.
import type { Task } from "./tasks.ts";

const AWAITER = Symbol("awaiter");

type Marked = { [AWAITER]?: Task<unknown> };

/** `callback`, wherever it is a done-callback, means `task` awaits that future. */
export function _markAwaiter(callback: object, task: Task<unknown>): void {
  (callback as Marked)[AWAITER] = task;
}

/** The task a done-callback stands for, if a combinator marked it. */
export function _awaiterOf(callback: object): Task<unknown> | undefined {
  return (callback as Marked)[AWAITER];
}
