/**
 * A window of loop time (the session since reset) as a Chrome trace (the
 * JSON object format that chrome://tracing and ui.perfetto.dev open): one
 * track per timeline row, one complete ("X") event per slice, times in
 * microseconds of loop time from the window's start.
 * @module
 */
import type { RunRecord, SliceKind } from "./recorder.ts";
import { rowsOf } from "./timeline.ts";

/** One event of the Chrome trace event format. */
export interface TraceJsonEvent {
  name: string;
  ph: "X" | "M" | "i";
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: "t";
  args?: Record<string, unknown>;
}

/** The whole file. */
export interface TraceJson {
  traceEvents: TraceJsonEvent[];
  displayTimeUnit: "ms";
  otherData: Record<string, unknown>;
}

const CATEGORY: Record<SliceKind, string> = {
  run: "running",
  wait: "ready",
  await: "awaiting",
  io: "awaiting I/O",
};

/** Seconds from the start of the run → microseconds, rounded to the nanosecond. */
function micros(seconds: number): number {
  return Math.round(seconds * 1e9) / 1e3;
}

/**
 * Build the trace of `record`. Track (`tid`) n is the n-th timeline row (in
 * order of first activity); a callback and the task it started share a
 * track, as in the timeline. Slice names: running slices carry the row's
 * label (a task's steps `NAME step`), waiting ones `ready`, awaiting ones
 * `await` (`I/O readuntil` for I/O); a cancellation is an instant event
 * `cancelled`.
 */
export function toTraceJson(record: RunRecord, clock: "real" | "virtual"): TraceJson {
  const events: TraceJsonEvent[] = [
    {
      name: "process_name",
      ph: "M",
      pid: 1,
      tid: 0,
      args: { name: `asyncio loop (${clock} clock)` },
    },
  ];
  const at = (t: number) => micros(t - record.start);
  rowsOf(record).forEach((row, index) => {
    const tid = index + 1;
    events.push(
      {
        name: "thread_name",
        ph: "M",
        pid: 1,
        tid,
        args: { name: `#${row.head.id} ${row.head.label}` },
      },
      { name: "thread_sort_index", ph: "M", pid: 1, tid, args: { sort_index: tid } },
    );
    // Complete events on one track must nest: where a callback and the task
    // it started overlap (the task is ready while the callback still runs),
    // the later slice starts when the earlier one ends.
    let lastEnd = -Infinity;
    const slices = [...row.slices].sort((a, b) => a.start - b.start).flatMap((s) => {
      const start = Math.max(s.start, lastEnd);
      if (start > s.end || (start === s.end && s.kind !== "run" && s.end > s.start)) return [];
      lastEnd = Math.max(lastEnd, s.end);
      return [{ ...s, start }];
    });
    for (const s of slices) {
      const name = s.kind === "wait"
        ? "ready"
        : s.kind === "await"
        ? "await"
        : s.kind === "io"
        ? `I/O ${s.what}`
        : s.entry.kind === "task"
        ? `${s.entry.label} step`
        : s.entry.label;
      events.push({
        name,
        cat: CATEGORY[s.kind],
        ph: "X",
        pid: 1,
        tid,
        ts: at(s.start),
        dur: micros(s.end - s.start),
        args: { id: s.entry.id, kind: s.entry.kind, ...(s.outside ? { outside: true } : {}) },
      });
    }
    if (row.cancelledAt !== null) {
      events.push({
        name: "cancelled",
        cat: "cancel",
        ph: "i",
        s: "t",
        pid: 1,
        tid,
        ts: at(row.cancelledAt),
      });
    }
  });
  return {
    traceEvents: events,
    displayTimeUnit: "ms",
    otherData: {
      run: record.title,
      clock,
      loopTimeStart: record.start,
      loopTimeEnd: record.end,
      iterations: record.iterations,
    },
  };
}
