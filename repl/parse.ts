/**
 * `parse`, which turns one input line into a checked `Command` or one line
 * saying what is wrong and what would be right (the commands' table is
 * `commands.ts`). Parsing is pure: it never touches a loop.
 * @module
 */
import { COMMANDS, type CommandSpec } from "./commands.ts";
import { DEMOS } from "./demos.ts";

/** What a scheduled callback or task does when it runs. */
export type Work =
  | { kind: "instant" }
  /** Synchronous work that blocks the loop, as the lecture's `time.sleep`. */
  | { kind: "block"; seconds: number }
  /** An async printer: Started, `await sleep(seconds)`, Finished. */
  | { kind: "sleep"; seconds: number }
  /** The lecture's process sleeper: `await (await create_subprocess_exec("sleep", S)).wait()`. */
  | { kind: "exec"; seconds: number }
  /** Its blocking twin: `subprocess.Popen(["sleep", S]).wait()`, which blocks the loop. */
  | { kind: "popen"; seconds: number };

/** The WORK keywords, as typed before `=S`. */
export const WORK_KINDS = ["block", "sleep", "exec", "popen"] as const;

/** The names of the scheduling commands. */
export type ScheduleMethod =
  | "call_soon"
  | "call_soon_threadsafe"
  | "call_later"
  | "call_at"
  | "create_task";

/** The REPL settings `set` can change. */
export type SettingName = "decimals" | "width";

/**
 * What a scheduling command's callback does: the printer NAME, the lecture's
 * `loop.stop` (`call_later 2 stop`), or `loop.create_task` of a printer task
 * (`call_soon create_task NAME`, the lecture's `call_soon(create_task, …)`).
 */
export type Target = "printer" | "stop" | "create_task";

/** One parsed, checked command. */
export type Command =
  | { cmd: "nothing" }
  | {
    cmd: "schedule";
    method: ScheduleMethod;
    target: Target;
    name: string;
    work: Work;
    /** `call_later`: the delay; `call_at`: the time, or the delta if `relative`. */
    time: number;
    relative: boolean;
  }
  | { cmd: "run"; seconds: number | null }
  | { cmd: "step" | "stop" | "reset" | "queue" | "tasks" | "graph" | "exit" }
  | { cmd: "view"; stop: boolean }
  | { cmd: "timeline"; last: boolean }
  | { cmd: "cancel" | "why"; id: number }
  | { cmd: "export" | "load"; file: string }
  | { cmd: "clock"; clock: "real" | "virtual" | null }
  | { cmd: "demo"; name: string }
  | { cmd: "help"; topic: string | null }
  | { cmd: "js"; code: string }
  | { cmd: "attach"; args: string }
  /** `value` null: `set width auto` (fit the terminal). */
  | { cmd: "set"; setting: SettingName | null; value: number | null };

/** A line that did not parse: `message` says what is wrong and what would be right. */
export interface ParseError {
  error: string;
}

const SETTINGS: Record<SettingName, { min: number; max: number }> = {
  decimals: { min: 0, max: 6 },
  width: { min: 20, max: 400 },
};

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Every spelling (lower-cased) → the command's spec. */
const BY_SPELLING = new Map<string, CommandSpec>();
for (const spec of COMMANDS) {
  for (const spelling of [spec.name, camel(spec.name), ...(spec.aliases ?? [])]) {
    BY_SPELLING.set(spelling.toLowerCase(), spec);
  }
}

/** The spec for a spelling of a command name (any case, snake or camel), or undefined. */
export function findCommand(word: string): CommandSpec | undefined {
  return BY_SPELLING.get(word.toLowerCase());
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** The command name nearest to `word`, if one is near enough to be a typo. */
export function nearestCommand(word: string): string | null {
  const w = word.toLowerCase();
  let best: CommandSpec | null = null;
  let bestDistance = Infinity;
  for (const [spelling, spec] of BY_SPELLING) {
    const d = distance(w, spelling);
    if (d < bestDistance) [best, bestDistance] = [spec, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(w.length / 3)) ? best.name : null;
}

class Bad extends Error {}

/** Split a line into words, keeping the raw rest for commands that take it whole. */
function words(line: string): string[] {
  return line.trim().split(/\s+/).filter((w) => w !== "");
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A time argument: a finite number of seconds, not negative unless `negative` (a past deadline). */
function seconds(what: string, word: string | undefined, negative = false): number {
  if (word === undefined) throw new Bad(`missing ${what}`);
  const value = NUMBER.test(word) ? Number(word) : NaN;
  if (Number.isNaN(value)) {
    throw new Bad(`${what} must be a number of seconds, got '${word}'`);
  }
  if (!Number.isFinite(value)) throw new Bad(`${what} must be finite, got '${word}'`);
  if (value < 0 && !negative) throw new Bad(`${what} must not be negative, got ${word}`);
  return value;
}

const WORK_WORD = new RegExp(`^(${WORK_KINDS.join("|")})=(.*)$`);

function parseWork(word: string | undefined): Work {
  if (word === undefined) return { kind: "instant" };
  const m = WORK_WORD.exec(word);
  if (m === null) {
    throw new Bad(
      `WORK must be ${WORK_KINDS.map((k) => `${k}=S`).join(", ")} (or nothing), got '${word}'`,
    );
  }
  return {
    kind: m[1] as typeof WORK_KINDS[number],
    seconds: seconds(`S in ${m[1]}=S`, m[2] === "" ? undefined : m[2]),
  };
}

function parseName(word: string | undefined): string {
  if (word === undefined || WORK_WORD.test(word)) throw new Bad("missing NAME");
  // One plain word: ids are #N, and a name is printed as it is.
  // deno-lint-ignore no-control-regex
  if (/^#|["'\x00-\x1f\x7f]/.test(word)) {
    throw new Bad(
      `NAME must be one word without quotes, '#' first or control characters, got ${
        JSON.stringify(word)
      }`,
    );
  }
  return word;
}

function noMore(args: string[], count: number): void {
  if (args.length > count) throw new Bad(`too many arguments ('${args.slice(count).join(" ")}')`);
}

function parseId(word: string | undefined): number {
  if (word === undefined) throw new Bad("missing ID");
  const m = /^#?(\d+)$/.exec(word);
  if (m === null) {
    throw new Bad(`ID must be a handle or task number such as 3 or #3, got '${word}'`);
  }
  return Number(m[1]);
}

/** The text after the command word, as typed (for js, load, export). */
function rest(line: string): string {
  return line.trim().replace(/^\S+\s*/, "");
}

function parseSchedule(spec: CommandSpec, args: string[]): Command {
  const method = spec.name as ScheduleMethod;
  let time = 0;
  let relative = false;
  // A negative delay or a past deadline is due now, as in asyncio.
  if (method === "call_later") {
    time = seconds("DELAY", args.shift(), true);
  } else if (method === "call_at") {
    const word = args.shift();
    relative = word?.startsWith("+") ?? false;
    time = seconds(
      relative ? "+DELTA" : "WHEN",
      relative ? word!.slice(1) || undefined : word,
      true,
    );
  }
  // The lecture's idioms: call_later(2, loop.stop), call_soon(loop.create_task, sleeper(1)).
  let target: Target = "printer";
  if (method !== "create_task" && (args[0] === "stop" || args[0] === "create_task")) {
    target = args[0];
    if (target === "stop") {
      noMore(args, 1);
      return {
        cmd: "schedule",
        method,
        target,
        name: "stop",
        work: { kind: "instant" },
        time,
        relative,
      };
    }
    args.shift();
  }
  const name = parseName(args[0]);
  const work = parseWork(args[1]);
  noMore(args, 2);
  return { cmd: "schedule", method, target, name, work, time, relative };
}

function parseCommand(spec: CommandSpec, line: string, args: string[]): Command {
  switch (spec.name) {
    case "call_soon":
    case "call_soon_threadsafe":
    case "call_later":
    case "call_at":
    case "create_task":
      return parseSchedule(spec, args);
    case "run": {
      noMore(args, 1);
      return { cmd: "run", seconds: args.length === 0 ? null : seconds("S", args[0]) };
    }
    case "cancel":
    case "why":
      noMore(args, 1);
      return { cmd: spec.name, id: parseId(args[0]) };
    case "timeline":
      noMore(args, 1);
      if (args[0] !== undefined && args[0] !== "last") {
        throw new Bad(`expected last or nothing, got '${args[0]}'`);
      }
      return { cmd: "timeline", last: args[0] === "last" };
    case "export":
    case "load": {
      const file = rest(line);
      if (file === "") throw new Bad("missing FILE");
      if (spec.name === "export" && !/\.(json|html)$/.test(file)) {
        throw new Bad(
          `FILE must end in .json (a Chrome/Perfetto trace) or .html (the browser view), got '${file}'`,
        );
      }
      return { cmd: spec.name, file };
    }
    case "clock":
      noMore(args, 1);
      if (args[0] === undefined) return { cmd: "clock", clock: null };
      if (args[0] !== "real" && args[0] !== "virtual") {
        throw new Bad(`expected real or virtual, got '${args[0]}'`);
      }
      return { cmd: "clock", clock: args[0] };
    case "demo": {
      noMore(args, 1);
      const names = Object.keys(DEMOS).join(", ");
      if (args[0] === undefined) throw new Bad(`missing NAME (one of ${names})`);
      if (!(args[0] in DEMOS)) throw new Bad(`no demo '${args[0]}'; demos: ${names}`);
      return { cmd: "demo", name: args[0] };
    }
    case "view":
      noMore(args, 1);
      if (args[0] !== undefined && args[0] !== "stop") {
        throw new Bad(`expected stop or nothing, got '${args[0]}'`);
      }
      return { cmd: "view", stop: args[0] === "stop" };
    case "help": {
      noMore(args, 1);
      if (args[0] === undefined) return { cmd: "help", topic: null };
      const topic = findCommand(args[0]);
      if (topic === undefined) {
        const near = nearestCommand(args[0]);
        throw new Bad(`no command '${args[0]}'${near ? `; did you mean ${near}?` : ""}`);
      }
      return { cmd: "help", topic: topic.name };
    }
    case "attach":
      return { cmd: "attach", args: rest(line) };
    case "js": {
      const code = rest(line);
      if (code === "") throw new Bad("missing CODE, e.g. js loop.time()");
      return { cmd: "js", code };
    }
    case "set": {
      if (args.length === 0) return { cmd: "set", setting: null, value: 0 };
      noMore(args, 2);
      const setting = args[0] as SettingName;
      const range = SETTINGS[setting];
      if (!Object.hasOwn(SETTINGS, setting)) {
        throw new Bad(`no setting '${args[0]}'; settings: ${Object.keys(SETTINGS).join(", ")}`);
      }
      if (args[1] === undefined) throw new Bad(`missing N for ${setting}`);
      if (setting === "width" && args[1] === "auto") return { cmd: "set", setting, value: null };
      const value = Number(args[1]);
      if (!/^\d+$/.test(args[1]) || value < range.min || value > range.max) {
        throw new Bad(
          `${setting} must be a whole number from ${range.min} to ${range.max}, got '${args[1]}'`,
        );
      }
      return { cmd: "set", setting, value };
    }
    default:
      noMore(args, 0);
      return {
        cmd: spec.name as "step" | "stop" | "reset" | "queue" | "tasks" | "graph" | "exit",
      };
  }
}

/**
 * Parse and check one line. Blank lines and `# comments` are `nothing`.
 * @returns the command, or a `ParseError` whose message names the problem
 *   and the right form (the usage, or the nearest command name).
 */
export function parse(line: string): Command | ParseError {
  const args = words(line);
  if (args.length === 0 || args[0].startsWith("#") || args[0].startsWith("//")) {
    return { cmd: "nothing" };
  }
  const word = args.shift()!;
  const spec = findCommand(word);
  if (spec === undefined) return { error: unknownCommand(word) };
  try {
    return parseCommand(spec, line, args);
  } catch (err) {
    if (!(err instanceof Bad)) throw err;
    return { error: `${spec.name}: ${err.message}; usage: ${spec.usage}` };
  }
}

function unknownCommand(word: string): string {
  // Python or JavaScript pasted in, e.g. `loop.call_soon(printer, 'a')`.
  if (/[.(]/.test(word)) {
    const inner = COMMANDS.find((c) => word.includes(c.name) || word.includes(camel(c.name)));
    const hint = inner ? `did you mean ${inner.usage}, or` : "to run code, type";
    return `unknown command '${word}'; ${hint} js CODE?`;
  }
  const near = nearestCommand(word);
  return near
    ? `unknown command '${word}'; did you mean ${near}? (help lists the commands)`
    : `unknown command '${word}'; help lists the commands`;
}
