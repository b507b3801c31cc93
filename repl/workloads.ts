/**
 * The printers' workloads: what a callback or task scheduled by
 * `call_soon NAME WORK` (and its siblings) does when the loop runs it, as
 * the lecture's `printer(name)`: "Started NAME at T", the work, "Finished
 * NAME at T", T in loop time (the session's time base). And the scheduling
 * commands themselves, which put those callbacks on the loop.
 * @module
 */
import { CancelledError, createSubprocessExec, sleep } from "../mod.ts";
import { Rejected } from "./errors.ts";
import type { Command, Work } from "./parse.ts";
import type { Entry } from "./recorder.ts";
import { fmt, idOf } from "./render.ts";
import type { Session } from "./session.ts";

type Schedule = Extract<Command, { cmd: "schedule" }>;

/** `block=0.2`, or nothing for instant work: how the REPL shows a printer's work. */
export function workText(work: Work): string {
  return work.kind === "instant" ? "" : `${work.kind}=${work.seconds}`;
}

/** Runs the printers of a session and schedules them. */
export class Workloads {
  #session: Session;

  constructor(session: Session) {
    this.#session = session;
  }

  /** `call_soon`, `call_later`, `call_at`, `call_soon_threadsafe`, `create_task`: schedule, and say where it went. */
  schedule(c: Schedule): void {
    const session = this.#session;
    const loop = session.loop;
    const { name, work } = c;
    if ((work.kind === "exec" || work.kind === "popen") && session.clock === "virtual") {
      throw new Rejected(
        `${c.method}: ${work.kind}=S runs a real process, which takes real time the virtual ` +
          "clock cannot wait for: type clock real first",
      );
    }
    // Named `printer`, so handle.describe() reads `printer('a')`, as asyncio's repr in the lecture.
    const printer = (name: string) => {
      if (work.kind !== "sleep" && work.kind !== "exec") return this.#perform(name, work);
      const task = loop.createTask(this.#taskBody(name, work), { name });
      const entry = session.recorder.ofTask(task);
      if (entry !== undefined) entry.detail = workText(work);
    };
    const [callback, args]: [(...args: never[]) => unknown, unknown[]] = c.target === "stop"
      ? [loop.stop, []]
      : c.target === "create_task"
      ? [loop.createTask, [this.#taskBody(name, work), { name }]]
      : [printer, [name]];
    let entry: Entry | undefined;
    let where: string;
    if (c.method === "create_task") {
      const task = loop.createTask(this.#taskBody(name, work), { name });
      entry = session.recorder.ofTask(task);
      where = `task ${name}, its first step in the ready queue ` +
        `(position ${session.recorder.readyCount})`;
    } else if (c.method === "call_soon" || c.method === "call_soon_threadsafe") {
      const handle = c.method === "call_soon"
        ? loop.callSoon(callback, ...args as never[])
        : loop.callSoonThreadsafe(callback, ...args as never[]);
      entry = session.recorder.ofHandle(handle);
      where = `ready queue (position ${session.recorder.readyCount})`;
    } else {
      const when = c.method === "call_at" && !c.relative ? c.time : loop.time() + c.time;
      const handle = c.method === "call_later"
        ? loop.callLater(c.time, callback, ...args as never[])
        : loop.callAt(when, callback, ...args as never[]);
      entry = session.recorder.ofHandle(handle);
      const late = when <= loop.time() ? ", already due" : "";
      where = `timer heap, due at t=${fmt(when, 3)}${late}`;
    }
    if (entry === undefined) throw new Error("the REPL lost track of what it scheduled");
    entry.label = name;
    entry.detail = c.target === "create_task"
      ? `create_task ${workText(work)}`.trimEnd()
      : workText(work);
    const does = c.target === "stop"
      ? ": it calls loop.stop(), so the run ends after that iteration"
      : c.target === "create_task"
      ? `: it calls loop.create_task(), which makes task ${name}`
      : "";
    const what = c.target === "create_task" ? `create_task ${name}` : name;
    session.say(`${idOf(entry, session.style)} ${c.method} ${what} → ${where}${does}`);
  }

  /** The lecture's printer line, at the loop's time. */
  #line(what: "Started" | "Finished" | "Cancelled" | "Interrupted", name: string): void {
    const session = this.#session;
    const note = what === "Interrupted" ? " (Ctrl-C)" : "";
    session.printed(
      `${what} ${name} at ${fmt(session.loop.time(), session.settings.decimals)}${note}`,
    );
  }

  /** The synchronous printer: Started, maybe block (or a blocking process), Finished. */
  #perform(name: string, work: Work): void {
    const session = this.#session;
    this.#line("Started", name);
    if (work.kind === "block" || work.kind === "popen") {
      if (work.kind === "popen") {
        // The thread stops: show "Started" first, as Python's print would (the clock's block does too).
        session.flush();
        new Deno.Command("sleep", { args: [String(work.seconds)] }).outputSync();
      } else {
        session.loop.clock.block(work.seconds);
      }
      if (session.clock === "real" && session.ctrlC.pending) {
        this.#line("Interrupted", name);
        session.runner.interrupt();
        return;
      }
    }
    this.#line("Finished", name);
  }

  /** What a printer task runs: the lecture's async printer, its process sleeper, or the sync one. */
  #taskBody(name: string, work: Work): () => Promise<void> | void {
    if (work.kind === "sleep" || work.kind === "exec") {
      return () => this.#asyncPrinter(name, work.kind as "sleep" | "exec", work.seconds);
    }
    return () => this.#perform(name, work);
  }

  /** Started, `await sleep(S)` (or a `sleep S` process), Finished. */
  async #asyncPrinter(name: string, kind: "sleep" | "exec", seconds: number): Promise<void> {
    this.#line("Started", name);
    try {
      if (kind === "exec") {
        const process = await createSubprocessExec("sleep", String(seconds));
        await process.wait();
      } else {
        const wake = sleep(seconds);
        // The S typed, exactly: the recorder's own label for a sleep is in milliseconds.
        const timer = this.#session.recorder.lastScheduled;
        if (timer !== null) timer.label = `sleep(${seconds})`;
        await wake;
      }
    } catch (err) {
      if (err instanceof CancelledError) this.#line("Cancelled", name);
      throw err;
    }
    this.#line("Finished", name);
  }
}
