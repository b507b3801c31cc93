/**
 * Run and step control: `run [S]`, `step`, a run that `js` code starts
 * (`loop.runForever()`), when a run ends by itself (nothing could ever run
 * again), Ctrl-C, and the line that says why a run stopped and what ran.
 * @module
 */
import { RuntimeError, type TraceEvent } from "../mod.ts";
import type { Entry } from "./recorder.ts";
import { count, fmt, idOf, plural } from "./render.ts";
import type { Session } from "./session.ts";

type Why = "interrupted" | "empty" | "stopped";

/** Drives a session's loop for `run` and `step`. */
export class Runner {
  /** Called when Deno finds nothing left pending while the loop runs (see `Session.guardHost`). */
  onRunStall: (() => void) | null = null;

  #session: Session;
  /** How many `step`s in a row the current record holds (0: it is a run's). */
  #steps = 0;
  #untilEmpty = false;
  #emptied = false;
  #interrupted = false;
  #stalled = false;
  // The last trace event was the loop going idle with no timer to wake it.
  #idleUntilWoken = false;
  // Since when (performance.now()) the loop waits for js timers alone, and
  // how long it did in this run (null: it did not).
  #jsWaitSince: number | null = null;
  #jsWaited: number | null = null;
  #reported = new WeakSet<object>();

  constructor(session: Session) {
    this.#session = session;
  }

  /** A new loop: steps in a row start again. */
  reset(): void {
    this.#steps = 0;
  }

  /** Every trace event of the loop: notice when it goes idle with nothing that could wake it. */
  onTrace(event: TraceEvent): void {
    this.#endJsWait();
    this.#idleUntilWoken = event.kind === "idle" && event.until === null;
    if (this.#idleUntilWoken) this.stopIfEmpty();
  }

  /** Ctrl-C: stop a running loop after its current iteration; false if none runs. */
  interrupt(): boolean {
    const loop = this.#session.loop;
    if (!loop.isRunning()) return false;
    this.#interrupted = true;
    loop.stop();
    return true;
  }

  /**
   * `run` without S stops when the loop waits with nothing ready, no timer
   * left, no task awaiting something outside the loop or I/O, and no js
   * timer pending: nothing could ever run again.
   */
  stopIfEmpty(): void {
    const session = this.#session;
    const loop = session.loop;
    if (!this.#untilEmpty || !this.#idleUntilWoken || loop.externalWaits > 0) return;
    // A task awaiting a process or a socket: the loop will hear from it.
    if (session.recorder.ioCount > 0) return;
    if (session.js.pendingTimers > 0) {
      this.#jsWaitSince ??= performance.now();
      return;
    }
    this.#emptied = true;
    // The loop starts waiting right after its idle event: stop it from a microtask.
    queueMicrotask(() => loop.stop());
  }

  /** `run [S]`. */
  async run(seconds: number | null): Promise<void> {
    this.#session.checkNotRunning("run");
    await this.#recordedRun(seconds === null ? "run" : `run ${seconds}`, seconds);
  }

  /**
   * `loop.runForever()` called by js code (also through
   * `runUntilComplete()`): a run as `run` without S, and the js line
   * waits for it even if the code does not await it.
   */
  jsStartedRun(untilComplete: boolean): Promise<void> {
    const js = this.#session.js;
    js.run = this.#recordedRun(this.#jsTitle("loop.runForever() of js code"), null, {
      byJs: true,
      until: untilComplete ? "complete" : null,
    });
    return js.run;
  }

  /**
   * A js line awaits `promise`, which needs the loop (a sleep, a task): run
   * the loop as `run` does until it settles (or nothing is left), as
   * `python -m asyncio`'s loop runs while its prompt awaits.
   */
  untilSettled(promise: Promise<unknown>): Promise<void> {
    const loop = this.#session.loop;
    const stop = () => {
      if (loop.isRunning()) loop.stop();
    };
    promise.then(stop, stop);
    return this.#recordedRun(this.#jsTitle("a js line's await"), null, {
      byJs: true,
      until: "settled",
    });
  }

  /** The title of a run that the js line being run started. */
  #jsTitle(otherwise: string): string {
    const code = this.#session.js.line;
    return code === null ? otherwise : `js ${code.length > 40 ? code.slice(0, 39) + "…" : code}`;
  }

  /** `step`: one iteration; on the virtual clock, first a jump to the next timer if nothing is ready. */
  async step(): Promise<void> {
    const session = this.#session;
    session.checkNotRunning("step");
    const { loop, recorder } = session;
    // Steps in a row make one record, so `timeline last` shows them together.
    if (this.#steps > 0 && recorder.record !== null) {
      this.#steps++;
      recorder.resume(`${this.#steps} steps`);
    } else {
      this.#steps = 1;
      recorder.begin("1 step");
    }
    if (session.clock === "virtual" && recorder.readyCount === 0) {
      const next = loop.scheduledHandles()[0];
      if (next !== undefined) loop.clock.advanceTo(next.when());
    }
    const ran: Entry[] = [];
    recorder.onStart = (entry) => ran.push(entry);
    loop.stop();
    let failed = true;
    try {
      await this.#drive(false);
      failed = false;
    } finally {
      recorder.onStart = null;
      recorder.end();
      if (failed) {
        // `timeline last` keeps showing what ran before (an empty run would hide it).
        recorder.discard();
        this.#steps--;
      }
    }
    const at = `at t=${fmt(loop.time(), 3)}`;
    if (ran.length === 0) {
      const next = loop.scheduledHandles()[0];
      const when = next === undefined
        ? ""
        : ` (the next timer is due at t=${fmt(next.when(), 3)}, in ${
          fmt(next.when() - loop.time(), 3)
        } s: step then, or run)`;
      session.say(session.style.dim(`— step ${at} ran nothing${when}`));
      return;
    }
    const names =
      ran.slice(0, 10).map((e) =>
        `${idOf(e, session.style)} ${e.label}${e.kind === "task" ? " (step)" : ""}`
      ).join(", ") + (ran.length > 10 ? ` and ${count(ran.length - 10)} more` : "");
    session.say(session.style.dim(`— iteration ${recorder.iterations} ${at} ran `) + names);
  }

  /** Drive the loop until it stops; returns why it stopped. */
  async #drive(untilEmpty: boolean): Promise<Why> {
    const session = this.#session;
    this.#untilEmpty = untilEmpty;
    this.#emptied = false;
    this.#interrupted = false;
    this.#stalled = false;
    session.ctrlC.arm();
    const stopListening = session.ctrlC.duringRun(() => this.interrupt());
    // Nothing left that could wake the loop (a task awaits a promise that
    // nothing pending will settle): stop, rather than wait for ever.
    this.onRunStall = () => {
      this.#stalled = true;
      this.interrupt();
    };
    try {
      await session.loop.runDirect();
    } finally {
      stopListening();
      this.#untilEmpty = false;
      this.onRunStall = null;
      this.#endJsWait();
    }
    this.#reportFailedTasks();
    return this.#interrupted ? "interrupted" : this.#emptied ? "empty" : "stopped";
  }

  /**
   * Run the loop (S seconds, or until nothing is left), record it for
   * `timeline`, and end with the line saying why it stopped and what ran.
   */
  async #recordedRun(
    title: string,
    seconds: number | null,
    { byJs = false, until = null }: {
      byJs?: boolean;
      /** What else ends the run: runUntilComplete's future, or the promise a js line awaits. */
      until?: "complete" | "settled" | null;
    } = {},
  ): Promise<void> {
    const session = this.#session;
    const { loop, recorder } = session;
    // Before `begin`: a run that cannot start leaves the last record as it is.
    if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
    recorder.begin(title);
    this.#steps = 0;
    this.#jsWaited = null;
    let timedOut = false;
    const stopper = seconds === null
      ? null
      : recorder.unrecorded(() =>
        loop.callLater(seconds, () => {
          timedOut = true;
          loop.stop();
        })
      );
    let why: Why;
    try {
      why = await this.#drive(seconds === null);
    } finally {
      if (!timedOut) stopper?.cancel();
      recorder.end();
    }
    const reason = why === "interrupted"
      ? this.#stalled
        ? session.clock === "virtual" && loop.externalWaits > 0 &&
            loop.scheduledHandles().length > 0
          ? "stopped: the virtual clock stands still while a task awaits a promise outside the " +
            "loop, and nothing else can settle it (step moves the clock anyway)"
          : recorder.taskCount > 0
          ? "stopped: nothing pending can wake the loop (a task awaits a promise that will not settle)"
          : "stopped: nothing pending can wake the loop"
        : "interrupted"
      : why === "empty"
      ? byJs
        ? "nothing left to run, so the REPL stopped the loop (as run does)"
        : "nothing left to run"
      : timedOut
      ? `stopped after ${seconds} s`
      : until === "complete"
      ? "stopped: the future given to runUntilComplete is done"
      : until === "settled"
      ? "stopped: what the js line awaits is done"
      : "stopped by loop.stop()";
    session.say(
      session.style.dim(`— ${reason} at t=${fmt(loop.time(), 3)}: ${this.#ranSummary()}`),
    );
  }

  #ranSummary(): string {
    const session = this.#session;
    const { callbacks, steps, iterations } = session.recorder.record!;
    const { readyCount, timerCount, taskCount } = session.recorder;
    const ran = `${plural(callbacks, "callback")} and ${plural(steps, "task step")} ran in ` +
      plural(iterations, "iteration");
    const left = `${readyCount} ready, ${plural(timerCount, "timer")}, ${
      plural(taskCount, "task")
    }`;
    const jsTimers = session.js.pendingTimers;
    const outside = session.loop.externalWaits;
    const stuck = readyCount === 0 && timerCount === 0 && jsTimers === 0 && taskCount > 0
      ? outside > 0
        ? ` (${plural(outside, "task")} awaiting a promise outside the loop)`
        : ` (${
          taskCount === 1 ? "it awaits" : "they await"
        } something nothing scheduled will finish)`
      : "";
    const pendingJs = jsTimers > 0
      ? `, ${plural(jsTimers, "js timer")} (setTimeout/setInterval)`
      : "";
    const waited = this.#jsWaited === null
      ? ""
      : `; waited ${fmt(this.#jsWaited / 1000, 3)} s of real time for js timers${
        session.clock === "virtual" ? " (the virtual clock does not count it)" : ""
      }`;
    return `${ran}; left ${left}${pendingJs}${stuck}${waited}`;
  }

  #endJsWait(): void {
    if (this.#jsWaitSince === null) return;
    this.#jsWaited = (this.#jsWaited ?? 0) + performance.now() - this.#jsWaitSince;
    this.#jsWaitSince = null;
  }

  /**
   * Tasks of this run that ended with an error nobody retrieved, said at
   * once (asyncio says "Task exception was never retrieved" only when the
   * task is collected).
   */
  #reportFailedTasks(): void {
    const session = this.#session;
    for (const entry of session.recorder.record?.entries ?? []) {
      const task = entry.task;
      if (task === null || !task.done() || task.cancelled() || this.#reported.has(task)) continue;
      this.#reported.add(task);
      // Only a failure nobody looked at (awaited, gathered, a TaskGroup's):
      // asyncio would report it as "Task exception was never retrieved".
      if (task._unretrievedRef === null) continue;
      task.exception(); // retrieved now: no second report at close
      session.say(session.style.error(
        `${idOf(entry, session.style)} ${entry.label}: the task failed: ${entry.raised?.error}`,
      ));
    }
  }
}
