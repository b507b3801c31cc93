/**
 * The REPL's commands: their table (usage and help), and `parse`, which
 * turns one input line into a checked `Command` or one line saying what is
 * wrong and what would be right. Parsing is pure: it never touches a loop.
 * @module
 */
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
  | { cmd: "step" | "stop" | "reset" | "queue" | "tasks" | "exit" }
  | { cmd: "timeline"; last: boolean }
  | { cmd: "cancel" | "why"; id: number }
  | { cmd: "export" | "load"; file: string }
  | { cmd: "clock"; clock: "real" | "virtual" | null }
  | { cmd: "demo"; name: string }
  | { cmd: "help"; topic: string | null }
  | { cmd: "js"; code: string }
  /** `value` null: `set width auto` (fit the terminal). */
  | { cmd: "set"; setting: SettingName | null; value: number | null };

/** A line that did not parse: `message` says what is wrong and what would be right. */
export interface ParseError {
  error: string;
}

/** How a command is written and explained by `help`. */
export interface CommandSpec {
  name: string;
  /** Other spellings accepted (the camelCase twin is added automatically). */
  aliases?: string[];
  usage: string;
  summary: string;
  /** More lines for `help NAME`. */
  details?: string[];
}

const WORK_HELP = "WORK: nothing (instant), block=S (blocks the loop S seconds, as time.sleep), " +
  "sleep=S (async: Started, await sleep(S), Finished), exec=S (async: runs the process sleep S " +
  "and awaits it), popen=S (runs sleep S and waits for it, blocking the loop). exec and popen " +
  "need the real clock.";
const IDIOMS = "NAME stop schedules loop.stop (call_later 2 stop is the lecture's " +
  "loop.call_later(2, loop.stop)); create_task NAME [WORK] schedules loop.create_task of a " +
  "printer task (call_soon create_task s sleep=1 is loop.call_soon(loop.create_task, sleeper(1))).";

/** Every command, in the order `help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "call_soon",
    usage: "call_soon NAME [WORK]",
    summary: "schedule a printer callback on the ready queue (loop.call_soon)",
    details: [WORK_HELP, IDIOMS, "example: call_soon a block=0.2"],
  },
  {
    name: "call_soon_threadsafe",
    usage: "call_soon_threadsafe NAME [WORK]",
    summary: "the same, through loop.call_soon_threadsafe (also the ready queue)",
    details: [WORK_HELP, IDIOMS, "example: call_soon_threadsafe b sleep=0.2"],
  },
  {
    name: "call_later",
    usage: "call_later DELAY NAME [WORK]",
    summary: "schedule on the timer heap, due DELAY seconds from now (loop.call_later)",
    details: [
      WORK_HELP,
      IDIOMS,
      "A DELAY of 0 or less is due now (it still waits behind the ready queue), as in asyncio.",
      "example: call_later 0.1 c block=0.2",
    ],
  },
  {
    name: "call_at",
    usage: "call_at WHEN NAME [WORK]",
    summary: "schedule at loop time WHEN, or +DELTA from now (loop.call_at)",
    details: [
      WORK_HELP,
      IDIOMS,
      "A WHEN in the past is due now, as in asyncio.",
      "example: call_at +0.2 d   (as loop.call_at(loop.time() + .2, ...))",
    ],
  },
  {
    name: "create_task",
    usage: "create_task NAME [WORK]",
    summary: "create a task running the printer (loop.create_task)",
    details: [WORK_HELP, "example: create_task sleeper sleep=1"],
  },
  {
    name: "run",
    usage: "run [S]",
    summary: "run the loop: S seconds (as call_later(S, loop.stop)), or until nothing is left",
    details: [
      "Ctrl-C (or typing stop) during a run stops the loop after the current iteration. On the " +
      "real clock Ctrl-C also ends a blocking printer at once (and any other that blocks in that " +
      "iteration): it says Interrupted. (In Python, Ctrl-C raises KeyboardInterrupt out of " +
      "run_forever, and the rest of the iteration stays queued.)",
      "run and step count iterations the same way: those in which something ran.",
      "Without S it also waits for the setTimeout/setInterval timers of js code, so that what they " +
      "schedule runs in the run: an uncleared setInterval keeps it going (clearInterval, or Ctrl-C).",
      "Other host work (fetch, Deno APIs, globalThis.setTimeout) it cannot see, unless a task " +
      "awaits it.",
    ],
  },
  {
    name: "step",
    usage: "step",
    summary: "run one iteration of the loop and list what ran",
    details: [
      "On the virtual clock, if nothing is ready, time first jumps to the next timer.",
    ],
  },
  {
    name: "stop",
    usage: "stop",
    summary: "loop.stop(): while a run goes on, end it; else the next run does one iteration",
  },
  {
    name: "cancel",
    usage: "cancel ID",
    summary: "cancel a pending callback (handle.cancel()) or task (task.cancel()) by id",
    details: ["example: cancel 3   (or cancel #3)"],
  },
  {
    name: "why",
    usage: "why ID",
    summary: "say when a callback or task was ready, when it ran, and who held the loop meanwhile",
    details: [
      "For a timer: its deadline, when it ran and how late, and what ran in between " +
      "(due 0.1, ran 0.3, late 0.2 s: #1 hog held the loop 0.0–0.3). For a task: each step that " +
      "waited.",
    ],
  },
  {
    name: "reset",
    usage: "reset",
    summary: "drop everything and start a new loop on the same clock, at t=0",
  },
  {
    name: "queue",
    usage: "queue",
    summary: "show the ready queue in order and the timer heap in firing order",
    details: [
      "A timer shows its deadline and how far off it is (late by …, if it came due while no run " +
      "was on).",
      "Pending setTimeout/setInterval timers of js code are counted at the end (run waits for them).",
    ],
  },
  {
    name: "tasks",
    usage: "tasks",
    summary: "show the pending tasks, their state and what they wait on",
  },
  {
    name: "timeline",
    usage: "timeline [last]",
    summary: "draw everything since reset as a text Gantt chart (last: the last run or steps only)",
    details: [
      "█ running (the loop is busy); · ready but waiting for the loop, from the moment it could " +
      "run (a timer's deadline, ▸, or when what a task awaited was done); ─ a task awaiting (the " +
      "loop is free); ~ a task awaiting I/O (a process, a socket); ✕ cancelled; ! raised. On the " +
      "axis, ╌ marks times when the loop was not running (between commands). A task started by a " +
      "callback shares the callback's row; a task's sleeps are drawn on its row.",
      "The chart fits the terminal's width (set width N fixes it).",
    ],
  },
  {
    name: "export",
    usage: "export FILE.json",
    summary: "write the session as a Chrome/Perfetto trace (open it in ui.perfetto.dev)",
  },
  {
    name: "clock",
    usage: "clock [real|virtual]",
    summary: "show the clock, or switch clocks (starts a new loop)",
    details: [
      "The virtual clock is the default: time moves only while the loop runs (it jumps to the " +
      "next timer when nothing is ready, and block=S adds S), so the lecture's examples typed " +
      "line by line print the lecture's order and times exactly, however long the typing takes.",
      "On the real clock time runs on between commands too: seconds spent typing move the due " +
      "times, blocking really blocks, and processes and sockets (exec=S, demo subprocess, " +
      "demo server) need it.",
    ],
  },
  {
    name: "demo",
    usage: "demo NAME",
    summary: "reset, then replay a demo: " + Object.keys(DEMOS).join(", "),
    details: [
      ...Object.entries(DEMOS).map(([name, demo]) => `${name}: ${demo.summary}`),
      "subprocess and server run on the real clock, with the permissions deno task repl grants: " +
      "--allow-run=sleep,/bin/sh and --allow-net=127.0.0.1. To run other programs or reach other " +
      "hosts from js, start the REPL with wider ones: deno run --allow-run --allow-net " +
      "--allow-read --allow-write repl/main.ts.",
    ],
  },
  { name: "load", usage: "load FILE", summary: "run the commands in FILE, one per line" },
  {
    name: "js",
    usage: "js CODE",
    summary: "run JavaScript/TypeScript with loop and asyncio in scope; promises are awaited",
    details: [
      "In scope: loop (the EventLoop), asyncio (the library), console (prints here), $(ID) (the " +
      "handle or task #ID), lecture (the lecture's process and server coroutines: runScript, " +
      "startServer, client(N), closeServer).",
      "What it schedules shows in queue, run and timeline. Loop methods are bound, as Python's: " +
      "loop.callLater(2, loop.stop) and loop.callSoon(loop.createTask, f) work.",
      "Each line has its own scope: keep values on globalThis (js globalThis.t = $(3)).",
      "The loop runs only during run and step, or when js code runs it: code that needs it " +
      "running (asyncio.sleep, getRunningLoop) goes in a task.",
      "loop.runForever() and loop.runUntilComplete(...) run the loop as run does: recorded for " +
      "timeline, stopped by Ctrl-C or when nothing is left; the line waits for the loop, awaited " +
      "or not.",
      "setTimeout/setInterval here are counted: run waits for them (see help run); reset clears " +
      "them; clearTimeout/clearInterval here clear only those.",
      "Code that never returns (js while (true) {}) cannot be stopped: JavaScript gives no way " +
      "to interrupt it. Ctrl-C says so after 2 s, and a second Ctrl-C quits the REPL.",
      'example: js loop.callLater(0.3, () => console.log("hi"))',
      "example: js loop.createTask(async () => { await asyncio.sleep(1); console.log('slept') })",
      "example: js await loop.runUntilComplete(async () => { await asyncio.sleep(1); return 'slept' })",
    ],
  },
  {
    name: "set",
    usage: "set [decimals N | width N|auto]",
    summary: "show or change settings: decimals of printed times (0-6), timeline width (20-400, " +
      "or auto: the terminal's)",
  },
  {
    name: "help",
    aliases: ["?"],
    usage: "help [COMMAND]",
    summary: "list the commands, or explain one",
  },
  { name: "exit", aliases: ["quit"], usage: "exit", summary: "leave (Ctrl-D too)" },
];

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
      if (spec.name === "export" && !file.endsWith(".json")) {
        throw new Bad(`FILE must end in .json (a Chrome/Perfetto trace), got '${file}'`);
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
      return { cmd: spec.name as "step" | "stop" | "reset" | "queue" | "tasks" | "exit" };
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
