/**
 * `run` and `Runner`: the usual way in, as CPython's `asyncio/runners.py`.
 * @module
 */
import { EventLoop } from "./base_events.ts";
import type { Clock } from "./clock.ts";
import { setEventLoop } from "./events.ts";
import { RuntimeError } from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { _getRunningLoopOrNull } from "./_running.ts";
import type { CoroutineLike, Task } from "./tasks.ts";
import { _SigintInterrupt } from "./unix_events.ts";
import { type Context, copyContext } from "./contextvars.ts";
import type { Monitor, MonitorOptions } from "./monitor.ts";

/** Seconds `close()` waits for the default executor: CPython's `constants.THREAD_JOIN_TIMEOUT`. */
const THREAD_JOIN_TIMEOUT = 300;

/** Options of `run` and `Runner`. */
export interface RunOptions {
  /** Run the loop in debug mode. */
  debug?: boolean;
  /** The loop's clock (e.g. a `VirtualClock` for instant, exact runs). */
  clock?: Clock;
  /**
   * Start a monitor on the loop before the first run (`true`, or its
   * options): see `startMonitor`. Its code is loaded only then. `close()`
   * stops it.
   */
  monitor?: boolean | MonitorOptions;
}

/**
 * Runs async functions on one loop it creates, then closes it: on
 * `close()`, the tasks left over are cancelled and awaited.
 *
 * Mirrors `asyncio.Runner`; `await using` closes it.
 *
 * @example
 * ```ts
 * import { Runner, sleep } from "@asyncio/deno";
 * await using runner = new Runner();
 * await runner.run(() => sleep(0.01));
 * console.assert((await runner.run(async () => 2)) === 2);
 * ```
 */
export class Runner implements AsyncDisposable {
  #options: RunOptions;
  #loop: EventLoop | null = null;
  #context: Context | null = null;
  #closed = false;
  #monitor: Promise<Monitor> | null = null;

  /** A runner; its loop is made on first use. */
  constructor(options: RunOptions = {}) {
    this.#options = options;
  }

  /** The runner's loop (made now if needed). @throws {RuntimeError} once closed. */
  getLoop(): EventLoop {
    if (this.#closed) throw new RuntimeError("Runner is closed");
    if (this.#loop === null) {
      this.#loop = new EventLoop({ clock: this.#options.clock, debug: this.#options.debug });
      setEventLoop(this.#loop);
      // As CPython runners.py Runner._lazy_init: one copy for every run.
      this.#context = copyContext();
    }
    return this.#loop;
  }

  /**
   * Run `coro` as a task to completion and return its result. Meanwhile
   * the first Ctrl-C (SIGINT) cancels that task, as `asyncio.Runner` does
   * since Python 3.11: if the task then ends cancelled, or a second Ctrl-C
   * comes, this throws `KeyboardInterrupt`. After the run, SIGINT ends the
   * process again.
   *
   * The task runs in `context`, by default the runner's own: a copy of the
   * context the runner's loop was made in, the same for every run (so what
   * one run sets, the next sees), as asyncio's.
   * @throws {RuntimeError} if called while a loop is running.
   * @throws {KeyboardInterrupt} when Ctrl-C interrupted the run.
   */
  async run<T>(coro: CoroutineLike<T>, options: { context?: Context } = {}): Promise<T> {
    if (_getRunningLoopOrNull() !== null) {
      throw new RuntimeError("Runner.run() cannot be called from a running event loop");
    }
    const loop = this.getLoop();
    const monitor = this.#options.monitor;
    if (monitor && this.#monitor === null) {
      // Imported only when asked for: a program without a monitor never loads it.
      this.#monitor = import("./monitor.ts").then((m) =>
        m.startMonitor(loop, monitor === true ? {} : monitor)
      );
      await this.#monitor;
    }
    const task = loop.createTask(coro, { context: options.context ?? this.#context! });
    // As CPython 3.11+ Runner.run: the first Ctrl-C cancels the main task.
    const sigint = new _SigintInterrupt(loop, task as Task<unknown>);
    try {
      return await loop.runUntilComplete(task);
    } catch (error) {
      throw sigint.translate(error);
    } finally {
      sigint.dispose();
    }
  }

  /**
   * Cancel the tasks left over, wait for them, close the loop. Idempotent.
   * Before the runner made its loop this does nothing (it stays usable),
   * as asyncio's.
   */
  async close(): Promise<void> {
    const loop = this.#loop;
    if (this.#closed || loop === null) return;
    this.#closed = true;
    try {
      await cancelAllTasks(loop);
      // As CPython's Runner.close(): each of these runs the loop (a couple of
      // iterations even with nothing to do), so callbacks still queued, and
      // what they schedule, run; and executor work finishes before closing,
      // waited for at most THREAD_JOIN_TIMEOUT (as 3.12+).
      await loop.runUntilComplete(() => loop.shutdownAsyncgens());
      await loop.runUntilComplete(() => loop.shutdownDefaultExecutor(THREAD_JOIN_TIMEOUT));
    } finally {
      setEventLoop(null);
      loop.close();
      await this.#monitor?.then((m) => m.close(), () => {});
    }
  }

  /** `await using runner = new Runner()` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Create a loop, run `main` on it to completion, cancel and await the
 * tasks left over, close the loop; return `main`'s result.
 *
 * Mirrors `asyncio.run`.
 * @param main an async function (`main`, or `() => main(args)`).
 * @throws {RuntimeError} if called while a loop is running.
 * @example
 * ```ts
 * import { run, sleep } from "@asyncio/deno";
 * const result = await run(async () => {
 *   await sleep(0.01);
 *   return "hello";
 * });
 * console.assert(result === "hello");
 * ```
 */
export async function run<T>(main: CoroutineLike<T>, options: RunOptions = {}): Promise<T> {
  if (_getRunningLoopOrNull() !== null) {
    throw new RuntimeError("asyncio.run() cannot be called from a running event loop");
  }
  const runner = new Runner(options);
  try {
    return await runner.run(main);
  } finally {
    await runner.close();
  }
}

/** As CPython's `runners._cancel_all_tasks`. */
async function cancelAllTasks(loop: EventLoop): Promise<void> {
  const toCancel = [...loop._tasks];
  if (toCancel.length === 0) return;
  for (const task of toCancel) task.cancel();
  await loop.runUntilComplete(allDone(loop, toCancel));
  for (const task of toCancel) {
    if (task.cancelled()) continue;
    const exception = task.exception();
    if (exception !== null) {
      loop.callExceptionHandler({
        message: "unhandled exception during asyncio.run() shutdown",
        exception,
        task,
      });
    }
  }
}

/** A future done once every one of `futures` is done. */
function allDone(loop: EventLoop, futures: Task<unknown>[]): Future<void> {
  const all = loop.createFuture<void>();
  let left = futures.length;
  const one = () => {
    if (--left === 0 && !all.done()) all.setResult();
  };
  for (const fut of futures) fut.addDoneCallback(one);
  return all;
}
