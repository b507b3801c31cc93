/**
 * What the browser view draws, as one JSON-able object: the timeline's
 * rows (`rowsOf`, as the terminal draws them), every handle and task the
 * REPL has seen (its label, what it does, its repr), and the iterations
 * (`IterationLog`): the ready queue at each start, what ran and why, the
 * heap spans, the trees and the printed lines. Arrays of plain values
 * rather than objects, so that 10,000 handles stay a few megabytes.
 * @module
 */
import type { IterationLog } from "./iterations.ts";
import type { Recorder, SliceKind } from "./recorder.ts";
import { describeEntry, makeStyle } from "./render.ts";
import type { Session } from "./session.ts";
import { rowsOf } from "./timeline.ts";

/** A slice: kind (`r` running, `o` running outside the loop, `w` ready, `a` awaiting, `i` I/O), start, end, entry id. */
export type SliceData = [string, number, number, number];

/** The view's data; see the module's notes. */
export interface ViewData {
  title: string;
  clock: "real" | "virtual";
  /** The window drawn, in loop time since reset. */
  start: number;
  end: number;
  /** When the loop ran (the rest of the window it did not). */
  runs: [number, number][];
  /** By id - 1: kind (`callback`, `timer`, `task`), label, detail, repr. */
  entries: [string, string, string, string][];
  /** Head id, slices, due marks, cancelled at, raised at (null: not). */
  rows: [number, SliceData[], number[], number | null, number | null][];
  /** Loop iteration, start, end, run title, ready ids, ran ([id, start, end, why]), tree index. */
  frames: [number, number, number, string, number[], [number, number, number, string][], number][];
  /** The distinct trees of pending tasks; frames point into it. */
  trees: string[];
  /** Timer id, due, first and last frame in the heap (last null: still there). */
  heap: [number, number, number, number | null][];
  /** Frame (0: before any), text. */
  output: [number, string][];
}

const KIND: Record<SliceKind, string> = { run: "r", wait: "w", await: "a", io: "i" };
// A repr longer than this says nothing more in a tooltip.
const REPR_MAX = 300;
const plain = makeStyle(false);

/** Loop time to the microsecond: shorter JSON, and nothing the view can show is lost. */
function t(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

/** What the view is made of: a `Recorder`, its `IterationLog`, and the clock they read. */
export interface ViewSource {
  recorder: Recorder;
  log: IterationLog;
  clock: "real" | "virtual";
}

/** The session since reset, for the view. */
export function viewData(session: Session): ViewData {
  return viewDataOf(session);
}

/** The view of what `source` recorded since it began (a session, or a replayed recording). */
export function viewDataOf(source: ViewSource): ViewData {
  const { recorder, log } = source;
  const record = recorder.session();
  const entries: ViewData["entries"] = [];
  for (let id = 1; id <= recorder.lastId; id++) {
    const entry = recorder.anyById(id)!;
    const repr = String(entry.task ?? entry.handle);
    entries.push([
      entry.kind,
      entry.label,
      describeEntry(entry, plain).slice(entry.label.length + 1),
      repr.length > REPR_MAX ? repr.slice(0, REPR_MAX - 1) + "…" : repr,
    ]);
  }
  const rows: ViewData["rows"] = rowsOf(record).map((row) => [
    row.head.id,
    row.slices.map((s): SliceData => [
      s.outside ? "o" : KIND[s.kind],
      t(s.start),
      t(s.end),
      s.entry.id,
    ]),
    row.due.map(t),
    row.cancelledAt === null ? null : t(row.cancelledAt),
    row.raisedAt === null ? null : t(row.raisedAt),
  ]);
  const trees: string[] = [];
  const treeIndex = new Map<string, number>();
  const frames: ViewData["frames"] = log.frames.map((f) => {
    let tree = treeIndex.get(f.tree);
    if (tree === undefined) treeIndex.set(f.tree, tree = trees.push(f.tree) - 1);
    return [
      f.loopIteration,
      t(f.start),
      t(f.end),
      f.run,
      f.ready,
      f.ran.map((r): [number, number, number, string] => [r.id, t(r.start), t(r.end), r.why]),
      tree,
    ];
  });
  return {
    title: record.title,
    clock: source.clock,
    start: t(record.start),
    end: t(record.end),
    runs: recorder.runs.map((r): [number, number] => [t(r.start), t(r.end)]),
    entries,
    rows,
    frames,
    trees,
    heap: log.heap.map((span) => [
      span.entry.id,
      t(span.entry.due!),
      span.from,
      span.to === Infinity ? null : span.to - 1,
    ]),
    output: log.output.map((p) => [p.frame, p.text]),
  };
}
