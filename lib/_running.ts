// The running loop lives in a leaf module so that futures, tasks and the
// loop can all reach it without importing one another at evaluation time.
import type { EventLoop } from "./base_events.ts";

let running: EventLoop | null = null;

export function _getRunningLoopOrNull(): EventLoop | null {
  return running;
}

export function _setRunningLoop(loop: EventLoop | null): void {
  running = loop;
}

// The task whose code is running, carried across awaits by V8's
// continuation-preserved context, so that a future knows which task awaits
// it even after the task has awaited promises the loop does not own.
//
// Deno's `AsyncLocalStorage` keeps each value in a `WeakMap` keyed by an
// entry object, reached from a map object that the continuation-preserved
// data holds: with 100,000 tasks, `getStore()` (one per `sleep(0)` and per
// await of a future) is a lookup in a 100,000-entry ephemeron table (~0.2
// µs, a fifth of a task step), and each task costs a map, an entry and a
// table slot (~380 B). Where Deno's core lets us, the task rides in that
// data itself instead: the task is its own frame (it holds itself under a
// symbol), or, inside an `AsyncLocalStorage`, a frame holds it, with the entries of any `AsyncLocalStorage` active around it (so
// that those keep working, and theirs keep ours when entered inside a task:
// they copy the data's own properties, symbols included). Elsewhere, a
// plain `AsyncLocalStorage`.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Task } from "./tasks.ts";
import type { Future } from "./futures.ts";
import { getAsyncContext, setAsyncContext } from "./_deno_core.ts";

/** Which task's code runs: `run` enters a task, `getStore` reads it, `exit` leaves it. */
export interface TaskContext {
  run<A, R>(task: Task<unknown>, fn: (arg: A) => R, arg: A): R;
  getStore(): Task<unknown> | undefined;
  exit<R>(fn: () => R): R;
}

/** The key under which a frame (a task itself, among others) holds the task. */
export const TASK: unique symbol = Symbol("asyncio.task");

type Frame = { [TASK]?: Task<unknown> } & Record<PropertyKey, unknown>;

/** A frame holding no task: one field (an object literal would be twice the size). */
class TaskFrame {
  [TASK]: Task<unknown> | undefined;
  constructor(task: Task<unknown> | undefined) {
    this[TASK] = task;
  }
}

/** The continuation-preserved data of code running in `task`, `outer` being the data around it. */
function frame(outer: Frame | null | undefined, task: Task<unknown> | undefined): Frame {
  if (outer == null || outer instanceof TaskFrame || (outer[TASK] as unknown) === outer) {
    // Nothing but ours around: a task is its own frame (no object per task).
    return (task ?? new TaskFrame(undefined)) as unknown as Frame;
  }
  return { __proto__: null, ...outer, [TASK]: task } as Frame;
}

function inFrames(get: () => unknown, set: (value: unknown) => void): TaskContext {
  return {
    run(task, fn, arg) {
      const outer = get() as Frame | undefined;
      set(frame(outer, task));
      try {
        return fn(arg);
      } finally {
        set(outer);
      }
    },
    getStore() {
      return (get() as Frame | undefined)?.[TASK];
    },
    exit(fn) {
      const outer = get() as Frame | undefined;
      if (outer?.[TASK] === undefined) return fn();
      set(frame(outer, undefined));
      try {
        return fn();
      } finally {
        set(outer);
      }
    },
  };
}

export const _taskContext: TaskContext = getAsyncContext !== undefined &&
    setAsyncContext !== undefined
  ? inFrames(getAsyncContext, setAsyncContext)
  : new AsyncLocalStorage<Task<unknown>>();

/**
 * What the loop's own code awaits to wait on `fut` (a pending future of
 * the running loop), when nothing runs between this call and that `await`:
 * inside a task of its loop that waits on nothing else, the promise of
 * `task._waitOn(fut)` (no thenable for V8 to adopt: a hop and ~150 bytes
 * less an await); elsewhere `fut` itself. Not for a future that user code
 * gets, which it may await later or together with others.
 */
export function awaitable<V>(fut: Future<V>): PromiseLike<V> {
  const task = _taskContext.getStore();
  if (
    task !== undefined && task._loop === fut._loop && task._next === null && !task.done() &&
    !fut.done() // a done future does not suspend the task
  ) {
    return task._waitOn(fut);
  }
  return fut;
}
