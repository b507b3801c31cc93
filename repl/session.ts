/**
 * A REPL session: one event loop (ours, through `../mod.ts`), what the REPL
 * knows about it (a `Recorder`), and `exec(line)`, which takes a line through
 * parse → validate → run → render. Output goes to an injected `write`
 * function, so tests drive a session without a terminal.
 * @module
 */
import { format } from "node:util";
import * as asyncio from "../mod.ts";
import {
  allTasks,
  blockingSleep,
  CancelledError,
  type CoroutineLike,
  EventLoop,
  type EventLoopOptions,
  Future,
  Handle,
  RealClock,
  sleep,
  type Task,
  VirtualClock,
} from "../mod.ts";
import { DEMOS } from "./demos.ts";
import { type Command, COMMANDS, findCommand, parse, type Work } from "./parse.ts";
import { type Entry, Recorder } from "./recorder.ts";
import {
  count,
  describeEntry,
  fmt,
  idOf,
  makeStyle,
  plural,
  type QueueRow,
  renderQueue,
  renderTasks,
  renderTimeline,
  type Style,
  type TaskRow,
} from "./render.ts";
import { toTraceJson } from "./trace_export.ts";

/** How a session is made. */
export interface SessionOptions {
  /** Receives all output, as whole lines each ending in "\n". */
  write: (text: string) => void;
  /** Start on the virtual clock (default: the real one). */
  virtual?: boolean;
  /** ANSI colours (default: none). */
  color?: boolean;
  /** Where the line history is kept, for `help` (null: not kept). */
  historyPath?: string | null;
  /** Show what `write` holds back now (called before a callback blocks the thread). */
  flush?: () => void;
}

/** Bad input found while running a command (an unknown id, a missing file). */
class Rejected extends Error {}

const MAX_LOAD_DEPTH = 8;
// While a long file loads, give Deno a turn (keyboard, signals) this often, in ms.
const HOST_SLICE_MS = 50;

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split("\n")[0]}`;
  return String(err);
}

function workText(work: Work): string {
  return work.kind === "instant" ? "" : `${work.kind}=${work.seconds}`;
}

/** The REPL's state and commands. */
export class Session {
  /** The loop commands act on (replaced by `reset` and `clock`). */
  loop!: ReplLoop;
  /** What the REPL knows about the loop, from its trace events. */
  recorder!: Recorder;
  /** `set` values: decimals of printed run times, timeline width. */
  readonly settings = { decimals: 1, width: 60 };
  /** How many lines were rejected (parse errors and bad values). */
  errors = 0;
  /** True after `exit`. */
  exited = false;
  /** Colours (or none). */
  readonly style: Style;

  #write: (text: string) => void;
  #color: boolean;
  #virtual: boolean;
  #historyPath: string | null;
  /** How many `step`s in a row the current record holds (0: it is a run's). */
  #steps = 0;
  #untilEmpty = false;
  #emptied = false;
  #interrupted = false;
  #wakeWaiter: (() => void) | null = null;
  #flush: () => void;
  // Called when Deno finds nothing left pending while a js promise waits.
  #onHostIdle: (() => void) | null = null;
  // The same while the loop runs; it comes first, since the js code that
  // started the loop can only go on once the loop stops.
  #onRunStall: (() => void) | null = null;
  #stalled = false;
  // The last trace event was the loop going idle with no timer to wake it.
  #idleUntilWoken = false;
  // Host timers that js code set (setTimeout, setInterval), by id, not yet
  // fired or cleared: `run` waits for them, as it cannot see them otherwise.
  #jsTimers = new Set<number>();
  #jsTimerFunctions: JsTimerFunctions;
  // What those functions returned (Deno's Timeout objects), to show them short.
  #jsTimerValues = new WeakMap<object, string>();
  // Since when (performance.now()) the loop waits for js timers alone, and
  // how long it did in this run (null: it did not).
  #jsWaitSince: number | null = null;
  #jsWaited: number | null = null;
  // The js line being run, and the loop run it started last (loop.runForever()).
  #jsLine: string | null = null;
  #jsRun: Promise<void> | null = null;
  #reported = new WeakSet<Task<unknown>>();
  // The files being loaded, innermost last.
  #loading: string[] = [];
  /** How deep `load` and `demo` are nested. */
  #depth = 0;
  #linesInterrupted = false;
  #console: Pick<Console, "log" | "info" | "debug" | "warn" | "error">;

  constructor(options: SessionOptions) {
    this.#write = options.write;
    this.#flush = options.flush ?? (() => {});
    this.#virtual = options.virtual ?? false;
    this.#historyPath = options.historyPath ?? null;
    this.#color = options.color ?? false;
    this.style = makeStyle(this.#color);
    const log = (...args: unknown[]) => this.print(format(...args));
    this.#console = { log, info: log, debug: log, warn: log, error: log };
    this.#jsTimerFunctions = this.#makeJsTimerFunctions();
    this.#newLoop();
  }

  /** Which clock the loop reads. */
  get clock(): "real" | "virtual" {
    return this.#virtual ? "virtual" : "real";
  }

  /** Print one line. */
  print(line: string): void {
    this.#write(line + "\n");
  }

  /** The prompt: the clock, the loop's time, the queue sizes (or that js code closed the loop). */
  prompt(): string {
    const r = this.recorder;
    // Closing drops the queues without a trace event: the counts would be stale.
    const state = this.loop.isClosed()
      ? "closed"
      : `ready=${r.readyCount} timers=${r.timerCount} tasks=${r.taskCount}`;
    return this.style.prompt(`${this.clock} t=${fmt(this.loop.time(), 3)} ${state}>`) + " ";
  }

  /**
   * Ctrl-C: stop a running loop after its current iteration, give up
   * waiting for a `js` promise, stop a `load` or `demo` after the current
   * line. Returns false if there was nothing to stop.
   */
  interrupt(): boolean {
    let stopped = false;
    if (this.#depth > 0) {
      // A load or demo in progress stops after the current line.
      this.#linesInterrupted = true;
      stopped = true;
    }
    if (this.loop.isRunning()) {
      this.#interrupted = true;
      this.loop.stop();
      stopped = true;
    } else if (this.#wakeWaiter !== null) {
      this.#wakeWaiter();
      stopped = true;
    }
    return stopped;
  }

  /**
   * Guard the process while the REPL runs: report errors that `js` code
   * throws later, outside any command (in a host timer, an unawaited
   * promise), instead of letting them end the process; and when Deno finds
   * nothing left pending ("beforeunload") while a run or a `js` promise
   * waits, end that wait (it could only wait for ever) instead of letting
   * the process end under it. Returns the function that stops guarding.
   */
  guardHost(): () => void {
    const onError = (event: ErrorEvent) => {
      event.preventDefault();
      this.#reject(`uncaught in js code: ${errorText(event.error)}`);
    };
    const onRejection = (event: PromiseRejectionEvent) => {
      event.preventDefault();
      this.#reject(`unhandled rejection in js code: ${errorText(event.reason)}`);
    };
    const onIdle = (event: Event) => {
      const stuck = this.#onRunStall ?? this.#onHostIdle;
      if (stuck === null) return;
      if (stuck === this.#onRunStall) this.#onRunStall = null;
      else this.#onHostIdle = null;
      event.preventDefault(); // keep the REPL alive
      stuck();
    };
    globalThis.addEventListener("error", onError);
    globalThis.addEventListener("unhandledrejection", onRejection);
    globalThis.addEventListener("beforeunload", onIdle);
    return () => {
      globalThis.removeEventListener("error", onError);
      globalThis.removeEventListener("unhandledrejection", onRejection);
      globalThis.removeEventListener("beforeunload", onIdle);
    };
  }

  /** Close the loop and clear the js timers; the session is done. */
  close(): void {
    this.#clearJsTimers();
    this.recorder.dispose();
    if (!this.loop.isRunning()) this.loop.close();
  }

  /**
   * Run one line: parse, validate, run, render. Never throws: bad input and
   * failures print one line starting `error:`.
   * @param where a prefix for error lines (`file:3: `).
   * @returns false if the line was rejected.
   */
  async exec(line: string, where = ""): Promise<boolean> {
    const command = parse(line);
    if ("error" in command) return this.#reject(where + command.error);
    try {
      await this.#execute(command);
      return true;
    } catch (err) {
      let text = err instanceof Rejected ? err.message : `${command.cmd}: ${errorText(err)}`;
      if (this.loop.isClosed()) text += "; the loop was closed: type reset for a new one";
      else if (command.cmd === "js" && /no running event loop/.test(text)) {
        text += "; the loop runs only during run and step: put such code in a task," +
          " js loop.createTask(async () => { ... })" +
          (/runUntilComplete\(/.test(command.code)
            ? ", or pass runUntilComplete a function: loop.runUntilComplete(() => asyncio.sleep(1))" +
              " (JavaScript calls run at once; a Python coroutine waits to be awaited)"
            : "");
      }
      return this.#reject(where + text);
    }
  }

  /** Tab completion: the candidates for the word being typed, and that word. */
  complete(line: string): [string[], string] {
    const words = line.trimStart().split(/\s+/);
    const partial = words.at(-1) ?? "";
    if (words.length <= 1) {
      // With the space, a unique match is ready for its first argument.
      return [COMMANDS.map((c) => `${c.name} `).filter((n) => n.startsWith(partial)), partial];
    }
    const spec = findCommand(words[0]);
    let options: string[] = [];
    if (words.length === 2) {
      switch (spec?.name) {
        case "help":
          options = COMMANDS.map((c) => c.name);
          break;
        case "demo":
          options = Object.keys(DEMOS);
          break;
        case "cancel": {
          const hash = partial.startsWith("#") ? "#" : "";
          options = this.recorder.pendingIds().map((id) => `${hash}${id}`);
          break;
        }
        case "clock":
          options = ["real", "virtual"];
          break;
        case "set":
          options = ["decimals", "width"];
          break;
        case "load":
        case "export":
          options = filesLike(partial);
          break;
      }
    }
    return [options.filter((o) => o.startsWith(partial)), partial];
  }

  // ---- Commands -----------------------------------------------------------

  #reject(message: string): false {
    this.errors++;
    this.print(this.style.error("error: ") + message);
    return false;
  }

  async #execute(c: Command): Promise<void> {
    switch (c.cmd) {
      case "nothing":
        return;
      case "schedule":
        return this.#schedule(c);
      case "run":
        return await this.#run(c.seconds);
      case "step":
        return await this.#step();
      case "stop":
        this.loop.stop();
        if (this.loop.isRunning()) {
          // Started by js code outside any line (a host timer): it ends after this iteration.
          this.print("stop: the loop stops after this iteration");
          return;
        }
        this.print(
          "stop: the loop is not running, so the next run or step does one iteration " +
            "(as loop.stop() before loop.run_forever())",
        );
        return;
      case "cancel":
        return this.#cancel(c.id);
      case "reset":
        this.#checkNotRunning("reset");
        this.print(`reset: ${this.#newLoop()}`);
        return;
      case "clock":
        if (c.clock === null) {
          const other = this.clock === "real" ? "virtual" : "real";
          this.print(`clock: ${this.clock} (clock ${other} switches, with a new loop)`);
          return;
        }
        if (c.clock === this.clock) {
          this.print(`clock: already on the ${c.clock} clock`);
          return;
        }
        this.#checkNotRunning("clock");
        this.#virtual = c.clock === "virtual";
        this.print(`clock: ${this.#newLoop()}`);
        return;
      case "queue":
        return this.#queue();
      case "tasks":
        return this.#tasks();
      case "timeline": {
        const record = this.#lastRecord();
        const options = { width: this.settings.width, decimals: this.settings.decimals };
        for (const line of renderTimeline(record, options, this.style)) this.print(line);
        return;
      }
      case "export":
        return await this.#export(c.file);
      case "demo":
        return await this.#demo(c.name);
      case "load":
        return await this.#load(c.file);
      case "help":
        return this.#help(c.topic);
      case "js":
        return await this.#js(c.code);
      case "set":
        if (c.setting === null) {
          this.print(`decimals ${this.settings.decimals}, width ${this.settings.width}`);
        } else {
          this.settings[c.setting] = c.value;
          this.print(`${c.setting} = ${c.value}`);
        }
        return;
      case "exit":
        this.exited = true;
        return;
    }
  }

  /** A new loop on the current clock; returns what was dropped, for the message. */
  #newLoop(): string {
    let dropped = "";
    if (this.loop !== undefined) {
      const r = this.recorder;
      // They would call the old loop, closed.
      const jsTimers = this.#clearJsTimers();
      // A loop that js code closed dropped its ready queue and timers itself
      // (no trace event says so): they are not dropped again here.
      const closed = this.loop.isClosed();
      const ready = closed ? 0 : r.readyCount;
      const timers = closed ? 0 : r.timerCount;
      dropped = ` (dropped ${ready} ready, ${plural(timers, "timer")}, ${
        plural(r.taskCount, "task")
      }${jsTimers > 0 ? `, ${plural(jsTimers, "js timer")}` : ""})`;
      this.recorder.dispose();
      this.loop.close();
    }
    const loop = new ReplLoop(
      { clock: this.#virtual ? new VirtualClock() : new RealClock() },
      () => this.#jsStartedRun(),
    );
    loop.setExceptionHandler((_loop, context) => {
      const exc = context.exception === undefined ? "" : `: ${errorText(context.exception)}`;
      this.print(this.style.error("error in the loop: ") + context.message + exc);
    });
    // A task's code that a host promise resumes while no run is on (see
    // README: it runs outside the loop) is said, since no timeline shows it.
    const outsideSince = new Map<Task<unknown>, number>();
    loop.addTraceListener((event) => {
      this.#endJsWait();
      this.#idleUntilWoken = event.kind === "idle" && event.until === null;
      if (this.#idleUntilWoken) this.#stopIfEmpty();
      if (loop.isRunning() || (event.kind !== "start" && event.kind !== "finish")) return;
      const task = event.handle.task;
      if (task === null) return;
      if (event.kind === "start" && event.outside) outsideSince.set(task, event.time);
      const since = outsideSince.get(task);
      if (event.kind !== "finish" || since === undefined) return;
      outsideSince.delete(task);
      const entry = this.recorder.ofTask(task);
      const who = entry === undefined
        ? task.getName()
        : `${idOf(entry, this.style)} ${entry.label}`;
      this.print(this.style.dim(
        `— ${who} ran outside the loop at t=${fmt(since, 3)} for ${fmt(event.time - since, 3)} s ` +
          "(a host promise resumed it while no run was on)",
      ));
    });
    this.loop = loop;
    this.recorder = new Recorder(loop);
    this.#steps = 0;
    return `a new loop on the ${this.clock} clock at t=${fmt(loop.time(), 3)}${dropped}`;
  }

  /**
   * `run` without S stops when the loop waits with nothing ready, no timer
   * left, no task awaiting something outside the loop and no js timer
   * pending: nothing could ever run again.
   */
  #stopIfEmpty(): void {
    const loop = this.loop;
    if (!this.#untilEmpty || !this.#idleUntilWoken || loop.externalWaits > 0) return;
    if (this.#jsTimers.size > 0) {
      this.#jsWaitSince ??= performance.now();
      return;
    }
    this.#emptied = true;
    // The loop starts waiting right after its idle event: stop it from a microtask.
    queueMicrotask(() => loop.stop());
  }

  #endJsWait(): void {
    if (this.#jsWaitSince === null) return;
    this.#jsWaited = (this.#jsWaited ?? 0) + performance.now() - this.#jsWaitSince;
    this.#jsWaitSince = null;
  }

  /**
   * The js scope's setTimeout, setInterval, clearTimeout and clearInterval:
   * the host's, keeping the ids of the timers still to fire (an interval
   * until it is cleared), so that `run` waits for them.
   */
  #makeJsTimerFunctions(): JsTimerFunctions {
    const pending = this.#jsTimers;
    const settle = (id: number) => {
      if (pending.delete(id)) this.#stopIfEmpty();
    };
    const start = (host: typeof setTimeout, repeat: boolean) =>
    (
      callback: (...args: unknown[]) => void,
      ms?: number,
      ...args: unknown[]
    ): unknown => {
      // Not a function: the host's own error.
      if (typeof callback !== "function") return host(callback, ms);
      const timer = host(() => {
        try {
          callback(...args);
        } finally {
          if (!repeat) settle(id);
        }
      }, ms);
      const id = Number(timer);
      pending.add(id);
      if (typeof timer === "object" && timer !== null) {
        const [kind, clear] = repeat
          ? ["setInterval", "clearInterval"]
          : ["setTimeout", "clearTimeout"];
        this.#jsTimerValues.set(
          timer,
          `${kind} timer ${id} (${ms ?? 0} ms): run waits for it (${clear} to drop it)`,
        );
      }
      return timer;
    };
    // Only the timers js code set here: any other id may be the loop's own
    // wake-up (a host timer), and clearing it would stall the run.
    const clear = (timer?: unknown) => {
      const id = Number(timer);
      if (!pending.has(id)) return;
      clearTimeout(id);
      settle(id);
    };
    return {
      setTimeout: start(setTimeout, false),
      setInterval: start(setInterval as typeof setTimeout, true),
      clearTimeout: clear,
      clearInterval: clear,
    };
  }

  /** Clear the timers js code left pending; returns how many there were. */
  #clearJsTimers(): number {
    const count = this.#jsTimers.size;
    for (const id of this.#jsTimers) clearTimeout(id);
    this.#jsTimers.clear();
    return count;
  }

  /** The seed's printer line, the time relative to the start of the run. */
  #line(what: "Started" | "Finished" | "Cancelled", name: string): void {
    const start = this.recorder.record?.start ?? 0;
    this.print(`${what} ${name} at ${fmt(this.loop.time() - start, this.settings.decimals)}`);
  }

  /** The synchronous part of a printer: Started, maybe block, Finished. */
  #perform(name: string, work: Work): void {
    this.#line("Started", name);
    if (work.kind === "block") {
      // The thread stops: show "Started" first, as Python's print would.
      if (!this.#virtual) this.#flush();
      blockingSleep(work.seconds);
    }
    this.#line("Finished", name);
  }

  /** The async printer of the seed: Started, `await sleep(S)`, Finished. */
  async #asyncPrinter(name: string, seconds: number): Promise<void> {
    this.#line("Started", name);
    const wake = sleep(seconds);
    // The S typed, exactly: the recorder's own label for a sleep is in milliseconds.
    const timer = this.recorder.lastScheduled;
    if (timer !== null) timer.label = `sleep(${seconds})`;
    try {
      await wake;
    } catch (err) {
      if (err instanceof CancelledError) this.#line("Cancelled", name);
      throw err;
    }
    this.#line("Finished", name);
  }

  /** What a task created with `create_task NAME WORK` runs. */
  #taskBody(name: string, work: Work): () => Promise<void> | void {
    if (work.kind === "sleep") return () => this.#asyncPrinter(name, work.seconds);
    return () => this.#perform(name, work);
  }

  #schedule(c: Extract<Command, { cmd: "schedule" }>): void {
    const loop = this.loop;
    const { name, work } = c;
    // Named `printer`, so handle.describe() reads `printer('a')`, as asyncio's repr in the seed.
    const printer = (name: string) => {
      if (work.kind !== "sleep") return this.#perform(name, work);
      const task = loop.createTask(() => this.#asyncPrinter(name, work.seconds), { name });
      const entry = this.recorder.ofTask(task);
      if (entry !== undefined) entry.detail = workText(work);
    };
    let entry: Entry | undefined;
    let where: string;
    if (c.method === "create_task") {
      const task = loop.createTask(this.#taskBody(name, work), { name });
      entry = this.recorder.ofTask(task);
      where =
        `task ${name}, its first step in the ready queue (position ${this.recorder.readyCount})`;
    } else if (c.method === "call_soon" || c.method === "call_soon_threadsafe") {
      const handle = c.method === "call_soon"
        ? loop.callSoon(printer, name)
        : loop.callSoonThreadsafe(printer, name);
      entry = this.recorder.ofHandle(handle);
      where = `ready queue (position ${this.recorder.readyCount})`;
    } else {
      const when = c.method === "call_at" && !c.relative ? c.time : loop.time() + c.time;
      const handle = c.method === "call_later"
        ? loop.callLater(c.time, printer, name)
        : loop.callAt(when, printer, name);
      entry = this.recorder.ofHandle(handle);
      const late = when <= loop.time() ? ", already due" : "";
      where = `timer heap, due at t=${fmt(when, 3)}${late}`;
    }
    if (entry === undefined) throw new Error("the REPL lost track of what it scheduled");
    entry.label = name;
    entry.detail = workText(work);
    this.print(`${idOf(entry, this.style)} ${c.method} ${name} → ${where}`);
  }

  #checkNotRunning(what: string): void {
    if (this.loop.isRunning()) {
      throw new Rejected(`${what}: the loop is already running; stop it first (Ctrl-C)`);
    }
  }

  /** Drive the loop until it stops; returns why it stopped. */
  async #drive(untilEmpty: boolean): Promise<"interrupted" | "empty" | "stopped"> {
    this.#untilEmpty = untilEmpty;
    this.#emptied = false;
    this.#interrupted = false;
    this.#stalled = false;
    const onSignal = () => this.interrupt();
    // SIGINT stops the run (a terminal in raw mode sends Ctrl-C as a key instead: see terminal.ts).
    Deno.addSignalListener("SIGINT", onSignal);
    // Nothing left that could wake the loop (a task awaits a promise that
    // nothing pending will settle): stop, rather than wait for ever.
    this.#onRunStall = () => {
      this.#stalled = true;
      this.interrupt();
    };
    try {
      await this.loop.runDirect();
    } finally {
      Deno.removeSignalListener("SIGINT", onSignal);
      this.#untilEmpty = false;
      this.#onRunStall = null;
      this.#endJsWait();
    }
    this.#reportFailedTasks();
    return this.#interrupted ? "interrupted" : this.#emptied ? "empty" : "stopped";
  }

  /**
   * Tasks of this run that ended with an error nobody retrieved, said at
   * once (asyncio says "Task exception was never retrieved" only when the
   * task is collected).
   */
  #reportFailedTasks(): void {
    for (const entry of this.recorder.record?.entries ?? []) {
      const task = entry.task;
      if (task === null || !task.done() || task.cancelled() || this.#reported.has(task)) continue;
      this.#reported.add(task);
      // Only a failure nobody looked at (awaited, gathered, a TaskGroup's):
      // asyncio would report it as "Task exception was never retrieved".
      if (task._unretrievedRef === null) continue;
      const error = task.exception(); // retrieved now: no second report at close
      this.print(
        this.style.error(
          `${idOf(entry, this.style)} ${entry.label}: the task failed: ${errorText(error)}`,
        ),
      );
    }
  }

  async #run(seconds: number | null): Promise<void> {
    this.#checkNotRunning("run");
    await this.#recordedRun(seconds === null ? "run" : `run ${seconds}`, seconds);
  }

  /**
   * `loop.runForever()` called by js code (also through
   * `runUntilComplete()`): a run as `run` without S, and the js line
   * waits for it even if the code does not await it.
   */
  #jsStartedRun(): Promise<void> {
    const code = this.#jsLine;
    const title = code === null
      ? "loop.runForever() of js code"
      : `js ${code.length > 40 ? code.slice(0, 39) + "…" : code}`;
    this.#jsRun = this.#recordedRun(title, null, true, this.loop.untilComplete);
    return this.#jsRun;
  }

  /**
   * Run the loop (S seconds, or until nothing is left), record it for
   * `timeline`, and end with the line saying why it stopped and what ran.
   */
  async #recordedRun(
    title: string,
    seconds: number | null,
    byJs = false,
    untilComplete = false,
  ): Promise<void> {
    const loop = this.loop;
    // Before `begin`: a run that cannot start leaves the last record as it is.
    if (loop.isClosed()) throw new asyncio.RuntimeError("Event loop is closed");
    this.recorder.begin(title);
    this.#steps = 0;
    this.#jsWaited = null;
    let timedOut = false;
    const stopper = seconds === null
      ? null
      : this.recorder.unrecorded(() =>
        loop.callLater(seconds, () => {
          timedOut = true;
          loop.stop();
        })
      );
    let why;
    try {
      why = await this.#drive(seconds === null);
    } finally {
      if (!timedOut) stopper?.cancel();
      this.recorder.end();
    }
    const reason = why === "interrupted"
      ? this.#stalled
        ? this.#virtual && loop.externalWaits > 0 && loop.scheduledHandles().length > 0
          ? "stopped: the virtual clock stands still while a task awaits a promise outside the " +
            "loop, and nothing else can settle it (step moves the clock anyway)"
          : this.recorder.taskCount > 0
          ? "stopped: nothing pending can wake the loop (a task awaits a promise that will not settle)"
          : "stopped: nothing pending can wake the loop"
        : "interrupted"
      : why === "empty"
      ? byJs
        ? "nothing left to run, so the REPL stopped the loop (as run does)"
        : "nothing left to run"
      : timedOut
      ? `stopped after ${seconds} s`
      : untilComplete
      ? "stopped: the future given to runUntilComplete is done"
      : "stopped by loop.stop()";
    this.print(this.style.dim(`— ${reason} at t=${fmt(loop.time(), 3)}: ${this.#ranSummary()}`));
  }

  #ranSummary(): string {
    const { callbacks, steps, iterations } = this.recorder.record!;
    const { readyCount, timerCount, taskCount } = this.recorder;
    const ran = `${plural(callbacks, "callback")} and ${plural(steps, "task step")} ran in ` +
      plural(iterations, "iteration");
    const left = `${readyCount} ready, ${plural(timerCount, "timer")}, ${
      plural(taskCount, "task")
    }`;
    const jsTimers = this.#jsTimers.size;
    const outside = this.loop.externalWaits;
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
        this.#virtual ? " (the virtual clock does not count it)" : ""
      }`;
    return `${ran}; left ${left}${pendingJs}${stuck}${waited}`;
  }

  async #step(): Promise<void> {
    this.#checkNotRunning("step");
    const loop = this.loop;
    // Steps in a row make one record, so `timeline` shows them together.
    if (this.#steps > 0 && this.recorder.record !== null) {
      this.#steps++;
      this.recorder.resume(`${this.#steps} steps`);
    } else {
      this.#steps = 1;
      this.recorder.begin("1 step");
    }
    if (this.#virtual && this.recorder.readyCount === 0) {
      // Nothing is ready: on the virtual clock, jump to the next timer, as a run would.
      const next = loop.scheduledHandles()[0];
      if (next !== undefined) loop.clock.advanceTo(next.when());
    }
    const ran: Entry[] = [];
    this.recorder.onStart = (entry) => ran.push(entry);
    loop.stop();
    let failed = true;
    try {
      await this.#drive(false);
      failed = false;
    } finally {
      this.recorder.onStart = null;
      this.recorder.end();
      if (failed) {
        // `timeline` keeps showing what ran before (an empty run would hide it).
        this.recorder.discard();
        this.#steps--;
      }
    }
    const next = ran.length === 0 ? loop.scheduledHandles()[0] : undefined;
    const names = ran.length === 0
      ? "nothing" +
        (next === undefined
          ? ""
          : ` (the next timer is due at t=${fmt(next.when(), 3)}, in ${
            fmt(next.when() - loop.time(), 3)
          } s: step then, or run)`)
      : ran.slice(0, 10).map((e) =>
        `${idOf(e, this.style)} ${e.label}${e.kind === "task" ? " (step)" : ""}`
      )
        .join(", ") + (ran.length > 10 ? ` and ${count(ran.length - 10)} more` : "");
    this.print(
      this.style.dim(`— iteration ${loop.iteration} at t=${fmt(loop.time(), 3)} ran `) + names,
    );
  }

  #cancel(id: number): void {
    const entry = this.recorder.byId(id);
    if (entry === undefined) {
      const ids = this.recorder.pendingIds();
      const shown = ids.slice(0, 10).map((i) => `#${i}`).join(", ") +
        (ids.length > 10 ? ", …" : "");
      const list = ids.length === 0 ? "nothing is pending" : `pending: ${shown}`;
      throw new Rejected(`cancel: no pending callback or task #${id}; ${list}`);
    }
    const who = `${idOf(entry, this.style)} ${describeEntry(entry, this.style)}`;
    if (entry.task !== null) {
      // Suspended, but on nothing of the loop's (no wait_for= in its repr).
      const outside = entry.open?.kind === "await" && waitForOf(String(entry.task)) === null;
      entry.task.cancel();
      this.print(
        entry.firstRun === null && typeof entry.task.getCoro() === "function"
          ? `${who}: task cancel requested; it will not start (it ends cancelled when the loop runs)`
          : outside
          ? `${who}: task cancel requested; it awaits a promise outside the loop, so ` +
            "CancelledError comes at its next await of a loop future, after that promise settles " +
            "(pass task.signal to such APIs to stop them at once)"
          : `${who}: task cancel requested; its await raises CancelledError when the loop runs`,
      );
    } else {
      entry.handle!.cancel();
      this.print(`${who}: cancelled; it will not run`);
    }
  }

  #queue(): void {
    const row = (h: Handle): QueueRow => ({
      entry: this.recorder.ofHandle(h) ?? null,
      fallback: h.toString(),
      when: h instanceof asyncio.TimerHandle ? h.when() : null,
      step: h.task !== null,
    });
    const ready = this.loop.readyHandles().map(row);
    const timers = this.loop.scheduledHandles().map(row);
    for (const line of renderQueue(ready, timers, this.loop.time(), this.style)) this.print(line);
    const js = this.#jsTimers.size;
    if (js > 0) {
      this.print(
        `host timers of js code: ${js} pending (setTimeout/setInterval; run waits for them)`,
      );
    }
  }

  #tasks(): void {
    const stepQueued = new Set(
      this.loop.readyHandles().map((h) => h.task).filter((t) => t !== null),
    );
    const timers = this.recorder.timersByTask();
    const rows: TaskRow[] = [...allTasks(this.loop)].map((task) => {
      const entry = this.recorder.ofTask(task) ?? null;
      return {
        entry,
        name: task.getName(),
        state: this.#taskState(task, entry, stepQueued, timers),
      };
    });
    for (const line of renderTasks(rows, this.style)) this.print(line);
  }

  #taskState(
    task: Task<unknown>,
    entry: Entry | null,
    stepQueued: Set<Task<unknown> | null>,
    timers: Map<Entry, Entry[]>,
  ): string {
    const cancelling = task.cancelling() > 0 ? " (cancel requested)" : "";
    if (stepQueued.has(task)) {
      const first = entry?.firstRun === null;
      return `ready: its ${first ? "first" : "next"} step is in the ready queue${cancelling}`;
    }
    const awaited = waitForOf(String(task));
    const own = entry === null ? [] : timers.get(entry) ?? [];
    // The timer whose arguments hold the future the task awaits wakes it (a
    // sleep's); another of its timers is likely a deadline (a timeout's).
    const wake = own.find((t) =>
      t.handle!.args.some((arg) => arg instanceof Future && String(arg) === awaited)
    );
    const other = own.find((t) => t !== wake);
    const due = (t: Entry) =>
      `${t.label}: timer #${t.id} due at t=${fmt((t.handle as asyncio.TimerHandle).when(), 3)}`;
    return `awaiting ${wake === undefined ? awaited ?? "a promise outside the loop" : due(wake)}${
      other === undefined ? "" : `; ${due(other)}`
    }${cancelling}`;
  }

  #lastRecord() {
    const record = this.recorder.record;
    if (record === null) throw new Rejected("nothing has run yet: type run or step first");
    return record;
  }

  async #export(file: string): Promise<void> {
    const record = this.#lastRecord();
    const trace = toTraceJson(record, this.clock);
    try {
      await Deno.writeTextFile(file, JSON.stringify(trace) + "\n");
    } catch (err) {
      throw new Rejected(`export: cannot write ${file}: ${errorText(err)}`);
    }
    const events = plural(trace.traceEvents.filter((e) => e.ph !== "M").length, "event");
    this.print(`export: wrote ${events} of ${record.title} to ${file}; open it in ui.perfetto.dev`);
  }

  async #demo(name: string): Promise<void> {
    this.#checkNotRunning("demo");
    const demo = DEMOS[name];
    this.#newLoop();
    this.print(this.style.dim(`demo ${name}: ${demo.summary} (on a new ${this.clock}-clock loop)`));
    const done = await this.#lines(demo.lines, (line) => {
      this.print(this.style.dim(`> ${line}`));
      return `demo ${name}: `;
    });
    if (done < demo.lines.length) this.print(this.style.dim(`— demo ${name}: interrupted`));
  }

  async #load(name: string): Promise<void> {
    if (this.#depth >= MAX_LOAD_DEPTH) {
      throw new Rejected(`load: files nested more than ${MAX_LOAD_DEPTH} deep`);
    }
    // A relative path in a loaded file is relative to that file, so files
    // that load each other can move together.
    const here = this.#loading.at(-1);
    const file = here !== undefined && !name.startsWith("/")
      ? `${here.slice(0, here.lastIndexOf("/") + 1)}${name}`
      : name;
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (err) {
      throw new Rejected(`load: cannot read ${file}: ${errorText(err)}`);
    }
    const lines = text.split(/\r?\n/);
    if (lines.at(-1) === "") lines.pop();
    let rejected = 0;
    this.#loading.push(file);
    let done: number;
    try {
      done = await this.#lines(lines, (_line, i) => `${file}:${i + 1}: `, () => rejected++);
    } finally {
      this.#loading.pop();
    }
    const interrupted = done < lines.length ? `interrupted after ${plural(done, "line")} of ` : "";
    this.print(this.style.dim(
      `— load ${file}: ${interrupted}${plural(lines.length, "line")}, ${count(rejected)} rejected`,
    ));
  }

  /**
   * Run `lines` one by one (for load and demo) until the end, `exit`, or
   * Ctrl-C. `before` runs before each line and returns the error prefix.
   * @returns how many lines ran.
   */
  async #lines(
    lines: string[],
    before: (line: string, index: number) => string,
    onRejected: () => void = () => {},
  ): Promise<number> {
    if (this.#depth === 0) this.#linesInterrupted = false;
    this.#depth++;
    try {
      let yieldAt = performance.now() + HOST_SLICE_MS;
      for (let i = 0; i < lines.length; i++) {
        if (this.exited || this.#linesInterrupted) return i;
        if (!(await this.exec(lines[i], before(lines[i], i)))) onRejected();
        if ((i & 255) === 255 && performance.now() >= yieldAt) {
          // Let Deno read the keyboard (and signals), so Ctrl-C can stop a long file.
          await new Promise((resolve) => setTimeout(resolve, 0));
          yieldAt = performance.now() + HOST_SLICE_MS;
        }
      }
      return lines.length;
    } finally {
      this.#depth--;
    }
  }

  #help(topic: string | null): void {
    if (topic !== null) {
      const spec = COMMANDS.find((c) => c.name === topic)!;
      const camel = topic.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
      const also = [camel, ...(spec.aliases ?? [])].filter((a) => a !== topic);
      this.print(`${spec.usage}\n  ${spec.summary}`);
      for (const line of spec.details ?? []) this.print(`  ${line}`);
      if (also.length > 0) this.print(`  also spelled: ${also.join(", ")}`);
      return;
    }
    const width = Math.max(...COMMANDS.map((c) => c.usage.length));
    this.print("Commands (snake_case as in asyncio; camelCase works too):");
    for (const spec of COMMANDS) this.print(`  ${spec.usage.padEnd(width)}  ${spec.summary}`);
    this.print(
      "WORK: nothing (instant), block=S (blocks the loop S s), sleep=S (a task that awaits sleep(S)).\n" +
        "Printers say the time since the run (or steps) began, as the seed's printers; t= is loop time.\n" +
        "IDs are printed as #N when something is scheduled; queue and tasks list them.\n" +
        "The prompt shows the clock, the loop time and the ready/timer/task counts (closed: js code\n" +
        "closed the loop; reset makes a new one).\n" +
        "Keys: Tab completes, Up/Down walk the history, Ctrl-C stops a run, Ctrl-D leaves.\n" +
        (this.#historyPath === null ? "History: not kept." : `History: ${this.#historyPath}`),
    );
  }

  async #js(code: string): Promise<void> {
    const run = await compile(code);
    const $ = (id: number) => {
      const entry = this.recorder.byId(Number(String(id).replace(/^#/, "")));
      return entry?.task ?? entry?.handle ?? undefined;
    };
    this.#jsLine = code;
    this.#jsRun = null;
    try {
      const scope = { loop: this.loop, asyncio, console: this.#console, $ };
      const box = await this.#settle(run({ ...scope, ...this.#jsTimerFunctions }));
      if (box === interruptedMark) return;
      let value = box.timer && this.#jsTimerText(box.value) === undefined ? undefined : box.value;
      if (value instanceof Promise) {
        value = await this.#settle(value);
        if (value === interruptedMark) return;
      }
      // A loop the line started without awaiting it: wait for it as for
      // `run`, rather than leave it running behind the prompt.
      if (this.#jsRun !== null) await this.#jsRun;
      if (value !== undefined) this.print(this.#show(value));
    } finally {
      this.#jsLine = null;
      // Also when the line failed after starting the loop (its error is said after the run).
      // (A cast: TypeScript cannot see that the line's code may have set it.)
      await (this.#jsRun as Promise<void> | null)?.catch(() => {});
    }
  }

  /**
   * Await a promise of `js` code, unless Ctrl-C gives up on it first, or
   * nothing is left that could settle it (Deno is about to exit: with the
   * loop stopped, a promise that waits on it never settles).
   */
  async #settle<T>(promise: Promise<T>): Promise<T | typeof interruptedMark> {
    const stalled = new Promise<typeof stalledMark>((resolve) => {
      this.#onHostIdle = () => resolve(stalledMark);
    });
    const interrupted = new Promise<typeof interruptedMark>((resolve) => {
      this.#wakeWaiter = () => resolve(interruptedMark);
    });
    let value: T | typeof interruptedMark | typeof stalledMark;
    try {
      value = await Promise.race([promise, interrupted, stalled]);
    } finally {
      this.#wakeWaiter = null;
      this.#onHostIdle = null;
    }
    if (value === interruptedMark) {
      this.print("js: stopped waiting for the promise (it may still settle later)");
    } else if (value === stalledMark) {
      throw new Rejected(
        "js: the promise can never settle: nothing else is pending (the loop runs only " +
          "during run and step: put such code in a task, js loop.createTask(async () => { ... }))",
      );
    }
    return value as T | typeof interruptedMark;
  }

  /** What a timer that the js scope's setTimeout or setInterval returned is (else undefined). */
  #jsTimerText(value: unknown): string | undefined {
    return typeof value === "object" && value !== null ? this.#jsTimerValues.get(value) : undefined;
  }

  #show(value: unknown): string {
    const jsTimer = this.#jsTimerText(value);
    if (jsTimer !== undefined) return jsTimer;
    if (value instanceof Handle || value instanceof Future) {
      const entry = value instanceof Handle
        ? this.recorder.ofHandle(value)
        : this.recorder.ofTask(value as Task<unknown>);
      // asyncio's repr, with the deadline at the REPL's precision.
      const repr = String(value).replace(
        / when=([\d.e+-]+)/,
        (_, when: string) => ` when=${Number(fmt(Number(when), 3))}`,
      );
      return `${entry ? idOf(entry, this.style) + " " : ""}${repr}`;
    }
    return Deno.inspect(value, { colors: this.#color, depth: 3 });
  }
}

/** The `wait_for=<...>` part of a task's repr (the brackets balanced), or null. */
function waitForOf(repr: string): string | null {
  const start = repr.indexOf("wait_for=<");
  if (start < 0) return null;
  let depth = 0;
  for (let i = start + "wait_for=".length; i < repr.length; i++) {
    if (repr[i] === "<") depth++;
    else if (repr[i] === ">" && --depth === 0) return repr.slice(start + "wait_for=".length, i + 1);
  }
  return null;
}

const interruptedMark = Symbol("interrupted");
const stalledMark = Symbol("stalled");

/** The host timer functions as the js scope has them (see `#makeJsTimerFunctions`). */
interface JsTimerFunctions {
  setTimeout: (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => unknown;
  setInterval: JsTimerFunctions["setTimeout"];
  clearTimeout: (timer?: unknown) => void;
  clearInterval: (timer?: unknown) => void;
}

/** What a `js` line has in scope besides the globals. */
interface JsScope extends JsTimerFunctions {
  loop: EventLoop;
  asyncio: typeof asyncio;
  console: unknown;
  $: (id: number) => unknown;
}

/** `timer`: the value is the last statement's, to be shown only if it is a js timer. */
type Compiled = (scope: JsScope) => Promise<{ value: unknown; timer?: boolean }>;

/**
 * The session's loop. A `runForever()` that js code calls (itself, or
 * through `runUntilComplete()`) goes to the session, so that it runs as
 * the `run` command does; the session's own runs use `runDirect()`.
 */
class ReplLoop extends EventLoop {
  #startRun: () => Promise<void>;
  /** The run being started comes from `runUntilComplete()` (its future's end stops it). */
  untilComplete = false;

  constructor(options: EventLoopOptions, startRun: () => Promise<void>) {
    super(options);
    this.#startRun = startRun;
  }

  override runForever(): Promise<void> {
    // A running or closed loop: the library's own error.
    if (this.isRunning() || this.isClosed()) return super.runForever();
    return this.#startRun();
  }

  override runUntilComplete<T>(future: Future<T> | CoroutineLike<T>): Promise<T> {
    // The library's method calls runForever() before it returns.
    this.untilComplete = true;
    try {
      return super.runUntilComplete(future);
    } finally {
      this.untilComplete = false;
    }
  }

  /** The library's `runForever()`. */
  runDirect(): Promise<void> {
    return super.runForever();
  }
}

/**
 * Compile a `js` line as the body of an async function. Deno transpiles a
 * `data:` TypeScript module, so type annotations work. The line is first
 * tried as an expression (its value is printed), then as statements. The
 * value is boxed so that a returned Future or Task is not awaited: awaiting
 * one while the loop is not running would never end.
 */
async function compile(code: string): Promise<Compiled> {
  const head = "export default async function ({ loop, asyncio, console, $, setTimeout, " +
    "setInterval, clearTimeout, clearInterval }) {";
  const load = async (body: string) =>
    (await import(`data:application/typescript;base64,${base64(`${head}\n${body}\n}`)}`))
      .default as Compiled;
  try {
    return await load(`return { value: (\n${code}\n) };`);
  } catch {
    // Not an expression: statements.
  }
  let statements: Compiled;
  try {
    statements = await load(`${code}\n;return { value: undefined };`);
  } catch (err) {
    throw new Rejected(`js: ${errorText(err).replace(/^TypeError: /, "")}`);
  }
  // The last statement sets a js timer (`let n = 0; setInterval(…)`): its
  // value, so that the timer is said as for the call alone. A `;` that ends
  // no statement (in a string, a comment, a block) does not compile, and
  // the tail stays on the prefix's line, so a line comment there fails too.
  const stripped = code.replace(/[\s;]+$/, "");
  for (let i = stripped.length; i >= 0; i--) {
    if (i > 0 && stripped[i - 1] !== ";") continue;
    const last = stripped.slice(i);
    if (!/^\s*set(Timeout|Interval)\s*\([\s\S]*\)$/.test(last)) continue;
    try {
      return await load(
        `${stripped.slice(0, i)} return { value: (${last}\n), timer: true };`,
      );
    } catch {
      // Not a statement boundary: try an earlier `;`.
    }
  }
  return statements;
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** File names in the directory of `partial` that start like it (for load/export completion). */
function filesLike(partial: string): string[] {
  const slash = partial.lastIndexOf("/");
  const dir = slash < 0 ? "." : partial.slice(0, slash + 1) || "/";
  const prefix = slash < 0 ? "" : partial.slice(0, slash + 1);
  try {
    return [...Deno.readDirSync(dir)].map((e) => prefix + e.name + (e.isDirectory ? "/" : ""));
  } catch {
    return [];
  }
}
