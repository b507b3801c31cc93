/**
 * Rendering for the REPL: times, widths, prose wrapped to the terminal, and
 * the queue and task listings (the timeline is `timeline.ts`). Pure
 * functions from data to lines; colour comes from a `Style`, which is plain
 * when colour is off.
 * @module
 */
import type { Entry } from "./recorder.ts";

/** How to colour each kind of text; every function is the identity when colour is off. */
export interface Style {
  id(text: string): string;
  dim(text: string): string;
  error(text: string): string;
  prompt(text: string): string;
  /** A timeline mark: a slice's kind (`run`, `wait`, `await`, `io`), `due`, `cancel` or `raise`. */
  bar(kind: string, text: string): string;
}

const sgr = (code: string) => (text: string) => `\x1b[${code}m${text}\x1b[0m`;
const plain = (text: string) => text;

/** A `Style` with ANSI colours, or without any. */
export function makeStyle(color: boolean): Style {
  if (!color) {
    return { id: plain, dim: plain, error: plain, prompt: plain, bar: (_kind, text) => text };
  }
  const bars: Record<string, (text: string) => string> = {
    run: sgr("33"),
    wait: sgr("2"),
    due: sgr("35"),
    await: sgr("36"),
    io: sgr("34"),
    cancel: sgr("31"),
    raise: sgr("31"),
  };
  return {
    id: sgr("33"),
    dim: sgr("2"),
    error: sgr("31"),
    prompt: sgr("36"),
    bar: (kind, text) => (bars[kind] ?? plain)(text),
  };
}

// Digits enough to see whether a time is exactly halfway between two
// printable values (a double's exact expansion ends long before this).
const TIE_DIGITS = 25;

/**
 * `t` with `decimals` digits as Python's `'%.1f' % t` prints it (an exact
 * halfway value rounds to even: 0.25 is "0.2", where `toFixed` says "0.3"),
 * but never `-0.0`. Virtual-clock times such as 0.1 + 0.15 hit such ties.
 */
export function fmt(t: number, decimals: number): string {
  let text = t.toFixed(decimals);
  const exact = t.toFixed(decimals + TIE_DIGITS);
  const head = exact.slice(0, exact.length - TIE_DIGITS).replace(/\.$/, "");
  const tail = exact.slice(exact.length - TIE_DIGITS);
  if (tail === "5".padEnd(TIE_DIGITS, "0") && Number(head.at(-1)) % 2 === 0) text = head;
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

// Code points a terminal draws two columns wide (East Asian wide and
// fullwidth forms, emoji), and combining marks it draws over the previous one.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f680}-\u{1f6ff}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const COMBINING = /[\u0300-\u036f\u200b-\u200f\ufe00-\ufe0f]/u;

// deno-lint-ignore no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

/** How many terminal columns `text` takes (colour escapes take none). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text.replace(SGR, "")) width += COMBINING.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
  return width;
}

/** `text` padded with spaces to `width` columns. */
export function padColumns(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/** `text` cut to at most `width` columns, with "…" where it was cut. */
export function cutColumns(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = "";
  for (const ch of text) {
    if (displayWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return out + "…";
}

/** A count with thousands separators: 100,000. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** `n things`, singular when n is 1. */
export function plural(n: number, thing: string): string {
  return `${count(n)} ${thing}${n === 1 ? "" : "s"}`;
}

/** Keep the first and last `keep` items of a long list, with a line saying how many were left out. */
export function summarise<T>(items: T[], keep: number, line: (item: T) => string): string[] {
  if (items.length <= keep * 2 + 1) return items.map(line);
  return [
    ...items.slice(0, keep).map(line),
    `  … ${plural(items.length - keep * 2, "more row")} …`,
    ...items.slice(-keep).map(line),
  ];
}

/** `#3` in the id colour. */
export function idOf(entry: Entry, style: Style): string {
  return style.id(`#${entry.id}`);
}

/** What an entry is, for listings: its label, what it does, who scheduled it. */
export function describeEntry(entry: Entry, style: Style): string {
  const parts = [entry.label];
  if (entry.detail !== "") parts.push(style.dim(entry.detail));
  if (entry.owner !== null) parts.push(style.dim(`[task #${entry.owner.id} ${entry.owner.label}]`));
  return parts.join(" ");
}

/** One row of `queue`: the entry of a pending handle, and its due time if it is a timer. */
export interface QueueRow {
  entry: Entry | null;
  /** What to show when the REPL has no entry for it (it was scheduled before the REPL listened). */
  fallback: string;
  when: number | null;
  step: boolean;
}

/** The `queue` listing: the ready queue in order, then the timer heap in firing order. */
export function renderQueue(
  ready: QueueRow[],
  timers: QueueRow[],
  now: number,
  style: Style,
): string[] {
  const row = (r: QueueRow) => {
    const who = r.entry === null
      ? r.fallback
      : `${idOf(r.entry, style)} ${
        r.step ? `${r.entry.label} ${style.dim("(task step)")}` : describeEntry(r.entry, style)
      }`;
    if (r.when === null) return `  ${who}`;
    const due = r.when - now;
    // Overdue: the loop was not running when it came due.
    const delta = due < -0.0005 ? `late by ${fmt(-due, 3)}` : `+${fmt(Math.max(0, due), 3)}`;
    return `  t=${fmt(r.when, 3)} ${style.dim(`(${delta})`)}  ${who}`;
  };
  return [
    `ready queue: ${count(ready.length)}${ready.length ? " (runs in this order)" : ""}`,
    ...summarise(ready, 10, row),
    `timer heap: ${count(timers.length)}${timers.length ? " (in firing order)" : ""}`,
    ...summarise(timers, 10, row),
  ];
}

/** One pending task for `tasks`: its entry and what it is doing. */
export interface TaskRow {
  entry: Entry | null;
  name: string;
  state: string;
}

/** The `tasks` listing. */
export function renderTasks(tasks: TaskRow[], style: Style): string[] {
  const width = Math.min(24, Math.max(4, ...tasks.map((t) => displayWidth(t.name))));
  return [
    `tasks: ${count(tasks.length)} pending`,
    ...summarise(tasks, 10, (t) => {
      const id = t.entry === null ? "  ?" : idOf(t.entry, style);
      return `  ${id} ${padColumns(cutColumns(t.name, width), width)}  ${t.state}`;
    }),
  ];
}

/**
 * `text` broken into lines of at most `columns` columns at spaces (a word
 * longer than a line keeps a line of its own, uncut); lines after the first
 * start with `indent`. Line breaks already in `text` are kept. With
 * `columns` null (no terminal), just the text's own lines.
 */
export function wrap(text: string, columns: number | null, indent = ""): string[] {
  if (columns === null) return text.split("\n");
  const out: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line: string | null = null;
    for (const word of paragraph.split(" ")) {
      if (line === null) {
        line = word;
        continue;
      }
      const next: string = `${line} ${word}`;
      if (word !== "" && line.trim() !== "" && displayWidth(next) > columns) {
        out.push(line.trimEnd());
        line = indent + word;
      } else {
        line = next;
      }
    }
    out.push(line ?? "");
  }
  return out;
}
