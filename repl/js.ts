/**
 * The `js` command: a line of JavaScript or TypeScript (`js_compile.ts`)
 * run in the session's scope (`js_scope.ts`: `loop`, `asyncio`, `console`,
 * `$`, `lecture`, the counted host timer functions, and what earlier lines
 * declared), as if inside the loop (`ReplLoop.enterLine`); its value
 * printed, a promise awaited, with the loop running until it settles if it
 * needs the loop (unless Ctrl-C gives up on it, or nothing could settle
 * it), an error said in one line with a hint where one helps.
 * @module
 */
import { format } from "node:util";
import * as asyncio from "../mod.ts";
import { Future, Handle, type Task } from "../mod.ts";
import { errorLine, Rejected } from "./errors.ts";
import { type CompiledLine, compileLine, type LineValue } from "./js_compile.ts";
import { JsScope } from "./js_scope.ts";
import { fmt, idOf } from "./render.ts";
import type { Session } from "./session.ts";

/** The host timer functions as the js scope has them (see `#makeTimerFunctions`). */
interface JsTimerFunctions {
  setTimeout: (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => unknown;
  setInterval: JsTimerFunctions["setTimeout"];
  clearTimeout: (timer?: unknown) => void;
  clearInterval: (timer?: unknown) => void;
}

// The classes of the library whose instances have a repr of their own (`toString`).
const LIBRARY_CLASSES = new Set<unknown>(
  Object.values(asyncio).filter((v) =>
    typeof v === "function" && v.prototype !== undefined &&
    Object.hasOwn(v.prototype, "toString")
  ),
);

const interruptedMark = Symbol("interrupted");
const stalledMark = Symbol("stalled");
const stoppedMark = Symbol("stopped");

/** Runs `js` lines for a session, and keeps the host timers they set. */
export class JsEvaluator {
  /** The js line being run, for the title of a run it starts. */
  line: string | null = null;
  /** The loop run the line started last (`loop.runForever()`), which the line waits for. */
  run: Promise<void> | null = null;
  /** Called when Deno finds nothing left pending while a js promise waits. */
  onHostIdle: (() => void) | null = null;
  /** Ctrl-C while a js promise is awaited: give up on it. */
  wakeWaiter: (() => void) | null = null;

  #session: Session;
  // Host timers that js code set (setTimeout, setInterval), by id, not yet
  // fired or cleared: `run` waits for them, as it cannot see them otherwise.
  readonly #timers = new Set<number>();
  readonly #timerFunctions: JsTimerFunctions;
  // What those functions returned (Deno's Timeout objects), to show them short.
  readonly #timerValues = new WeakMap<object, string>();
  readonly #scope: JsScope;

  constructor(session: Session) {
    this.#session = session;
    const log = (...args: unknown[]) => session.printed(format(...args));
    const console = { log, info: log, debug: log, warn: log, error: log };
    const $ = (id: number) => {
      const entry = session.recorder.byId(Number(String(id).replace(/^#/, "")));
      return entry?.task ?? entry?.handle ?? undefined;
    };
    this.#timerFunctions = this.#makeTimerFunctions();
    const timers = this.#timerFunctions;
    this.#scope = new JsScope({
      loop: () => session.loop,
      asyncio: () => asyncio,
      console: () => console,
      $: () => $,
      lecture: () => session.lecture,
      setTimeout: () => timers.setTimeout,
      setInterval: () => timers.setInterval,
      clearTimeout: () => timers.clearTimeout,
      clearInterval: () => timers.clearInterval,
    });
  }

  /** The names in the js scope: the REPL's, then what lines declared. */
  get names(): string[] {
    return this.#scope.names;
  }

  /** How many host timers of js code are pending. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Run one `js` line. */
  async exec(code: string): Promise<void> {
    const session = this.#session;
    const compiled = await compileLine(code);
    this.#scope.declare(compiled.declares);
    this.line = code;
    this.run = null;
    try {
      const line = this.#inLoop(compiled);
      // It awaits something of the loop's (a sleep, a task): run the loop
      // until it settles, unless the line runs the loop itself.
      if (!(await settlesSoon(line)) && this.run === null && this.#loopHasWork()) {
        this.run = session.runner.untilSettled(line);
        const first = await Promise.race([
          line.then(() => null, () => null),
          this.run.then(() => stoppedMark),
        ]);
        if (first === stoppedMark && !(await settlesSoon(line))) {
          session.print(
            "js: the loop stopped before what the line awaits was done " +
              "(its code goes on when that is done, in a later run or step)",
          );
          return;
        }
      }
      const box = await this.#settle(line);
      if (box === interruptedMark) return;
      let value = box.timer && this.#timerText(box.value) === undefined ? undefined : box.value;
      if (value instanceof Promise) {
        value = await this.#settle(value);
        if (value === interruptedMark) return;
      }
      // A loop the line started without awaiting it: wait for it as for
      // `run`, rather than leave it running behind the prompt.
      if (this.run !== null) await this.run;
      if (value !== undefined) session.print(this.#show(value));
    } catch (err) {
      if (err instanceof Rejected) throw err;
      throw new Rejected(`js: ${errorLine(err)}${hint(err)}`);
    } finally {
      this.line = null;
      // Also when the line failed after starting the loop (its error is said after the run).
      // (A cast: TypeScript cannot see that the line's code may have set it.)
      await (this.run as Promise<void> | null)?.catch(() => {});
    }
  }

  /**
   * Start the line inside the loop (`enterLine`), and leave once its
   * synchronous part and what follows at once (an await of something
   * already settled) have run.
   */
  #inLoop(compiled: CompiledLine): Promise<LineValue> {
    const loop = this.#session.loop;
    loop.enterLine();
    // (An async function: what it throws comes as a rejection, not here.)
    const line = compiled.run(this.#scope.proxy);
    settlesSoon(line).finally(() => loop.leaveLine());
    return line;
  }

  /** Something is scheduled that the loop would run: a ready callback, a timer, I/O. */
  #loopHasWork(): boolean {
    const { loop, recorder } = this.#session;
    return !loop.isClosed() && recorder.readyCount + recorder.timerCount + recorder.ioCount > 0;
  }

  /** Clear the timers js code left pending; returns how many there were. */
  clearTimers(): number {
    const count = this.#timers.size;
    for (const id of this.#timers) clearTimeout(id);
    this.#timers.clear();
    return count;
  }

  /**
   * Await a promise of `js` code, unless Ctrl-C gives up on it first, or
   * nothing is left that could settle it (Deno is about to exit: with the
   * loop stopped, a promise that waits on it never settles).
   */
  async #settle<T>(promise: Promise<T>): Promise<T | typeof interruptedMark> {
    const stalled = new Promise<typeof stalledMark>((resolve) => {
      this.onHostIdle = () => resolve(stalledMark);
    });
    const interrupted = new Promise<typeof interruptedMark>((resolve) => {
      this.wakeWaiter = () => resolve(interruptedMark);
    });
    let value: T | typeof interruptedMark | typeof stalledMark;
    try {
      value = await Promise.race([promise, interrupted, stalled]);
    } finally {
      this.wakeWaiter = null;
      this.onHostIdle = null;
    }
    if (value === interruptedMark) {
      this.#session.print("js: stopped waiting for the promise (it may still settle later)");
    } else if (value === stalledMark) {
      throw new Rejected(
        "js: the promise can never settle: nothing else is pending (the loop runs only " +
          "during run and step: put such code in a task, js loop.createTask(async () => { ... }))",
      );
    }
    return value as T | typeof interruptedMark;
  }

  /** What a timer that the js scope's setTimeout or setInterval returned is (else undefined). */
  #timerText(value: unknown): string | undefined {
    return typeof value === "object" && value !== null ? this.#timerValues.get(value) : undefined;
  }

  #show(value: unknown): string {
    const session = this.#session;
    const jsTimer = this.#timerText(value);
    if (jsTimer !== undefined) return jsTimer;
    if (value instanceof Handle || value instanceof Future) {
      const entry = value instanceof Handle
        ? session.recorder.ofHandle(value)
        : session.recorder.ofTask(value as Task<unknown>);
      // asyncio's repr, with the deadline at the REPL's precision.
      const repr = String(value).replace(
        / when=([\d.e+-]+)/,
        (_, when: string) => ` when=${Number(fmt(Number(when), 3))}`,
      );
      return `${entry ? idOf(entry, session.style) + " " : ""}${repr}`;
    }
    // The library's other objects (a Server, a Process) print as asyncio's repr too.
    if (LIBRARY_CLASSES.has((value as object | null)?.constructor)) return String(value);
    return Deno.inspect(value, { colors: session.color, depth: 3 });
  }

  /**
   * The js scope's setTimeout, setInterval, clearTimeout and clearInterval:
   * the host's, keeping the ids of the timers still to fire (an interval
   * until it is cleared), so that `run` waits for them.
   */
  #makeTimerFunctions(): JsTimerFunctions {
    const pending = this.#timers;
    const settle = (id: number) => {
      if (pending.delete(id)) this.#session.runner.stopIfEmpty();
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
        this.#timerValues.set(
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
}

// asyncio's snake_case names on a value that has their camelCase twin
// (`loop.call_later`), as V8 reports the call: "loop.call_later is not a function".
const NOT_A_FUNCTION = /^(.*?)\.([a-z][a-z0-9]*(?:_[a-z0-9]+)+) is not a function$/;

/** What to add to a js error line: the camelCase name meant, or where the loop runs. */
function hint(err: unknown): string {
  const message = err instanceof Error ? err.message : "";
  const snake = NOT_A_FUNCTION.exec(message);
  if (snake !== null) {
    const camel = snake[2].replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    return `; did you mean ${snake[1]}.${camel}? (asyncio's names are camelCase here)`;
  }
  if (/no running event loop/.test(message)) {
    // A line's code after an await of a host promise: the line no longer runs inside the loop.
    return "; the loop runs only during run and step: put such code in a task," +
      " js loop.createTask(async () => { ... })";
  }
  return "";
}

/**
 * Whether `promise` settles by the next host turn (its microtasks run
 * first): if not, it waits for something else (the loop, a host timer).
 */
function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 0);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}
