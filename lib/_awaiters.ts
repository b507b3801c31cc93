// Who awaits a future through a combinator, for the await graph
// (`lib/graph.ts`).
//
// A task that awaits a future directly is already in that future's
// callbacks (it is the waiter its step wakes), so the graph finds it there.
// `gather`, `TaskGroup` and `shield` make the calling task wait for other
// futures through a done-callback instead; CPython 3.14 records those with
// `future_add_to_awaited_by(child, task)` on every child. Here the
// combinator registers its done-callback once (one per `gather` call, per
// group, per `shield` call; never per child, never per task step), and the
// graph reads a child's callbacks at capture time: a registered callback
// stands for its task. The entry goes when the callback does, so there is
// no "discard" to call: a child that finished has no callbacks left, and a
// callback removed from a future (a cancelled `shield`) stops counting at
// once.
import type { Task } from "./tasks.ts";

const awaiterOf = new WeakMap<object, Task<unknown>>();

/** `callback`, wherever it is a done-callback, means `task` awaits that future. */
export function _registerAwaiter(callback: object, task: Task<unknown>): void {
  awaiterOf.set(callback, task);
}

/** The task a done-callback stands for, if a combinator registered it. */
export function _awaiterOf(callback: object): Task<unknown> | undefined {
  return awaiterOf.get(callback);
}
