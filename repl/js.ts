/**
 * The `js` command: a line of JavaScript or TypeScript compiled as the body
 * of an async function, with `loop`, `asyncio`, `console`, `$`, `lecture`
 * and the counted host timer functions in scope; its value printed, a
 * promise awaited (unless Ctrl-C gives up on it, or nothing could settle
 * it), an error said in one line with a hint where one helps.
 * @module
 */
import { format } from "node:util";
import * as asyncio from "../mod.ts";
import { Future, Handle, type Task } from "../mod.ts";
import { errorLine, Rejected } from "./errors.ts";
import { fmt, idOf } from "./render.ts";
import type { Session } from "./session.ts";

/** The host timer functions as the js scope has them (see `#makeTimerFunctions`). */
interface JsTimerFunctions {
  setTimeout: (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => unknown;
  setInterval: JsTimerFunctions["setTimeout"];
  clearTimeout: (timer?: unknown) => void;
  clearInterval: (timer?: unknown) => void;
}

/** What a `js` line has in scope besides the globals. */
interface JsScope extends JsTimerFunctions {
  loop: asyncio.EventLoop;
  asyncio: typeof asyncio;
  console: unknown;
  $: (id: number) => unknown;
  lecture: unknown;
}

/** `timer`: the value is the last statement's, to be shown only if it is a js timer. */
type Compiled = (scope: JsScope) => Promise<{ value: unknown; timer?: boolean }>;

// The classes of the library whose instances have a repr of their own (`toString`).
const LIBRARY_CLASSES = new Set<unknown>(
  Object.values(asyncio).filter((v) =>
    typeof v === "function" && v.prototype !== undefined &&
    Object.hasOwn(v.prototype, "toString")
  ),
);

const interruptedMark = Symbol("interrupted");
const stalledMark = Symbol("stalled");

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
  readonly #console: Pick<Console, "log" | "info" | "debug" | "warn" | "error">;

  constructor(session: Session) {
    this.#session = session;
    const log = (...args: unknown[]) => session.print(format(...args));
    this.#console = { log, info: log, debug: log, warn: log, error: log };
    this.#timerFunctions = this.#makeTimerFunctions();
  }

  /** How many host timers of js code are pending. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Run one `js` line. */
  async exec(code: string): Promise<void> {
    const session = this.#session;
    const compiled = await compile(code);
    const $ = (id: number) => {
      const entry = session.recorder.byId(Number(String(id).replace(/^#/, "")));
      return entry?.task ?? entry?.handle ?? undefined;
    };
    this.line = code;
    this.run = null;
    try {
      const scope = {
        loop: session.loop,
        asyncio,
        console: this.#console,
        $,
        lecture: session.lecture,
        ...this.#timerFunctions,
      };
      const box = await this.#settle(compiled(scope));
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
      throw new Rejected(`js: ${errorLine(err)}${hint(err, code)}`);
    } finally {
      this.line = null;
      // Also when the line failed after starting the loop (its error is said after the run).
      // (A cast: TypeScript cannot see that the line's code may have set it.)
      await (this.run as Promise<void> | null)?.catch(() => {});
    }
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
function hint(err: unknown, code: string): string {
  const message = err instanceof Error ? err.message : "";
  const snake = NOT_A_FUNCTION.exec(message);
  if (snake !== null) {
    const camel = snake[2].replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    return `; did you mean ${snake[1]}.${camel}? (asyncio's names are camelCase here)`;
  }
  if (/no running event loop/.test(message)) {
    return "; the loop runs only during run and step: put such code in a task," +
      " js loop.createTask(async () => { ... })" +
      (/runUntilComplete\(/.test(code)
        ? ", or pass runUntilComplete a function: loop.runUntilComplete(() => asyncio.sleep(1))" +
          " (JavaScript calls run at once; a Python coroutine waits to be awaited)"
        : "");
  }
  return "";
}

/**
 * Compile a `js` line as the body of an async function. Deno transpiles a
 * `data:` TypeScript module, so type annotations work. The line is first
 * tried as an expression (its value is printed), then as statements. The
 * value is boxed so that a returned Future or Task is not awaited: awaiting
 * one while the loop is not running would never end.
 */
async function compile(code: string): Promise<Compiled> {
  const head = "export default async function ({ loop, asyncio, console, $, lecture, " +
    "setTimeout, setInterval, clearTimeout, clearInterval }) {";
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
    throw new Rejected(`js: ${errorLine(err).replace(/^TypeError: /, "")}`);
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
