/**
 * `attach`: the monitor's client inside the REPL (see monitor/ and
 * lib/monitor.ts), and the viewer of recordings.
 *
 * - `attach ADDRESS [COMMAND [ARGS]]`: run a monitor command against the
 *   program at ADDRESS (`HOST:PORT#TOKEN`, as it printed); without a
 *   command, connect and remember it.
 * - `attach COMMAND [ARGS]`: the same against the program attached last.
 * - `attach view FILE [OUT.json | OUT.html]`: a recording made by
 *   `record` as the REPL's timeline; with OUT.json, also as the Perfetto
 *   trace `export` writes, with OUT.html as its browser view.
 * - `attach top`: live in a terminal (the session lends it the terminal
 *   until `q` or Ctrl-C); one screen in a script.
 *
 * The recording made or viewed last is the session's: `export FILE.html`
 * writes its browser view while the session's own loop has not run since
 * `reset` (views.ts).
 *
 * A recording is the program's trace events; `replay` feeds them to the
 * REPL's own `Recorder`, so the timeline and the exports read it as they
 * read a session.
 * @module
 */
import {
  type EventLoop,
  Handle,
  type Task,
  TimerHandle,
  type TraceEvent,
  type TraceListener,
} from "../mod.ts";
import { MonitorClient, parseAddress } from "../monitor/client.ts";
import { parseCommand, type Recording, runCommand, splitWords } from "../monitor/commands.ts";
import type { PsData, SortKey } from "../monitor/render.ts";
import { runTop, topScreen } from "../monitor/top.ts";
import { Rejected } from "./errors.ts";
import { IterationLog } from "./iterations.ts";
import { Recorder, type RunRecord, type RunWindow } from "./recorder.ts";
import { viewDataOf, type ViewSource } from "./view_data.ts";
import { pageHtml } from "./view_page.ts";
import { makeStyle, plural } from "./render.ts";
import type { Session } from "./session.ts";
import { labelWidthOf, renderTimeline, rowsOf } from "./timeline.ts";
import { toTraceJson } from "./trace_export.ts";

// The program each session attached to last.
const attached = new WeakMap<Session, MonitorClient>();
// The recording each session made or viewed last: `export FILE.html` writes
// its page while the session's own loop has not run since reset.
const recordings = new WeakMap<Session, Recording>();

/** The recording `session` made (`attach record`) or viewed (`attach view`) last, if any. */
export function lastRecording(session: Session): Recording | null {
  return recordings.get(session) ?? null;
}

/** The browser view's page of `recording` (what `export FILE.html` writes), and its data's size. */
export async function recordingPage(
  recording: Recording,
): Promise<{ page: string; rows: number; iterations: number }> {
  const data = viewDataOf(replay(recording).view);
  return { page: await pageHtml(data), rows: data.rows.length, iterations: data.frames.length };
}
// Timeline rows `view` draws; the Perfetto export has them all.
const VIEW_ROWS = 40;

/** `attach …`: see the module's notes. */
export async function attach(session: Session, text: string): Promise<void> {
  const words = splitWords(text);
  if (words[0] === "view") {
    if (words[1] === undefined) {
      throw new Rejected("attach view: missing FILE (a recording made by record)");
    }
    const lines = await viewRecording(
      words[1],
      words[2] ?? null,
      session.columns,
      (recording) => recordings.set(session, recording),
    );
    for (const line of lines) session.print(line);
    return;
  }
  const address = words[0] === undefined ? null : parseAddress(words[0]);
  let client = attached.get(session);
  if (address !== null) {
    client?.close();
    try {
      client = await MonitorClient.connect(address);
    } catch (err) {
      attached.delete(session);
      throw new Rejected(`attach: ${err instanceof Error ? err.message : err}`);
    }
    attached.set(session, client);
    words.shift();
    if (words.length === 0) {
      session.say(
        `attach: attached to pid ${client.welcome.pid} (${client.welcome.program}); ` +
          "attach ps, attach pstree, attach where ID… ask it (attach help lists them)",
      );
      return;
    }
  }
  if (client === undefined) {
    throw new Rejected(
      "attach: no program attached; attach HOST:PORT#TOKEN first (the address its monitor printed)",
    );
  }
  if (words.length === 0) {
    session.say(`attach: attached to pid ${client.welcome.pid} (${client.welcome.program})`);
    return;
  }
  try {
    const parsed = parseCommand(words);
    if (parsed.cmd === "top" && session.terminal !== null) {
      // The terminal is lent to top until q or Ctrl-C; the REPL goes on after.
      const sort = parsed.flags.get("--sort");
      await runTop(client, {
        sort: typeof sort === "string" ? sort as SortKey : undefined,
        terminal: session.terminal,
      });
      return;
    }
    if (parsed.cmd === "top") {
      // No terminal (a script): one screen.
      const answer = await client.request<PsData>("top");
      const size = { columns: session.columns ?? 120, rows: 40 };
      for (const line of topScreen(answer, null, "busy", size)) session.print(line);
      session.say("(one screen: in a terminal, attach top refreshes until q or Ctrl-C)");
      return;
    }
    await runCommand(client, parsed, {
      line: (line) => session.print(line),
      save: (file, body) => {
        if (parsed.cmd === "record") recordings.set(session, JSON.parse(body));
        return file === "-"
          ? Promise.resolve(session.print(body.trimEnd()))
          : Deno.writeTextFile(file, body);
      },
      // The REPL runs with --allow-write; a refusal shows when the file is written.
      mayWrite: () => Promise.resolve(),
    });
  } catch (err) {
    if (String(err).includes("went away")) attached.delete(session);
    throw new Rejected(`attach: ${err instanceof Error ? err.message : err}`);
  }
}

/** Hang up on the program `session` attached to, if any (the session is closing). */
export function detach(session: Session): void {
  attached.get(session)?.close();
  attached.delete(session);
}

/**
 * Read a recording and draw it as the REPL's timeline (its first rows), and
 * write it to `out` if given: the browser view's page if it ends in
 * `.html` (as `export FILE.html`), else a Perfetto trace.
 * @param read called with the recording once read.
 * @throws {Rejected} if the file cannot be read or is not a recording.
 */
export async function viewRecording(
  file: string,
  out: string | null,
  columns: number | null,
  read?: (recording: Recording) => void,
): Promise<string[]> {
  let recording: Recording;
  try {
    recording = JSON.parse(await Deno.readTextFile(file));
  } catch (err) {
    throw new Rejected(`view: cannot read ${file}: ${err instanceof Error ? err.message : err}`);
  }
  if (recording?.format !== "asyncio-deno-recording" || recording.version !== 1) {
    throw new Rejected(`view: ${file} is not a recording made by the monitor's record`);
  }
  read?.(recording);
  const { record, runs, view } = replay(recording);
  const lines = [
    `${file}: pid ${recording.pid} ${recording.program}, ${
      (recording.end - recording.start).toFixed(2)
    } s, ` +
    `${plural(record.iterations, "iteration")}, ${plural(record.callbacks, "callback")}, ` +
    `${plural(record.steps, "task step")}${
      recording.truncated ? " (the recording was cut: too many events)" : ""
    }`,
  ];
  const rows = rowsOf(record);
  const shown = rows.length > VIEW_ROWS
    ? firstRows(record, rows.slice(0, VIEW_ROWS).map((r) => r.head))
    : record;
  const width = Math.max(20, Math.floor(((columns ?? 100) - labelWidthOf(shown) - 5) / 10) * 10);
  lines.push(
    ...renderTimeline(
      shown,
      runs,
      { width, decimals: 3, columns, title: "of the recording" },
      makeStyle(false),
    ),
  );
  if (rows.length > VIEW_ROWS) {
    lines.push(
      `(the first ${VIEW_ROWS} of ${rows.length} rows; write OUT.json for all of them in Perfetto)`,
    );
  }
  if (out !== null) {
    const html = out.endsWith(".html");
    const data = html ? viewDataOf(view) : null;
    const text = data !== null
      ? await pageHtml(data)
      : JSON.stringify(toTraceJson(record, recording.clock)) + "\n";
    try {
      await Deno.writeTextFile(out, text);
    } catch (err) {
      throw new Rejected(`view: cannot write ${out}: ${err instanceof Error ? err.message : err}`);
    }
    lines.push(
      data !== null
        ? `wrote ${out}: the browser view of ${plural(data.frames.length, "iteration")}; ` +
          "open it in a browser"
        : `wrote ${out}: open it in ui.perfetto.dev or chrome://tracing`,
    );
  }
  return lines;
}

/** `record` restricted to the entries drawn on the rows of `heads`. */
function firstRows(
  record: RunRecord,
  heads: RunRecord["entries"] extends Set<infer E> ? E[] : never,
): RunRecord {
  const kept = new Set(heads);
  const entries = new Set(
    [...record.entries].filter((e) =>
      kept.has(e.owner !== null && e.kind === "timer" ? e.owner.row : e.row)
    ),
  );
  return { ...record, entries };
}

/** A handle of the recording, named as the program's was. */
class RecordedHandle extends Handle {
  #label = "";
  static make(
    label: string,
    callback: (...args: never[]) => unknown,
    args: unknown[],
    loop: EventLoop,
  ): RecordedHandle {
    const handle = new RecordedHandle(callback, args, loop);
    handle.#label = label;
    return handle;
  }
  override describe(): string {
    return this.#label;
  }
}

/** A timer of the recording, named as the program's was. */
class RecordedTimer extends TimerHandle {
  #label = "";
  static make(
    label: string,
    when: number,
    callback: (...args: never[]) => unknown,
    loop: EventLoop,
  ): RecordedTimer {
    const timer = new RecordedTimer(when, 0, callback, [], loop, -1);
    timer.#label = label;
    return timer;
  }
  override describe(): string {
    return this.#label;
  }
}

function named(name: string): (...args: never[]) => unknown {
  const fn = () => {};
  Object.defineProperty(fn, "name", { value: name });
  return fn;
}

/** What the REPL reads of a task, for one of the recording. */
interface RecordedTask {
  toString(): string;
  getName(): string;
  getCoro(): () => void;
  cancelled(): boolean;
  _state: number;
  _value: unknown;
}

/**
 * Replay a recording's events into a `Recorder`, as if its loop were the
 * REPL's: the record of the whole recording and its one run window.
 */
export function replay(
  recording: Recording,
): { record: RunRecord; runs: RunWindow[]; view: ViewSource } {
  let now = recording.start;
  const listeners: TraceListener[] = [];
  // What the recording's loop had ready: what was scheduled or fell due and has not run.
  const ready: Handle[] = [];
  const unready = (handle: Handle) => {
    const at = ready.indexOf(handle);
    if (at >= 0) ready.splice(at, 1);
  };
  const loop = {
    addTraceListener(fn: TraceListener) {
      listeners.push(fn);
      return () => listeners.splice(listeners.indexOf(fn), 1);
    },
    time: () => now,
    readyHandles: () => [...ready],
    isRunning: () => true,
  } as unknown as EventLoop;
  const recorder = new Recorder(loop, recording.start);
  const pending = new Set<RecordedTask>();
  // The browser view's iterations (the page `export FILE.html` writes). The
  // recording keeps no awaits: an iteration's tree is its pending tasks.
  const log = new IterationLog(
    loop,
    recorder,
    (entry) => entry.label,
    () =>
      [...pending].flatMap((task) => {
        const entry = recorder.ofTask(task as unknown as Task<unknown>);
        if (entry === undefined) return [];
        const open = entry.open?.kind;
        const state = open === "wait" ? "ready" : open === "run" ? "running" : "awaiting";
        return [`#${entry.id} ${entry.label}: ${state}`];
      }).join("\n"),
  );
  recorder.begin(`the recording of pid ${recording.pid}`);
  const tasks = new Map<number, RecordedTask>();
  for (const [id, name, coro] of recording.tasks as [number, string, string][]) {
    const coroutine = named(coro) as () => void;
    tasks.set(id, {
      toString: () => `<Task ${name} (recorded)>`,
      getName: () => name,
      getCoro: () => coroutine,
      cancelled() {
        return this._state === 3;
      },
      _state: 0,
      _value: undefined,
    });
  }
  const handles = new Map<number, Handle>();
  for (const [id, kind, label, callback, when, task, arg0] of recording.handles as RecordedRow[]) {
    if (kind === "step") {
      const handle = new Handle(named(""), [], loop);
      handle._task = tasks.get(task!) as unknown as Task<unknown>;
      handles.set(id, handle);
    } else if (kind === "timer") {
      handles.set(id, RecordedTimer.make(label, when!, named(callback), loop));
    } else {
      const args = arg0 === null ? [] : [named(arg0)];
      handles.set(id, RecordedHandle.make(label, named(callback), args, loop));
    }
  }
  const handle = (id: unknown) => handles.get(id as number)!;
  for (const event of recording.events) {
    const [kind, time] = event as [string, number];
    now = time;
    let traced: TraceEvent | null = null;
    switch (kind) {
      case "schedule":
        traced = event[3]
          ? { kind, time, handle: handle(event[2]), io: true }
          : { kind, time, handle: handle(event[2]) };
        if (!(traced.handle instanceof TimerHandle)) ready.push(traced.handle);
        break;
      case "due":
        traced = { kind, time, handle: handle(event[2]) as TimerHandle };
        ready.push(traced.handle);
        break;
      case "finish":
        traced = { kind, time, handle: handle(event[2]) };
        break;
      case "cancel":
        traced = { kind, time, handle: handle(event[2]) };
        unready(traced.handle);
        break;
      case "start":
        unready(handle(event[2]));
        traced = event[3]
          ? { kind, time, handle: handle(event[2]), outside: true }
          : { kind, time, handle: handle(event[2]) };
        break;
      case "iteration":
        traced = { kind, time, iteration: event[2] as number, ready: event[3] as number };
        break;
      case "idle":
        traced = { kind, time, until: event[2] as number | null };
        break;
      case "task": {
        const task = tasks.get(event[3] as number)!;
        if (event[2] === "created") pending.add(task);
        if (event[2] === "done") {
          pending.delete(task);
          task._state = event[4] as number;
          if (task._state === 2) {
            const line = String(event[5] ?? "Error");
            const colon = line.indexOf(": ");
            const error = new Error(colon < 0 ? line : line.slice(colon + 2));
            if (colon > 0) error.name = line.slice(0, colon);
            task._value = error;
          }
        }
        traced = {
          kind,
          time,
          phase: event[2] as "created" | "done",
          task: task as unknown as Task<unknown>,
        };
        break;
      }
      case "io":
        traced = {
          kind,
          time,
          what: event[2] as string,
          task: event[3] === null
            ? null
            : tasks.get(event[3] as number) as unknown as Task<unknown>,
        };
        break;
    }
    if (traced !== null) { for (const listener of [...listeners]) listener(traced); }
  }
  now = recording.end;
  recorder.end();
  log.dispose();
  recorder.dispose();
  return {
    record: recorder.record!,
    runs: recorder.runs,
    view: { recorder, log, clock: recording.clock },
  };
}

type RecordedRow = [
  number,
  "timer" | "step" | "callback",
  string,
  string,
  number | null,
  number | null,
  string | null,
];
