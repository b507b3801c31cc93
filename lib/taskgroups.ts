/**
 * Structured concurrency: `TaskGroup`, as CPython's `asyncio/taskgroups.py`.
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { getRunningLoop } from "./events.ts";
import { CancelledError, ExceptionGroup, KeyboardInterrupt, RuntimeError } from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { type CoroutineLike, type CreateTaskOptions, currentTask, type Task } from "./tasks.ts";
import { _markAwaiter } from "./_awaiters.ts";
import { notForAwaitUsing, shortRepr } from "./_util.ts";

// Invariants, as the code below keeps them:
// - `#tasks` holds exactly the group's tasks that are not done; each has
//   `#onTaskDone` as a done-callback, which removes it and records its error.
// - `#aborting` is set once, by the first failure, by the block throwing or
//   by the parent being cancelled; from then on every task in `#tasks` has
//   been cancelled and `createTask` refuses.
// - The group cancels its parent task at most once (`#parentCancelRequested`)
//   and then calls `uncancel()` exactly once on exit, so the parent's
//   `cancelling()` count is as it was unless someone else cancelled it too:
//   then the `CancelledError` gets through (when there are no errors).
// - `#exit` returns or throws only when `#tasks` is empty.
/**
 * A scope that owns tasks: the block that created them does not finish
 * before they all have. If one fails (with anything but `CancelledError`),
 * the others and the block itself are cancelled, and once every task is
 * done the group throws an `ExceptionGroup` ("unhandled errors in a
 * TaskGroup") carrying all the errors, the block's own error included.
 *
 * Why a callback and not `await using`: on exit Python's
 * `async with TaskGroup()` must know whether the block threw (then it
 * cancels the tasks) and must replace the block's error with the group's
 * `ExceptionGroup`, or swallow the `CancelledError` it caused itself.
 * `[Symbol.asyncDispose]` is told neither, and an error it throws is
 * wrapped with the block's in a `SuppressedError`. So the block is a
 * callback: `await TaskGroup.run(async (tg) => …)`.
 *
 * Mirrors `asyncio.TaskGroup`.
 *
 * @example
 * ```ts
 * import { run, sleep, TaskGroup } from "@asyncio/deno";
 * await run(async () => {
 *   const [a, b] = await TaskGroup.run((tg) => [
 *     tg.createTask(() => sleep(0.02, "a")),
 *     tg.createTask(() => sleep(0.01, "b")),
 *   ]);
 *   // Both tasks are done once the group has returned.
 *   console.assert(a.result() === "a" && b.result() === "b");
 * });
 * ```
 */
export class TaskGroup {
  #entered = false;
  #exiting = false;
  #aborting = false;
  #loop: EventLoop | null = null;
  #parentTask: Task<unknown> | null = null;
  #parentCancelRequested = false;
  #tasks = new Set<Task<unknown>>();
  #errors: unknown[] = [];
  // A KeyboardInterrupt from the body or a task (Python's BaseException
  // kind that a TaskGroup does not wrap): thrown as it is once all is done.
  #baseError: KeyboardInterrupt | null = null;
  #onCompleted: Future<boolean> | null = null;

  /** @ignore Not for `await using` (see above): a clear error where it is tried. */
  get [Symbol.asyncDispose](): undefined {
    throw notForAwaitUsing("a TaskGroup", "await TaskGroup.run(async (tg) => { … })");
  }

  /**
   * Run `body` in the calling task with a new group; return what `body`
   * returns, once every task of the group is done.
   * @throws {ExceptionGroup} if tasks (or `body`) failed.
   * @throws {CancelledError} if the calling task was cancelled.
   * @throws {RuntimeError} outside a task.
   */
  static run<T>(body: (tg: TaskGroup) => PromiseLike<T> | T): Promise<T> {
    return new TaskGroup().run(body);
  }

  /**
   * Enter this (new) group, run `body` in the calling task, wait for the
   * group's tasks; see `TaskGroup.run`. A group can be run once.
   * @throws {RuntimeError} if the group was already entered, or outside a task.
   */
  async run<T>(body: (tg: TaskGroup) => PromiseLike<T> | T): Promise<T> {
    if (typeof body !== "function") {
      throw new TypeError(`TaskGroup.run() needs a function (tg) => …, got ${shortRepr(body)}`);
    }
    this.#enter();
    let result: T;
    try {
      result = await body(this);
    } catch (err) {
      await this.#exit(true, err);
      throw err;
    }
    await this.#exit(false, undefined);
    return result;
  }

  /**
   * Start `coro` as a task of this group (in a copy of the current context,
   * or in `context`).
   * Mirrors `TaskGroup.create_task`.
   * @throws {RuntimeError} before the group runs, after it finished, or
   *   while it is shutting down after a failure.
   */
  createTask<T>(coro: CoroutineLike<T>, options?: CreateTaskOptions): Task<T> {
    if (!this.#entered) throw new RuntimeError(`TaskGroup ${this} has not been entered`);
    if (this.#exiting && this.#tasks.size === 0) {
      throw new RuntimeError(`TaskGroup ${this} is finished`);
    }
    if (this.#aborting) throw new RuntimeError(`TaskGroup ${this} is shutting down`);
    const task = this.#loop!.createTask(coro, options);
    this.#tasks.add(task as Task<unknown>);
    task.addDoneCallback(this.#onTaskDone);
    return task;
  }

  /** For example `<TaskGroup tasks=2 entered>`, as asyncio's repr. */
  toString(): string {
    const info = [""];
    if (this.#tasks.size > 0) info.push(`tasks=${this.#tasks.size}`);
    if (this.#errors.length > 0) info.push(`errors=${this.#errors.length}`);
    if (this.#aborting) info.push("cancelling");
    else if (this.#entered) info.push("entered");
    return `<TaskGroup${info.join(" ")}>`;
  }

  #enter(): void {
    if (this.#entered) throw new RuntimeError(`TaskGroup ${this} has already been entered`);
    this.#loop = getRunningLoop();
    this.#parentTask = currentTask(this.#loop);
    if (this.#parentTask === null) {
      throw new RuntimeError(`TaskGroup ${this} cannot determine the parent task`);
    }
    this.#entered = true;
    // For the await graph: the parent awaits every task of the group, as
    // CPython 3.14's create_task records with future_add_to_awaited_by.
    _markAwaiter(this.#onTaskDone, this.#parentTask);
  }

  /** As `__aexit__`: wait for the tasks, then throw what must be thrown. */
  async #exit(threw: boolean, error: unknown): Promise<void> {
    this.#exiting = true;
    if (threw && error instanceof KeyboardInterrupt) this.#baseError ??= error;
    const parent = this.#parentTask!;
    let propagate: CancelledError | null = threw && error instanceof CancelledError ? error : null;
    // The block failed or was cancelled: stop the tasks.
    if (threw && !this.#aborting) this.#abort();

    // A loop, because the parent may be cancelled again while it waits.
    let pendingCancel: CancelledError | null = null;
    while (this.#tasks.size > 0) {
      this.#onCompleted ??= this.#loop!.createFuture<boolean>();
      try {
        await this.#onCompleted;
      } catch (err) {
        if (!(err instanceof CancelledError)) throw err;
        pendingCancel = err;
        if (!this.#aborting) {
          // The parent was cancelled from outside while its tasks ran.
          propagate = err;
          this.#abort();
        }
      }
      this.#onCompleted = null;
    }

    // Uncancel after waiting, as CPython 3.13+ (a cancel that came while
    // waiting must not be lost), and keep a cancel requested by someone else.
    if (this.#parentCancelRequested) {
      if (parent.uncancel() === 0) propagate = null;
      else propagate ??= pendingCancel;
    }
    if (this.#baseError !== null) throw this.#baseError;
    // Errors take priority over a cancellation.
    if (propagate !== null && this.#errors.length === 0) throw propagate;
    if (threw && !(error instanceof CancelledError)) this.#errors.push(error);
    if (this.#errors.length > 0) {
      // The parent is being cancelled from outside: re-request that cancel,
      // since the ExceptionGroup replaces the CancelledError (CPython 3.13).
      if (parent.cancelling() > 0) {
        parent.uncancel();
        parent.cancel();
      }
      const errors = this.#errors;
      this.#errors = [];
      throw new ExceptionGroup("unhandled errors in a TaskGroup", errors);
    }
  }

  #abort(): void {
    this.#aborting = true;
    for (const task of this.#tasks) {
      if (!task.done()) task.cancel();
    }
  }

  #onTaskDone = (task: Future<unknown>): void => {
    this.#tasks.delete(task as Task<unknown>);
    if (this.#onCompleted !== null && this.#tasks.size === 0 && !this.#onCompleted.done()) {
      this.#onCompleted.setResult(true);
    }
    if (task.cancelled()) return;
    const error = task.exception();
    if (error === null) return;
    this.#errors.push(error);
    if (error instanceof KeyboardInterrupt) this.#baseError ??= error;
    const parent = this.#parentTask!;
    if (parent.done()) {
      this.#loop!.callExceptionHandler({
        message: `Task ${task} has errored out but its parent task ${parent} is already completed`,
        exception: error,
        task: task as Task<unknown>,
      });
      return;
    }
    if (!this.#aborting && !this.#parentCancelRequested) {
      // Cancel the block too, so that it stops waiting for whatever it
      // waits on; `#exit` takes this cancel back with `uncancel()`.
      this.#abort();
      this.#parentCancelRequested = true;
      parent.cancel();
    }
  };
}
