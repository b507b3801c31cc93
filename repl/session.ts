/**
 * A REPL session: one event loop (ours, through `../mod.ts`), what the REPL
 * knows about it (a `Recorder`), and `exec(line)`, which takes a line through
 * parse → validate → run → render and dispatches it to the room that does
 * it: `workloads.ts` (scheduling, the printers), `runner.ts` (run, step),
 * `js.ts`, `views.ts` (queue, tasks, timeline, why, export), `scripts.ts`
 * (load, demo), `help.ts`.
 * Output goes to an injected `write` function, so tests drive a session
 * without a terminal.
 * @module
 */
import { VirtualClock } from "../mod.ts";
import { SessionClock } from "./clock.ts";
import { complete } from "./completion.ts";
import { CtrlC } from "./ctrl_c.ts";
import type { TopTerminal } from "../monitor/top.ts";
import { showHelp } from "./help.ts";
import { errorLine, Rejected } from "./errors.ts";
import { JsEvaluator } from "./js.ts";
import { type Lecture, makeLecture } from "./lecture.ts";
import { outsideStepReporter, ReplLoop, reportLoopError } from "./loop.ts";
import { type Command, parse } from "./parse.ts";
import { treeLabel } from "./awaits.ts";
import { IterationLog } from "./iterations.ts";
import { Recorder } from "./recorder.ts";
import { describeEntry, fmt, idOf, makeStyle, plural, type Style, wrap } from "./render.ts";
import { Runner } from "./runner.ts";
import { Scripts } from "./scripts.ts";
import { LiveView } from "./view_server.ts";
import { explain, exportFile, showGraph, showQueue, showTasks, showTimeline } from "./views.ts";
import { Workloads } from "./workloads.ts";
import { attach, detach } from "./attach.ts";

/** How a session is made. */
export interface SessionOptions {
  /** Receives all output, as whole lines each ending in "\n". */
  write: (text: string) => void;
  /** Start on the virtual clock (the default) or the real one. */
  virtual?: boolean;
  /** ANSI colours (default: none). */
  color?: boolean;
  /** Where the line history is kept, for `help` (null: not kept). */
  historyPath?: string | null;
  /** Show what `write` holds back now (called before a callback blocks the thread). */
  flush?: () => void;
  /** The terminal's width now (null, the default: no terminal, no wrapping). */
  columns?: () => number | null;
  /** Ctrl-C that reaches a blocked thread (the terminal passes one that always listens; see ctrl_c.ts). */
  ctrlC?: CtrlC;
  /** The terminal, lent to a command that draws in it (`attach top`); none for a script. */
  terminal?: TopTerminal;
}

/** The REPL's state and commands. */
export class Session {
  /** The loop commands act on (replaced by `reset` and `clock`). */
  loop!: ReplLoop;
  /** What the REPL knows about the loop, from its trace events. */
  recorder!: Recorder;
  /** The loop's iterations one by one, for the browser view. */
  log!: IterationLog;
  /** The browser view being served (`view`), if any. */
  liveView: LiveView | null = null;
  /** The lecture's process and server programs, printing here (`lecture` in js). */
  lecture!: Lecture;
  /** `set` values: decimals of printed times, timeline width (null: fit the terminal). */
  readonly settings: { decimals: number; width: number | null } = { decimals: 1, width: null };
  /** How many lines were rejected (parse errors and bad values). */
  errors = 0;
  /** True after `exit`. */
  exited = false;
  /** Colours (or none). */
  readonly style: Style;
  /** ANSI colours on. */
  readonly color: boolean;
  /** Where the line history is kept (null: not kept). */
  readonly historyPath: string | null;
  readonly ctrlC: CtrlC;
  /** The terminal, lent to `attach top` for its live view; null without one (a script). */
  readonly terminal: TopTerminal | null;
  readonly runner: Runner;
  readonly js: JsEvaluator;
  readonly workloads: Workloads;
  readonly scripts: Scripts;
  /** Show what `write` holds back now. */
  readonly flush: () => void;

  #write: (text: string) => void;
  #columns: () => number | null;
  #virtual: boolean;

  constructor(options: SessionOptions) {
    this.#write = options.write;
    this.flush = options.flush ?? (() => {});
    this.#columns = options.columns ?? (() => null);
    this.#virtual = options.virtual ?? true;
    this.historyPath = options.historyPath ?? null;
    this.color = options.color ?? false;
    this.style = makeStyle(this.color);
    this.ctrlC = options.ctrlC ?? new CtrlC();
    this.terminal = options.terminal ?? null;
    this.runner = new Runner(this);
    this.js = new JsEvaluator(this);
    this.workloads = new Workloads(this);
    this.scripts = new Scripts(this);
    this.newLoop(this.clock);
  }

  /** Which clock the loop reads. */
  get clock(): "real" | "virtual" {
    return this.#virtual ? "virtual" : "real";
  }

  /** The terminal's width, or null (no terminal: nothing is wrapped). */
  get columns(): number | null {
    return this.#columns();
  }

  /** Print one line as it is. */
  print(line: string): void {
    this.#write(line + "\n");
  }

  /** Print a line of the program's own output (a printer's, js code's), which the browser view keeps too. */
  printed(line: string): void {
    this.log.printed(line);
    this.print(line);
  }

  /** Print prose, wrapped at word boundaries to the terminal (lines after the first start with `indent`). */
  say(text: string, indent = "  "): void {
    for (const line of wrap(text, this.columns, indent)) this.print(line);
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
    let stopped = this.scripts.interrupt();
    if (this.runner.interrupt()) {
      stopped = true;
    } else if (this.js.wakeWaiter !== null) {
      this.js.wakeWaiter();
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
      this.reject(`uncaught in js code: ${errorLine(event.error)}`);
    };
    const onRejection = (event: PromiseRejectionEvent) => {
      event.preventDefault();
      this.reject(`unhandled rejection in js code: ${errorLine(event.reason)}`);
    };
    const onIdle = (event: Event) => {
      // The run first: the js code that started the loop can only go on once it stops.
      const stuck = this.runner.onRunStall ?? this.js.onHostIdle;
      if (stuck === null) return;
      if (stuck === this.runner.onRunStall) this.runner.onRunStall = null;
      else this.js.onHostIdle = null;
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

  /** Close the loop, clear the js timers and stop serving the view; the session is done. */
  close(): Promise<void> {
    detach(this);
    this.js.clearTimers();
    this.lecture.dispose();
    this.recorder.dispose();
    this.log.dispose();
    if (!this.loop.isRunning()) this.loop.close();
    return this.#stopView();
  }

  /** Stop serving the browser view, if it is served. */
  #stopView(): Promise<void> {
    const view = this.liveView;
    this.liveView = null;
    return view?.close() ?? Promise.resolve();
  }

  #view(stop: boolean): Promise<void> | void {
    if (stop) {
      if (this.liveView === null) throw new Rejected("view stop: the view is not being served");
      this.say("view: stopped serving the browser view");
      return this.#stopView();
    }
    const fresh = this.liveView === null;
    this.liveView ??= LiveView.start(this);
    this.say(
      `view: ${fresh ? "serving" : "still serving"} the browser view at ${this.liveView.url} ` +
        "(it follows the session as it runs; view stop, or leaving the REPL, stops it)",
    );
  }

  /**
   * Run one line: parse, validate, run, render. Never throws: bad input and
   * failures print one line starting `error:`.
   * @param where a prefix for error lines (`file:3: `).
   * @returns false if the line was rejected.
   */
  async exec(line: string, where = ""): Promise<boolean> {
    let command: Command | { error: string };
    try {
      command = parse(line);
    } catch (err) {
      command = { error: `the REPL could not read that line: ${errorLine(err)}` };
    }
    if ("error" in command) return this.reject(where + command.error);
    try {
      await this.#execute(command);
      return true;
    } catch (err) {
      let text = err instanceof Rejected ? err.message : `${command.cmd}: ${errorLine(err)}`;
      if (this.loop.isClosed()) text += "; the loop was closed: type reset for a new one";
      return this.reject(where + text);
    }
  }

  /** Tab completion: the candidates for the word being typed, and that word. */
  complete(line: string): [string[], string] {
    return complete(this, line);
  }

  /** Say that a line was rejected (one line starting `error:`). */
  reject(message: string): false {
    this.errors++;
    this.say(this.style.error("error: ") + message);
    return false;
  }

  /** Refuse `what` while a loop runs. */
  checkNotRunning(what: string): void {
    if (this.loop.isRunning()) {
      throw new Rejected(`${what}: the loop is already running; stop it first (Ctrl-C)`);
    }
  }

  async #execute(c: Command): Promise<void> {
    switch (c.cmd) {
      case "nothing":
        return;
      case "schedule":
        return this.workloads.schedule(c);
      case "run":
        return await this.runner.run(c.seconds);
      case "step":
        return await this.runner.step();
      case "stop":
        this.loop.stop();
        if (this.loop.isRunning()) {
          // Started by js code outside any line (a host timer): it ends after this iteration.
          this.say("stop: the loop stops after this iteration");
          return;
        }
        this.say(
          "stop: the loop is not running, so the next run or step does one iteration " +
            "(as loop.stop() before loop.run_forever())",
        );
        return;
      case "cancel":
        return this.#cancel(c.id);
      case "why":
        return explain(this, c.id);
      case "reset":
        this.checkNotRunning("reset");
        this.say(`reset: ${this.newLoop(this.clock)}`);
        return;
      case "clock":
        return this.#clock(c.clock);
      case "queue":
        return showQueue(this);
      case "tasks":
        return showTasks(this);
      case "graph":
        return showGraph(this);
      case "timeline":
        return showTimeline(this, c.last);
      case "export":
        return await exportFile(this, c.file);
      case "view":
        return await this.#view(c.stop);
      case "demo":
        return await this.scripts.demo(c.name);
      case "load":
        return await this.scripts.load(c.file);
      case "help":
        return showHelp(this, c.topic);
      case "js":
        return await this.js.exec(c.code);
      case "set":
        if (c.setting === null) {
          this.print(
            `decimals ${this.settings.decimals}, width ${this.settings.width ?? "auto"}`,
          );
        } else {
          (this.settings as Record<string, number | null>)[c.setting] = c.value;
          this.print(`${c.setting} = ${c.value ?? "auto"}`);
        }
        return;
      case "exit":
        this.exited = true;
        return;
      case "attach":
        return await attach(this, c.args);
    }
  }

  #clock(clock: "real" | "virtual" | null): void {
    if (clock === null) {
      const other = this.clock === "real" ? "virtual" : "real";
      this.say(
        `clock: ${this.clock} (clock ${other} switches, with a new loop; help clock says why)`,
      );
      return;
    }
    if (clock === this.clock) {
      this.say(`clock: already on the ${clock} clock`);
      return;
    }
    this.checkNotRunning("clock");
    this.say(`clock: ${this.newLoop(clock)}`);
  }

  /** A new loop on `clock`, at t=0; returns what was dropped, for the message. */
  newLoop(clock: "real" | "virtual"): string {
    this.#virtual = clock === "virtual";
    let dropped = "";
    if (this.loop !== undefined) {
      const r = this.recorder;
      // They would call the old loop, closed.
      const jsTimers = this.js.clearTimers();
      this.lecture.dispose();
      // A loop that js code closed dropped its ready queue and timers itself
      // (no trace event says so): they are not dropped again here.
      const closed = this.loop.isClosed();
      const ready = closed ? 0 : r.readyCount;
      const timers = closed ? 0 : r.timerCount;
      dropped = ` (dropped ${ready} ready, ${plural(timers, "timer")}, ${
        plural(r.taskCount, "task")
      }${jsTimers > 0 ? `, ${plural(jsTimers, "js timer")}` : ""})`;
      this.recorder.dispose();
      this.log.dispose();
      this.loop.close();
    }
    const loop = new ReplLoop(
      { clock: this.#virtual ? new VirtualClock() : new SessionClock(this.ctrlC, this.flush) },
      (untilComplete) => this.runner.jsStartedRun(untilComplete),
    );
    loop.setExceptionHandler((_loop, context) => reportLoopError(this, context));
    loop.addTraceListener((event) => this.runner.onTrace(event));
    loop.addTraceListener(outsideStepReporter(this));
    this.loop = loop;
    // The time base starts at 0 (both clocks start there), whatever the clock read since.
    this.recorder = new Recorder(loop, 0);
    // After the recorder: each event finds the recorder's entries up to date.
    this.log = new IterationLog(loop, this.recorder, (entry) => treeLabel(this.recorder, entry));
    this.lecture = makeLecture((line) => this.printed(line));
    this.runner.reset();
    return `a new loop on the ${this.clock} clock at t=${fmt(loop.time(), 3)}${dropped}`;
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
      const outside = entry.open?.kind === "await" && entry.task._futWaiter === null;
      entry.task.cancel();
      this.say(
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
      this.say(`${who}: cancelled; it will not run`);
    }
  }
}
