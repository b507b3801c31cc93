/**
 * The timeline: a text Gantt chart of a window of loop time (the session,
 * or the last run), one row per callback or task, drawn in loop time. Pure
 * functions from the recorder's data to lines.
 * @module
 */
import type { Entry, RunRecord, RunWindow, Slice, SliceKind } from "./recorder.ts";
import {
  count,
  cutColumns,
  displayWidth,
  fmt,
  padColumns,
  plural,
  type Style,
  summarise,
  wrap,
} from "./render.ts";

/** A slice of a timeline row, clipped to the window, with the entry it belongs to. */
export interface RowSlice extends Slice {
  entry: Entry;
}

/** One timeline row: a callback or task (or a callback and the task it started). */
export interface Row {
  head: Entry;
  slices: RowSlice[];
  /** Deadlines of timers on this row that were late (or are still waiting). */
  due: number[];
  cancelledAt: number | null;
  raisedAt: number | null;
  /** When the row first did something in the window. */
  first: number;
  /** The order in which the row first ran (Infinity: it did not). */
  firstRun: number;
}

/**
 * The rows of `record`, in the order they first ran: each entry's slices
 * clipped to the window. A task's own timers (its sleeps and deadlines) are
 * drawn on the task's row as the time it was ready and waiting for the
 * loop; its other callbacks are part of it and left out. Rows with nothing
 * in the window are left out.
 */
export function rowsOf(record: RunRecord): Row[] {
  const rows = new Map<Entry, Row>();
  const inWindow = (t: number | null) => t !== null && t >= record.start && t <= record.end;
  for (const entry of record.entries) {
    const ownTimer = entry.owner !== null && entry.kind === "timer";
    if (entry.owner !== null && entry.kind !== "task" && !ownTimer) continue;
    const head = ownTimer ? entry.owner!.row : entry.row;
    const slices = entry.slices
      .filter((s) => s.end >= record.start && s.start <= record.end)
      .filter((s) => !ownTimer || s.kind === "wait")
      .map((s) => ({
        ...s,
        start: Math.max(s.start, record.start),
        end: Math.min(entry.open === s ? record.end : s.end, record.end),
        entry,
      }))
      // Waiting no time at all is not worth drawing; running no time is (an instant callback).
      .filter((s) => s.kind === "run" || s.end > s.start);
    const waited = slices.some((s) => s.kind === "wait");
    const due = entry.due !== null && waited && inWindow(entry.due) ? [entry.due] : [];
    let cancelledAt = ownTimer ? null : entry.cancelledAt;
    if (entry.task?.cancelled() && entry.slices.length > 0) cancelledAt = entry.slices.at(-1)!.end;
    if (!inWindow(cancelledAt)) cancelledAt = null;
    const raisedAt = inWindow(entry.raised?.at ?? null) ? entry.raised!.at : null;
    if (slices.length === 0 && cancelledAt === null && raisedAt === null) continue;
    let row = rows.get(head);
    if (row === undefined) {
      row = {
        head,
        slices: [],
        due: [],
        cancelledAt: null,
        raisedAt: null,
        first: Infinity,
        firstRun: Infinity,
      };
      rows.set(head, row);
    }
    if (!ownTimer && entry.firstRun !== null && entry.firstRun < row.firstRun) {
      row.firstRun = entry.firstRun;
    }
    for (const s of slices) {
      row.slices.push(s);
      if (s.start < row.first) row.first = s.start;
    }
    row.due.push(...due);
    for (const at of [cancelledAt, raisedAt]) if (at !== null) row.first = Math.min(row.first, at);
    row.cancelledAt ??= cancelledAt;
    row.raisedAt ??= raisedAt;
  }
  // Rows in the order they first ran, then those that never ran.
  return [...rows.values()].sort((a, b) =>
    a.firstRun - b.firstRun || a.first - b.first || a.head.id - b.head.id
  );
}

/** What a cell of a row can show. */
type Mark = SliceKind | "due" | "cancel" | "raise";

const CHARS: Record<Mark, string> = {
  await: "─",
  io: "~",
  wait: "·",
  due: "▸",
  run: "█",
  cancel: "✕",
  raise: "!",
};
// When marks share a column, the higher one is drawn.
const PRIORITY: Record<Mark, number> = {
  await: 1,
  io: 2,
  wait: 3,
  due: 4,
  run: 5,
  cancel: 6,
  raise: 6,
};
const MEANING: Record<Mark, string> = {
  run: "running (loop busy)",
  wait: "ready, waiting for the loop",
  due: "due time",
  await: "awaiting (loop free)",
  io: "awaiting I/O",
  cancel: "cancelled",
  raise: "raised",
};
const NOT_RUNNING = "╌";

/** Options of `renderTimeline`. */
export interface TimelineOptions {
  /** Columns of the chart (the bars). */
  width: number;
  /** Decimals of the axis labels (at least as many as the tick step needs). */
  decimals: number;
  /** Past this many rows, show the first and last half only. */
  maxRows?: number;
  /** The terminal's width, to wrap the header and legend (null: no wrapping). */
  columns?: number | null;
  /** What the window is, after "timeline " (`since reset`, `of run 1`). */
  title?: string;
}

/** A tick step of 1, 2 or 5 times a power of ten, at least `min`. */
function niceStep(min: number): number {
  const power = 10 ** Math.floor(Math.log10(min));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= min * (1 - 1e-9))!;
}

/** How wide the labels are for these rows: the longest, within limits. */
export function labelWidthOf(record: RunRecord): number {
  const labels = rowsOf(record).map((r) => `#${r.head.id} ${r.head.label}`);
  return Math.min(28, labels.reduce((w, l) => Math.max(w, displayWidth(l)), 8));
}

/**
 * The timeline: a header, a time axis in loop time (`╌` where the loop was
 * not running: between commands), one row per callback or task, and a
 * legend of the marks drawn.
 * @param runs the windows in which the loop ran (the rest of the window is drawn as not running).
 */
export function renderTimeline(
  record: RunRecord,
  runs: readonly RunWindow[],
  options: TimelineOptions,
  style: Style,
): string[] {
  const width = options.width;
  const rows = rowsOf(record);
  const span = record.end - record.start;
  const perColumn = span / width;
  const at = (t: number) => ((t - record.start) / span) * width;
  const col = (t: number) =>
    span <= 0 ? 0 : Math.min(width - 1, Math.max(0, Math.floor(at(t) + 1e-9)));
  const lastCol = (s: Slice) =>
    s.end <= s.start || span <= 0
      ? col(s.start)
      : Math.min(width - 1, Math.max(col(s.start), Math.ceil(at(s.end) - 1e-9) - 1));

  const labels = rows.map((r) => `#${r.head.id} ${r.head.label}`);
  const labelWidth = labelWidthOf(record);
  const pad = " ".repeat(labelWidth + 1);

  // The axis: ticks at a nice step, at least 10 columns apart, in loop time.
  const step = span > 0 ? niceStep((span * 10) / width) : 1;
  const stepDecimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const decimals = Math.max(options.decimals, stepDecimals);
  const axis = Array<string>(width + 1).fill("─");
  if (span > 0) {
    // A column in which no run window lies: the loop was not running then.
    for (let c = 0; c < width; c++) {
      const from = record.start + c * perColumn, to = from + perColumn;
      if (!runs.some((r) => r.end >= from && r.start <= to)) axis[c] = NOT_RUNNING;
    }
  }
  const ticks = Array<string>(width + 8).fill(" ");
  const first = Math.ceil(record.start / step - 1e-9);
  for (let k = first; span > 0 ? k * step <= record.end * (1 + 1e-12) + 1e-12 : k === first; k++) {
    const c = span > 0 ? Math.round(at(k * step)) : 0;
    axis[c] = k === first && c === 0 ? "├" : "┼";
    const text = fmt(k * step, decimals);
    if (ticks.slice(c, c + text.length + 1).every((ch) => ch === " ")) {
      for (let i = 0; i < text.length; i++) ticks[c + i] = text[i];
    }
  }
  if (span <= 0) axis[0] = "├";

  const used = new Set<Mark>();
  const drawRow = (row: Row, label: string) => {
    const cells: Array<Mark | null> = Array(width).fill(null);
    const paint = (mark: Mark, from: number, to: number) => {
      for (let c = from; c <= to; c++) {
        const now = cells[c];
        if (now === null || PRIORITY[mark] > PRIORITY[now]) cells[c] = mark;
      }
    };
    for (const s of row.slices) paint(s.kind, col(s.start), lastCol(s));
    for (const due of row.due) paint("due", col(due), col(due));
    if (row.cancelledAt !== null) paint("cancel", col(row.cancelledAt), col(row.cancelledAt));
    if (row.raisedAt !== null) paint("raise", col(row.raisedAt), col(row.raisedAt));
    for (const mark of cells) if (mark !== null) used.add(mark);
    const bar = cells.map((m) => (m === null ? " " : style.bar(m, CHARS[m]))).join("").trimEnd();
    return `${padColumns(cutColumns(label, labelWidth), labelWidth)} ${bar}`;
  };

  const tasks = rows.filter((r) => r.head.kind === "task" || r.head.spawned !== null).length;
  const keep = Math.floor((options.maxRows ?? 40) / 2);
  const body = summarise(
    rows.map((r, i) => [r, labels[i]] as const),
    keep,
    ([r, l]) => drawRow(r, l),
  );
  const title = options.title ?? `of ${record.title}`;
  const window = `t=${fmt(record.start, 3)} → ${fmt(record.end, 3)} (${fmt(span, 3)} s)`;
  const counts = `${plural(rows.length, "row")} (${count(tasks)} with tasks), ` +
    plural(record.iterations, "iteration");
  const scale = span > 0 ? `; one column = ${perColumn.toPrecision(2)} s` : "";
  const marks = (Object.keys(MEANING) as Mark[]).filter((m) => m === "run" || used.has(m));
  const legend = marks.map((m) => `${CHARS[m]} ${MEANING[m]}`);
  if (axis.includes(NOT_RUNNING)) legend.push(`${NOT_RUNNING} loop not running (between commands)`);
  const columns = options.columns ?? null;
  return [
    ...wrap(`timeline ${title}: ${window}, ${counts}${scale}`, columns, "  "),
    pad + ticks.join("").trimEnd(),
    pad + axis.join(""),
    ...body,
    ...wrap(legend.join("  "), columns).map((line) => style.dim(line)),
  ];
}
