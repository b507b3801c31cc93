// The loop's pending tasks (what `allTasks()` lists), as a doubly linked
// list through the tasks themselves (`Task._prevTask`, `_nextTask`): two
// fields of each task instead of an entry in a `Set`, which cost a pending
// task ~26 bytes and, on 100,000 tasks, a `delete` as long as a task step
// (a look-up in a table of megabytes; see bench/README.md). Iterating
// walks a copy taken first, so that tasks may start or end meanwhile.
import type { Task } from "./tasks.ts";

export class TaskList implements Iterable<Task<unknown>> {
  #head: Task<unknown> | null = null;
  #tail: Task<unknown> | null = null;
  #size = 0;

  /** How many tasks are listed. */
  get size(): number {
    return this.#size;
  }

  /** List `task` last (it must not be listed). */
  add(task: Task<unknown>): void {
    const tail = this.#tail;
    task._prevTask = tail;
    task._nextTask = null;
    if (tail === null) this.#head = task;
    else tail._nextTask = task;
    this.#tail = task;
    this.#size++;
  }

  /** Unlist `task`; false if it was not listed. */
  delete(task: Task<unknown>): boolean {
    const prev = task._prevTask, next = task._nextTask;
    if (prev === null && this.#head !== task) return false;
    if (prev === null) this.#head = next;
    else prev._nextTask = next;
    if (next === null) this.#tail = prev;
    else next._prevTask = prev;
    task._prevTask = task._nextTask = null;
    this.#size--;
    return true;
  }

  /** True if `task` is listed. */
  has(task: Task<unknown>): boolean {
    return task._prevTask !== null || this.#head === task;
  }

  /** The listed tasks, oldest first. */
  toArray(): Task<unknown>[] {
    const all: Task<unknown>[] = new Array(this.#size);
    let i = 0;
    for (let t = this.#head; t !== null; t = t._nextTask) all[i++] = t;
    return all;
  }

  [Symbol.iterator](): Iterator<Task<unknown>> {
    return this.toArray()[Symbol.iterator]();
  }
}
