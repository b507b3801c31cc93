/**
 * The commands that look without changing anything: `queue`, `tasks`,
 * `timeline`, `why` and `export`. Each gathers what it shows from the
 * session's loop and recorder and prints it through the renderers.
 * @module
 */
import { allTasks, formatTaskTree, type Handle, TimerHandle } from "../mod.ts";
import { type TaskListing, taskName, taskState } from "./awaits.ts";
import { Rejected } from "./errors.ts";
import type { Entry, RunRecord, Slice } from "./recorder.ts";
import {
  count,
  fmt,
  idOf,
  plural,
  type QueueRow,
  renderQueue,
  renderTasks,
  type TaskRow,
} from "./render.ts";
import type { Session } from "./session.ts";
import { labelWidthOf, renderTimeline } from "./timeline.ts";
import { toTraceJson } from "./trace_export.ts";
import { viewData } from "./view_data.ts";
import { lastRecording, recordingPage } from "./attach.ts";
import { pageHtml } from "./view_page.ts";

// Chart columns when there is no terminal to fit (scripts, tests).
const DEFAULT_WIDTH = 60;
// Room right of the chart for the last tick's label.
const TICK_ROOM = 4;

/** `queue`: the ready queue in order, the timer heap in firing order, pending js timers. */
export function showQueue(session: Session): void {
  const row = (h: Handle): QueueRow => ({
    entry: session.recorder.ofHandle(h) ?? null,
    fallback: h.toString(),
    when: h instanceof TimerHandle ? h.when() : null,
    step: h.task !== null,
  });
  const ready = session.loop.readyHandles().map(row);
  const timers = session.loop.scheduledHandles().map(row);
  for (const line of renderQueue(ready, timers, session.loop.time(), session.style)) {
    session.print(line);
  }
  const js = session.js.pendingTimers;
  if (js > 0) {
    session.say(
      `host timers of js code: ${js} pending (setTimeout/setInterval; run waits for them)`,
    );
  }
}

/** `tasks`: each pending task, its state and what it waits on. */
export function showTasks(session: Session): void {
  const listing = taskListing(session);
  const rows: TaskRow[] = [...allTasks(session.loop)].map((task) => {
    const entry = session.recorder.ofTask(task) ?? null;
    return { entry, name: entry?.label ?? task.getName(), state: taskState(task, listing) };
  });
  for (const line of renderTasks(rows, session.style)) session.print(line);
}

/** `graph`: the tree of pending tasks, who awaits whom (`formatTaskTree`), each with its state. */
export function showGraph(session: Session): void {
  const { loop, recorder } = session;
  if (loop.isClosed()) throw new Rejected("graph: the loop is closed: type reset for a new one");
  const listing = taskListing(session);
  const tree = formatTaskTree(loop, {
    label: (task) => `${taskName(recorder, task)}: ${taskState(task, listing)}`,
  });
  if (tree === "") {
    session.say("graph: no task is pending");
    return;
  }
  for (const line of tree.split("\n")) session.print(line);
}

function taskListing(session: Session): TaskListing {
  return {
    recorder: session.recorder,
    stepQueued: new Set(session.loop.readyHandles().map((h) => h.task).filter((t) => t !== null)),
    timers: session.recorder.timersByTask(),
  };
}

/** The window `timeline` and `export` show: the session since reset, or the last run. */
function windowOf(session: Session, last: boolean): RunRecord {
  const record = session.recorder.record;
  if (record === null) throw new Rejected("nothing has run yet: type run or step first");
  return last ? record : session.recorder.session();
}

/** `timeline [last]`. */
export function showTimeline(session: Session, last: boolean): void {
  const record = windowOf(session, last);
  const columns = session.columns;
  // A width in tens keeps the ticks evenly spaced when the window is a round number of seconds.
  const width = session.settings.width ??
    (columns === null
      ? DEFAULT_WIDTH
      : Math.max(20, Math.floor((columns - labelWidthOf(record) - 1 - TICK_ROOM) / 10) * 10));
  const lines = renderTimeline(record, session.recorder.runs, {
    width,
    decimals: session.settings.decimals,
    columns,
    title: last ? `of ${record.title}` : "since reset",
  }, session.style);
  for (const line of lines) session.print(line);
}

/** `export FILE`: the session as the browser view (`.html`), or as a Chrome trace. */
export async function exportFile(session: Session, file: string): Promise<void> {
  const write = async (text: string) => {
    try {
      await Deno.writeTextFile(file, text);
    } catch (err) {
      throw new Rejected(
        `export: cannot write ${file}: ${err instanceof Error ? err.message : err}`,
      );
    }
  };
  const recording = lastRecording(session);
  if (file.endsWith(".html") && recording !== null && session.log.frames.length === 0) {
    // Nothing ran here since reset: the page of the program recorded last.
    const { page, rows, iterations } = await recordingPage(recording);
    await write(page);
    session.say(
      `export: wrote the browser view of the recording of pid ${recording.pid} ` +
        `(${plural(rows, "row")}, ${
          plural(iterations, "iteration")
        }) to ${file}: open it in a browser`,
    );
    return;
  }
  const record = windowOf(session, false);
  if (file.endsWith(".html")) {
    const data = viewData(session);
    const page = await pageHtml(data);
    await write(page);
    session.say(
      `export: wrote the browser view of ${plural(data.rows.length, "row")} and ` +
        `${plural(data.frames.length, "iteration")} since reset to ${file} ` +
        `(${count(Math.ceil(new TextEncoder().encode(page).length / 1024))} KB, ` +
        "no network needed): open it in a browser",
    );
    return;
  }
  const trace = toTraceJson(record, session.clock);
  await write(JSON.stringify(trace) + "\n");
  const events = plural(trace.traceEvents.filter((e) => e.ph !== "M").length, "event");
  session.say(`export: wrote ${events} since reset to ${file}; open it in ui.perfetto.dev`);
}

/** `why ID`: when it could run, when it ran, and what held the loop in between. */
export function explain(session: Session, id: number): void {
  const entry = session.recorder.anyById(id);
  if (entry === undefined) {
    throw new Rejected(`why: no callback or task #${id} since reset`);
  }
  const lines = whyLines(session, entry);
  if (entry.spawned !== null) lines.push(...whyLines(session, entry.spawned));
  for (const line of lines) session.say(line, line.startsWith("  ") ? "    " : "  ");
}

function whyLines(session: Session, entry: Entry): string[] {
  const { recorder, style } = session;
  const t = (s: number) => timeText(s, session.settings.decimals);
  // A lateness that rounds to 0 at the printers' precision is shown to the millisecond.
  const secs = (s: number) => (Number(t(s)) === 0 && s >= 0.0005 ? fmt(s, 3) : t(s));
  const who = `${idOf(entry, style)} ${entry.label}`;
  const runs = entry.slices.filter((s) => s.kind === "run" && !s.outside);
  // What made it ready before each run: its own waits, and for a task its sleeps' deadlines.
  const own = [...recorder.session().entries].filter((e) =>
    e.owner === entry && e.kind === "timer"
  );
  const waits = [
    ...entry.slices.filter((s) => s.kind === "wait").map((s) => ({
      s,
      timer: null as Entry | null,
    })),
    ...own.flatMap((e) => e.slices.filter((s) => s.kind === "wait").map((s) => ({ s, timer: e }))),
  ];
  // Each wait belongs to the first run that starts when it ends.
  const ranAfter = (s: Slice) => runs.findIndex((run) => run.start >= s.end - 1e-9);
  const out: string[] = [];
  runs.forEach((run, i) => {
    const before = waits.filter(({ s }) => ranAfter(s) === i);
    const ready = before.reduce((m, { s }) => Math.min(m, s.start), run.start);
    const timer = before.find((w) => w.timer !== null)?.timer ?? null;
    const since = entry.kind === "timer"
      ? `due ${t(entry.due!)}`
      : timer !== null
      ? `${timer.label} due ${t(timer.due!)}`
      : `ready ${t(ready)}`;
    const late = run.start - ready;
    const step = entry.kind === "task" && runs.length > 1 ? `step ${i + 1}: ` : "";
    const verdict = late < 0.0005
      ? "on time"
      : `${entry.kind === "timer" || timer !== null ? "late" : "waited"} ${secs(late)} s: ` +
        blame(session, entry, ready, run.start, t);
    out.push(`${step}${since}, ran ${t(run.start)}, ${verdict}`);
  });
  const now = session.loop.time();
  if (entry.open?.kind === "wait" || (entry.inHeap && entry.due !== null)) {
    const ready = entry.open?.kind === "wait" ? entry.open.start : entry.due!;
    const since = entry.due !== null ? `due ${t(entry.due)}` : `ready ${t(ready)}`;
    const waiting = now - ready >= 0.0005
      ? `, waiting ${secs(now - ready)} s so far: ${
        session.loop.isRunning() ? "the loop is busy" : "the loop is not running (run or step)"
      }`
      : ", not due yet";
    out.push(`${since}, not run yet${waiting}`);
  }
  if (entry.cancelledAt !== null) {
    out.push(
      `cancelled at ${t(entry.cancelledAt)}${runs.length === 0 ? ", before it ran" : ""}${
        entry.due !== null ? ` (it was due ${t(entry.due)})` : ""
      }`,
    );
  }
  if (entry.raised !== null) out.push(`raised at ${t(entry.raised.at)}: ${entry.raised.error}`);
  if (out.length === 0) out.push("nothing yet");
  const kind = entry.kind === "task" ? " (task)" : "";
  if (out.length === 1) return [`${who}${kind}: ${out[0]}`];
  return [`${who}${kind}:`, ...out.map((line) => `  ${line}`)];
}

/** `t` with the printers' decimals, or more (up to 3) where it has them: 0.35 is not 0.3. */
function timeText(t: number, decimals: number): string {
  for (let d = decimals; d < 3; d++) {
    if (Math.abs(Number(fmt(t, d)) - t) < 1e-9) return fmt(t, d);
  }
  return fmt(t, Math.max(3, decimals));
}

/** Who held the loop between `from` and `to` (other rows running; times no run was on). */
function blame(
  session: Session,
  entry: Entry,
  from: number,
  to: number,
  t: (s: number) => string,
): string {
  const { recorder, style } = session;
  const busy: Array<{ who: Entry; s: Slice }> = [];
  for (const other of recorder.session().entries) {
    if (other.row === entry.row || other.owner !== null && other.kind !== "task") continue;
    for (const s of other.slices) {
      if (s.kind !== "run" || s.end - s.start < 0.0005) continue;
      if (s.end > from + 1e-9 && s.start < to - 1e-9) busy.push({ who: other, s });
    }
  }
  busy.sort((a, b) => a.s.start - b.s.start);
  const parts = busy.slice(0, 5).map(({ who, s }, i) =>
    `${idOf(who, style)} ${who.label}${i === 0 ? " held the loop" : ""} ${t(s.start)}–${t(s.end)}`
  );
  if (busy.length > 5) parts.push(`and ${plural(busy.length - 5, "more")}`);
  // Between runs nothing runs: a deadline that passes then is met only by the next run.
  const runs = recorder.runs;
  for (let i = 0; i <= runs.length; i++) {
    const gapStart = i === 0 ? recorder.origin : runs[i - 1].end;
    const gapEnd = i === runs.length ? session.loop.time() : runs[i].start;
    const a = Math.max(gapStart, from), b = Math.min(gapEnd, to);
    if (b - a >= 0.0005) parts.push(`the loop was not running ${t(a)}–${t(b)} (between commands)`);
  }
  return parts.length > 0
    ? parts.join(", ")
    : "the loop was busy with its own work (what ran before it in the same iteration)";
}
