/**
 * The monitor's answers as text: `ps` (CPython 3.14's columns, then
 * tokio-console's), `pstree`, `where`, `tasks --done`, `resources`,
 * `warnings`, `info`, and what a blocked loop looks like. Pure functions
 * from the JSON a monitor sends (lib/_monitor.ts) to lines.
 * @module
 */
import { cutColumns, displayWidth, padColumns } from "../repl/render.ts";
import type { Answer, Block } from "./client.ts";

/** A frame of a task's stack. */
export interface Frame {
  fn: string;
  file: string;
  line: number;
}

/** A pending task, as `ps` gives it. */
export interface TaskRow {
  id: number;
  name: string;
  coro: string;
  state: string;
  awaiting: string | null;
  io: string | null;
  stack: Frame[];
  awaitedBy: Array<{ id: number | null; name: string; stack: Frame[] }>;
  created: number | null;
  createdAt: string | null;
  creator: { id: number | null; name: string };
  age: number;
  steps: number;
  selfWakes: number;
  busy: number;
  scheduled: number;
  idle: number;
  cancelling: number;
  warnings: string[];
}

/** The loop and monitor, as `info` (and `ps`) give them. */
export interface LoopInfo {
  pid: number;
  program: string;
  now: number;
  started: number;
  running: boolean;
  closed: boolean;
  debug: boolean;
  iteration: number;
  loopTime: number;
  tasks: number;
  ready: number;
  timers: number;
  steps: number;
  done: number;
  historySize: number;
  /** Epoch ms since when steps are timed (busy, scheduled, slow steps): a client attached then. */
  timedSince: number | null;
  clients: number;
  slowCallbackDuration: number;
  stuckAfter: number;
}

/** `ps` and `top`. */
export interface PsData {
  info: LoopInfo;
  /** The rows asked for (sorted, filtered, limited by the program). */
  tasks: TaskRow[];
  /** How many tasks are pending in all. */
  total: number;
}

/** A finished task, as `tasks --done` gives it. */
export interface DoneRow {
  id: number;
  name: string;
  coro: string;
  outcome: string;
  ended: number;
  lifetime: number;
  steps: number;
  busy: number;
  /** Made while steps were timed: else its times are to the heartbeat's 50 ms, and busy unknown. */
  timed: boolean;
  creator: { id: number | null; name: string };
  createdAt: string | null;
  warnings: string[];
}

/** A creator chain link (`where`). */
export interface Link {
  id: number | null;
  name: string;
  done: boolean;
}

/** `where ID`. */
export interface WhereData {
  pending: boolean;
  task?: TaskRow;
  repr?: string;
  creators?: Link[];
  cancelledBy?: string | null;
  done?: DoneRow;
  stack?: string | null;
}

/** `resources`. */
export interface ResourcesData {
  resources: Array<{
    kind: string;
    repr: string;
    holder: { id: number; name: string; done: boolean } | null;
    /** A semaphore's: the tasks that acquired a slot and have not released it. */
    holders?: Array<{ id: number; name: string; done: boolean }>;
    waiting: Array<{ id: number; name: string }>;
    putting?: Array<{ id: number; name: string }>;
    size?: number;
    maxsize?: number;
    unfinished?: number;
  }>;
  timers: Array<{ due: number; callback: string; task: { id: number; name: string } | null }>;
  since: number;
}

/** `warnings`. */
export interface WarningsData {
  tasks: Array<{ id: number; name: string; warnings: string[] }>;
  done: Array<{ id: number; name: string; warnings: string[] }>;
  slow: Array<{ id: number; name: string; ms: number; at: number }>;
  slowCallbackDuration: number;
  stuckAfter: number;
}

/** `0x1f`: ids are shown as CPython shows a task's id (typed back in either base). */
export function hexId(id: number | null): string {
  return id === null ? "0x0" : `0x${id.toString(16)}`;
}

/** `'name'`. */
export function quote(text: string): string {
  return `'${text}'`;
}

/** A duration, short: `0.4 ms`, `12.3 ms`, `1.25 s`, `3m05s`, `2h01m`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "-";
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 1 : 0)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.floor(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** A clock time (local), `12:03:04.5`. */
export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${
    Math.floor(d.getMilliseconds() / 100)
  }`;
}

/** `sleep -> play`: the function names, innermost first (CPython's stack columns). */
function chain(stack: Frame[]): string {
  return stack.map((f) => f.fn).join(" -> ");
}

/** The task a block happened in, in words. */
export function blockWhere(block: Block): string {
  if (block.kind === "callback") return `callback ${block.name}`;
  if (block.kind === "step") {
    return `a step of task ${hexId(block.task)} ${quote(block.name)}${
      block.coro ? ` (coroutine ${block.coro})` : ""
    }`;
  }
  return "code the loop did not call (a host promise's reaction, or code between runs)";
}

/**
 * What to say before an answer made while the loop is blocked: how long,
 * in what, and how old the data shown is. Empty when it is not blocked.
 */
export function blockedLines(answer: Answer): string[] {
  const block = answer.loop?.blocked;
  if (block == null) return [];
  const lines = [
    `the loop is blocked: ${block.seconds.toFixed(1)} s so far, in ${blockWhere(block)} ` +
    `(since ${clockTime(block.since)})`,
  ];
  if (answer.ok && answer.data == null) {
    lines.push("(nothing more to show until it yields: the loop has not answered this before)");
  } else if (answer.stale !== undefined) {
    lines.push(`(what follows is the loop's last answer, ${answer.stale.toFixed(1)} s old)`);
  }
  return lines;
}

/** Keys `ps --sort` and `top` sort by; numbers sort largest first. */
export const SORT_KEYS = ["id", "name", "state", "steps", "busy", "sched", "idle", "age"] as const;
/** One of `SORT_KEYS`. */
export type SortKey = typeof SORT_KEYS[number];

/** `rows` filtered by name or coroutine (`filter`) and state, then sorted. */
export function selectRows(
  rows: TaskRow[],
  options: { sort?: SortKey; filter?: string; state?: string },
): TaskRow[] {
  const filter = options.filter?.toLowerCase();
  let kept = rows.filter((r) =>
    (filter === undefined || r.name.toLowerCase().includes(filter) ||
      r.coro.toLowerCase().includes(filter)) &&
    (options.state === undefined || r.state.startsWith(options.state))
  );
  const key = options.sort ?? "id";
  const num: Partial<Record<SortKey, (r: TaskRow) => number>> = {
    steps: (r) => r.steps,
    busy: (r) => r.busy,
    sched: (r) => r.scheduled,
    idle: (r) => r.idle,
    age: (r) => r.age,
  };
  const by = num[key];
  kept = [...kept].sort(
    by !== undefined
      ? (a, b) => by(b) - by(a) || a.id - b.id
      : key === "id"
      ? (a, b) => a.id - b.id
      : (a, b) =>
        (key === "name" ? a.name : a.state).localeCompare(key === "name" ? b.name : b.state) ||
        a.id - b.id,
  );
  return kept;
}

/**
 * CPython 3.14's `python -m asyncio ps` table, as its tools.py prints it:
 * a row per task and awaiter (a task nothing awaits gets one row, awaiter
 * id `0x0`), fixed-width columns, a line of 180 dashes. `tid` is the
 * process id (the loop runs on the main thread, whose thread id on Linux
 * is the process id).
 */
export function renderPsCpython(data: PsData): string[] {
  const lines = [
    `${"tid".padEnd(10)} ${"task id".padEnd(20)} ${"task name".padEnd(20)} ` +
    `${"coroutine stack".padEnd(50)} ${"awaiter chain".padEnd(50)} ${"awaiter name".padEnd(15)} ` +
    `${"awaiter id".padEnd(15)}`,
    "-".repeat(180),
  ];
  for (const row of cpythonRows(data)) {
    lines.push(
      `${row[0].padEnd(10)} ${row[1].padEnd(20)} ${row[2].padEnd(20)} ${row[3].padEnd(50)} ` +
        `${row[4].padEnd(50)} ${row[5].padEnd(15)} ${row[6].padEnd(15)}`,
    );
  }
  return lines;
}

/** CPython's seven columns for each task (and awaiter), as strings. */
function cpythonRows(data: PsData): string[][] {
  const rows: string[][] = [];
  const tid = String(data.info.pid);
  for (const task of data.tasks) {
    const head = [tid, hexId(task.id), task.name, chain(task.stack)];
    if (task.awaitedBy.length === 0) rows.push([...head, "", "", "0x0"]);
    for (const a of task.awaitedBy) {
      rows.push([...head, chain(a.stack), a.id === null ? "Unknown" : a.name, hexId(a.id)]);
    }
  }
  return rows;
}

/**
 * `ps`: CPython's columns, then state, steps, busy, scheduled and idle
 * time, age, where it was created and its warnings (tokio-console's
 * columns). Column widths fit the content.
 */
export function renderPs(data: PsData, rows: TaskRow[]): string[] {
  const header = [
    "tid",
    "task id",
    "task name",
    "coroutine stack",
    "awaiter chain",
    "awaiter name",
    "awaiter id",
    "state",
    "steps",
    "busy",
    "sched",
    "idle",
    "age",
    "created at",
    "warnings",
  ];
  const body: string[][] = [];
  const tid = String(data.info.pid);
  for (const task of rows) {
    const ours = [
      task.state + (task.cancelling > 0 ? " (cancelling)" : ""),
      String(task.steps),
      duration(task.busy),
      duration(task.scheduled),
      duration(task.idle),
      duration(task.age),
      task.createdAt ??
        (task.creator.id !== null ? `by ${hexId(task.creator.id)}` : task.creator.name),
      task.warnings.join("; "),
    ];
    const head = [tid, hexId(task.id), task.name, chain(task.stack)];
    if (task.awaitedBy.length === 0) body.push([...head, "", "", "0x0", ...ours]);
    for (const a of task.awaitedBy) {
      body.push([
        ...head,
        chain(a.stack),
        a.id === null ? "Unknown" : a.name,
        hexId(a.id),
        ...ours,
      ]);
    }
  }
  const right = new Set([8, 9, 10, 11, 12]);
  const since = data.info.timedSince;
  return [
    ...table(header, body, right),
    since === null
      ? "(busy and sched: steps are timed only while a client is attached)"
      : `(busy and sched count from ${clockTime(since)}, since when a client has been attached)`,
  ];
}

/** Columns as wide as their widest cell, two spaces apart; a dashes line under the header. */
export function table(header: string[], body: string[][], right = new Set<number>()): string[] {
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...body.map((r) => displayWidth(r[i])))
  );
  const line = (cells: string[]) =>
    cells.map((c, i) =>
      i === cells.length - 1
        ? c
        : right.has(i)
        ? " ".repeat(widths[i] - displayWidth(c)) + c
        : padColumns(c, widths[i])
    ).join("  ").trimEnd();
  return [line(header), "-".repeat(widths.reduce((a, b) => a + b + 2, -2)), ...body.map(line)];
}

/** `pstree`: the tree, or CPython's error with each cycle. */
export function renderPstree(data: { tree: string | null; cycles: string[][] }): string[] {
  if (data.tree !== null) return data.tree === "" ? ["(no pending tasks)"] : data.tree.split("\n");
  return [
    "ERROR: await-graph contains cycles - cannot print a tree!",
    "",
    ...data.cycles.map((c) => `cycle: ${c.join(" → ")}`),
  ];
}

function framesLines(stack: Frame[], indent: string): string[] {
  return stack.map((f) => `${indent}${f.fn} ${f.file}:${f.line}`);
}

function creatorsText(links: Link[]): string {
  return links.map((l) =>
    l.id === null ? l.name : `task ${hexId(l.id)} ${quote(l.name)}${l.done ? " (ended)" : ""}`
  ).join(" ← ");
}

/** `where ID` (a pending task) or `where --done ID` (a finished one). */
export function renderWhere(data: WhereData, info: { debug: boolean } | null): string[] {
  if (!data.pending) {
    const d = data.done!;
    const lines = [
      `task ${hexId(d.id)} ${quote(d.name)} (coroutine ${d.coro}): ${d.outcome}`,
      `  ended ${clockTime(d.ended)}, after ${
        d.timed || d.lifetime >= COARSE ? duration(d.lifetime) : `< ${duration(COARSE)}`
      }; ${d.steps} steps${d.timed ? `, busy ${duration(d.busy)}` : ""}`,
    ];
    if (data.creators !== undefined && data.creators.length > 0) {
      lines.push(
        `  created by ${creatorsText(data.creators)}${d.createdAt ? ` at ${d.createdAt}` : ""}`,
      );
    }
    if (data.stack) {
      lines.push("  its error's stack:");
      for (const l of data.stack.split("\n").slice(1)) lines.push(`    ${l.trim()}`);
    }
    if (d.warnings.length > 0) lines.push(`  warnings: ${d.warnings.join("; ")}`);
    return lines;
  }
  const t = data.task!;
  const lines = [
    `task ${hexId(t.id)} ${quote(t.name)} (coroutine ${t.coro}): ${t.state}` +
    (t.awaiting !== null ? `, awaiting ${t.awaiting}` : ""),
  ];
  if (t.cancelling > 0) {
    lines.push(
      `  cancel requested${
        data.cancelledBy ? ` by ${data.cancelledBy}` : ""
      } (${t.cancelling} pending)`,
    );
  }
  if (t.stack.length > 0) {
    lines.push("  stack (most recent call first):", ...framesLines(t.stack, "    "));
  } else {
    lines.push(
      info?.debug
        ? "  stack: none recorded (it awaits something other than a loop future, or runs now)"
        : "  stack: not recorded (the program runs without debug mode: run(main, { debug: true }))",
    );
  }
  if (t.awaitedBy.length > 0) {
    lines.push("  awaited by:");
    for (const a of t.awaitedBy) {
      lines.push(
        `    task ${hexId(a.id)} ${quote(a.name)}${
          a.stack.length > 0 ? ` at ${chain(a.stack)}` : ""
        }`,
      );
    }
  } else lines.push("  awaited by: nothing");
  const created = t.created !== null ? ` ${duration(t.age)} ago` : " before the monitor started";
  lines.push(
    `  created${created} by ${creatorsText(data.creators ?? [])}${
      t.createdAt ? ` at ${t.createdAt}` : ""
    }`,
  );
  lines.push(
    `  ${t.steps} steps (${t.selfWakes} resumed a sleep(0)); busy ${duration(t.busy)}, ` +
      `scheduled ${duration(t.scheduled)}, idle ${duration(t.idle)}`,
  );
  lines.push(`  warnings: ${t.warnings.length === 0 ? "none" : t.warnings.join("; ")}`);
  return lines;
}

// The heartbeat's period: the resolution of times taken while steps were not timed.
const COARSE = 0.05;

/** `tasks --done`: the finished tasks, newest first. */
export function renderDone(data: { history: DoneRow[]; size: number }): string[] {
  if (data.history.length === 0) {
    return [`no finished task yet (the history keeps the last ${data.size})`];
  }
  const body = data.history.map((d) => [
    hexId(d.id),
    d.name,
    d.coro,
    clockTime(d.ended),
    d.timed || d.lifetime >= COARSE ? duration(d.lifetime) : `< ${duration(COARSE)}`,
    String(d.steps),
    d.timed ? duration(d.busy) : "-",
    d.outcome + (d.warnings.length > 0 ? ` [${d.warnings.join("; ")}]` : ""),
  ]);
  return [
    ...table(
      ["task id", "task name", "coroutine", "ended", "lifetime", "steps", "busy", "how it ended"],
      body,
      new Set([4, 5, 6]),
    ),
    `(${data.history.length} shown; the history keeps the last ${data.size})`,
  ];
}

function tasksText(tasks: Array<{ id: number; name: string }>): string {
  return tasks.map((t) => `task ${hexId(t.id)} ${quote(t.name)}`).join(", ");
}

/** `resources`: locks, semaphores, events, conditions, barriers, queues; then the timers. */
export function renderResources(data: ResourcesData): string[] {
  const lines: string[] = [];
  if (data.resources.length === 0) {
    lines.push("no lock, event, condition, semaphore or queue held or waited on");
  }
  for (const r of data.resources) {
    const parts = [`${r.kind} ${r.repr}`];
    if (r.size !== undefined) {
      parts.push(
        `${r.size} item${r.size === 1 ? "" : "s"}${
          r.maxsize! > 0 ? ` of ${r.maxsize}` : ""
        }, ${r.unfinished} unfinished`,
      );
    }
    if (r.holder !== null) {
      parts.push(
        `held by task ${hexId(r.holder.id)} ${quote(r.holder.name)}${
          r.holder.done ? " (ended: nothing will release it)" : ""
        }`,
      );
    }
    if ((r.holders?.length ?? 0) > 0) {
      const ended = r.holders!.filter((h) => h.done).length;
      parts.push(
        `held by ${tasksText(r.holders!)}${
          ended > 0
            ? ` (${ended} ended: nothing will release ${ended === 1 ? "its slot" : "theirs"})`
            : ""
        }`,
      );
    }
    if (r.waiting.length > 0) {
      parts.push(`${r.size !== undefined ? "getting" : "waiting"}: ${tasksText(r.waiting)}`);
    }
    if ((r.putting?.length ?? 0) > 0) parts.push(`putting: ${tasksText(r.putting!)}`);
    lines.push(parts.join("; "));
  }
  lines.push(
    "",
    `timers (${data.timers.length}${data.timers.length >= 200 ? "+" : ""}, soonest first):`,
  );
  for (const t of data.timers) {
    const task = t.task === null ? "" : `  (wakes task ${hexId(t.task.id)} ${quote(t.task.name)})`;
    lines.push(
      `  ${
        t.due >= 0 ? `in ${duration(t.due)}` : `due ${duration(-t.due)} ago`
      }  ${t.callback}${task}`,
    );
  }
  lines.push(
    "",
    "(seen: resources made since the monitor started; a semaphore's holders are the tasks that " +
      "acquired and have not released; a future nothing but a task holds is not listed)",
  );
  return lines;
}

/** `warnings`: a blocked loop, slow steps, and each task's warnings, with the thresholds. */
export function renderWarnings(data: WarningsData, blocks: Block[]): string[] {
  const lines = [
    `thresholds: a step over ${
      duration(data.slowCallbackDuration)
    } is slow (loop.slowCallbackDuration); ` +
    `stuck after ${
      duration(data.stuckAfter)
    }; self-waking above half of a task's steps (from 10 steps)`,
  ];
  for (const b of blocks) {
    lines.push(
      `loop blocked ${b.seconds.toFixed(1)} s${b.ongoing ? " (still)" : ""} in ${
        blockWhere(b)
      } at ${clockTime(b.since)}`,
    );
  }
  for (const s of data.slow) {
    lines.push(
      `slow step: task ${hexId(s.id)} ${quote(s.name)} held the loop ${duration(s.ms / 1000)} at ${
        clockTime(s.at)
      }`,
    );
  }
  for (const t of data.tasks) {
    for (const w of t.warnings) lines.push(`task ${hexId(t.id)} ${quote(t.name)}: ${w}`);
  }
  for (const t of data.done) {
    for (const w of t.warnings) lines.push(`finished task ${hexId(t.id)} ${quote(t.name)}: ${w}`);
  }
  if (lines.length === 1) lines.push("no warnings");
  return lines;
}

/** `info`: the program and its loop. */
export function renderInfo(info: LoopInfo): string[] {
  return [
    `pid ${info.pid}: ${info.program}`,
    `loop: ${
      info.closed ? "closed" : info.running ? "running" : "not running"
    }, iteration ${info.iteration}, ` +
    `time ${info.loopTime.toFixed(3)}${info.debug ? ", debug mode (stacks recorded)" : ""}`,
    `tasks: ${info.tasks} pending, ${info.ready} ready entries, ${info.timers} timers; ` +
    `${info.done} finished kept (of ${info.historySize})`,
    `since the monitor started (${clockTime(info.started)}): ${info.steps} task steps; ` +
    `${info.clients} client${info.clients === 1 ? "" : "s"} attached`,
    info.timedSince === null
      ? 'steps are not timed now (they are while a client is attached, or with times: "always")'
      : `steps timed since ${clockTime(info.timedSince)}: busy and scheduled times count from then`,
  ];
}

/** The first `n` characters of each line, for a terminal `columns` wide. */
export function fit(lines: string[], columns: number): string[] {
  return lines.map((l) => (displayWidth(l) > columns ? cutColumns(l, columns) : l));
}
