/**
 * The session's loop: the library's `EventLoop`, with a `runForever()` that
 * js code calls run as the `run` command does, and what the REPL says about
 * it outside of runs (a callback's error, a task a host promise resumed).
 * @module
 */
import {
  _getRunningLoop,
  _setRunningLoop,
  type CoroutineLike,
  EventLoop,
  type EventLoopOptions,
  type ExceptionContext,
  type Future,
  type Task,
  type TraceEvent,
} from "../mod.ts";
import { errorLine } from "./errors.ts";
import { fmt, idOf } from "./render.ts";
import type { Session } from "./session.ts";

/**
 * A `runForever()` that js code calls (itself, or through
 * `runUntilComplete()`) goes to `startRun`, so that it runs as the `run`
 * command does; the session's own runs use `runDirect()`.
 */
export class ReplLoop extends EventLoop {
  #startRun: (untilComplete: boolean) => Promise<void>;
  /** The run being started comes from `runUntilComplete()` (its future's end stops it). */
  #untilComplete = false;
  /** A js line runs with this loop set as the running one (`enterLine`). */
  #inLine = false;

  constructor(options: EventLoopOptions, startRun: (untilComplete: boolean) => Promise<void>) {
    super(options);
    this.#startRun = startRun;
  }

  override runForever(): Promise<void> {
    // A running or closed loop: the library's own error.
    if (this.isRunning() || this.isClosed()) return super.runForever();
    // Started by a js line that runs inside: the run takes over.
    this.leaveLine();
    return this.#startRun(this.#untilComplete);
  }

  /**
   * A `js` line runs as if inside this loop (`_setRunningLoop`), though it
   * does not run: `createTask`, `sleep` and `getRunningLoop` find this loop,
   * and what they schedule waits for the next run or step, as
   * `python -m asyncio` runs each line inside its running loop. Until
   * `leaveLine()`; nothing happens if a loop really runs.
   */
  enterLine(): void {
    if (_getRunningLoop() !== null) return;
    _setRunningLoop(this);
    this.#inLine = true;
  }

  /** The `js` line is over (or a run starts): no longer the running loop, unless it runs. */
  leaveLine(): void {
    if (!this.#inLine) return;
    this.#inLine = false;
    if (_getRunningLoop() === this && !this.isRunning()) _setRunningLoop(null);
  }

  override runUntilComplete<T>(future: Future<T> | CoroutineLike<T>): Promise<T> {
    // The library's method calls runForever() before it returns.
    this.#untilComplete = true;
    try {
      return super.runUntilComplete(future);
    } finally {
      this.#untilComplete = false;
    }
  }

  /** The library's `runForever()`. */
  runDirect(): Promise<void> {
    this.leaveLine();
    return super.runForever();
  }
}

/** The loop's exception handler: one line, the entry marked as raised, a hint where one helps. */
export function reportLoopError(session: Session, context: ExceptionContext): void {
  const error = context.exception === undefined ? null : errorLine(context.exception);
  const handle = context.handle;
  const entry = handle === undefined ? undefined : session.recorder.ofHandle(handle);
  if (entry !== undefined && error !== null) session.recorder.raised(entry, error);
  const said = `${context.message}${error === null ? "" : `: ${error}`}`;
  // What asyncio logs is the program's output too (the browser view's "printed so far").
  session.log.printed(`error in the loop: ${said}`);
  session.say(session.style.error("error in the loop: ") + said + hintFor(context));
}

/** What to add to a loop error: how to widen permissions, or why a loop method lost its loop. */
function hintFor(context: ExceptionContext): string {
  const exc = context.exception;
  if (exc instanceof Error && exc.name === "NotCapable") {
    return "; deno task repl may run only sleep and /bin/sh, and use the network on 127.0.0.1 " +
      "only: help demo says how to widen that";
  }
  // A scheduling method passed as a callback: those stay unbound, to keep them fast (lib/_bound.ts).
  const callback = context.handle?.callback;
  const name = callback?.name ?? "";
  if (
    callback !== undefined && name in EventLoop.prototype &&
    (EventLoop.prototype as unknown as Record<string, unknown>)[name] === callback
  ) {
    return `; loop.${name} passed as a callback has no loop (it is not bound, to keep it fast): ` +
      `pass (...args) => loop.${name}(...args)`;
  }
  return "";
}

/**
 * A trace listener that says when a task's code ran outside the loop while
 * no run was on (a host promise resumed it: see README), since no run
 * records it.
 */
export function outsideStepReporter(session: Session): (event: TraceEvent) => void {
  const since = new Map<Task<unknown>, number>();
  return (event) => {
    if (session.loop.isRunning() || (event.kind !== "start" && event.kind !== "finish")) return;
    const task = event.handle.task;
    if (task === null) return;
    if (event.kind === "start" && event.outside) since.set(task, event.time);
    const start = since.get(task);
    if (event.kind !== "finish" || start === undefined) return;
    since.delete(task);
    const entry = session.recorder.ofTask(task);
    const who = entry === undefined
      ? task.getName()
      : `${idOf(entry, session.style)} ${entry.label}`;
    session.say(session.style.dim(
      `— ${who} ran outside the loop at t=${fmt(start, 3)} for ${fmt(event.time - start, 3)} s ` +
        "(a host promise resumed it while no run was on)",
    ));
  };
}
