/**
 * `top`: the program's tasks, refreshed every second in the terminal's
 * alternate screen, with their warnings; `s` changes the sort, `q` or
 * Ctrl-C ends it and leaves the terminal as it was.
 * @module
 */
import process from "node:process";
import { cutColumns } from "../repl/render.ts";
import type { Answer, MonitorClient } from "./client.ts";
import {
  blockWhere,
  clockTime,
  duration,
  fit,
  hexId,
  type PsData,
  selectRows,
  SORT_KEYS,
  type SortKey,
  table,
} from "./render.ts";

/** Options of `runTop`. */
export interface TopOptions {
  sort?: SortKey;
  /** Seconds between refreshes (default 1). */
  interval?: number;
  /** The terminal it draws in and reads keys from (default: this process's, `processTerminal`). */
  terminal?: TopTerminal;
}

/** What `top` needs of a terminal: the REPL lends it its own (repl/terminal.ts). */
export interface TopTerminal {
  /** Write `text` at once (escape sequences and all). */
  write(text: string): void;
  /** Its size now. */
  size(): { columns: number; rows: number };
  /**
   * Send each key typed to `onKey` (raw: Ctrl-C is "\x03", not a signal)
   * until the returned function is called, which puts the terminal back.
   */
  takeKeys(onKey: (text: string) => void): () => void;
}

// The widest the awaiting column gets.
const AWAITING_COLUMNS = 48;
const ENTER = "\x1b[?1049h\x1b[?25l"; // alternate screen, cursor hidden
const LEAVE = "\x1b[?25h\x1b[?1049l";
const encoder = new TextEncoder();

function write(text: string): void {
  const bytes = encoder.encode(text);
  for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
}

/** The lines of one screen of `top` (pure: the tests render it too). */
export function topScreen(
  answer: Answer<PsData>,
  previous: { at: number; iteration: number; steps: number } | null,
  sort: SortKey,
  size: { columns: number; rows: number },
): string[] {
  const lines: string[] = [];
  const data = answer.data;
  const block = answer.loop?.blocked ?? null;
  const last = answer.loop?.blocks.at(-1);
  if (data == null) {
    lines.push("asyncio top: waiting for the loop to answer");
  } else {
    const i = data.info;
    const seconds = previous === null ? 0 : (i.now - previous.at) / 1000;
    const rate = (n: number, before: number | undefined) =>
      seconds > 0 && before !== undefined ? `${Math.round((n - before) / seconds)}/s` : "-";
    lines.push(
      `asyncio top: pid ${i.pid}  ${i.program}`.padEnd(Math.max(0, size.columns - 12)) +
        clockTime(i.now),
    );
    lines.push(
      `loop ${
        i.closed ? "closed" : i.running ? "running" : "not running"
      } · iteration ${i.iteration} ` +
        `(${rate(i.iteration, previous?.iteration)}) · ${i.tasks} tasks · ${i.timers} timers · ` +
        `steps ${rate(i.steps, previous?.steps)}`,
    );
  }
  if (block !== null) {
    lines.push(
      `BLOCKED ${block.seconds.toFixed(1)} s in ${blockWhere(block)}` +
        (answer.stale !== undefined ? ` (table ${answer.stale.toFixed(1)} s old)` : ""),
    );
  } else if (last !== undefined) {
    lines.push(
      `last blocked ${last.seconds.toFixed(1)} s in ${blockWhere(last)} at ${
        clockTime(last.since)
      }`,
    );
  } else lines.push("");
  lines.push(`sort: ${sort} (s: next)   q or Ctrl-C: quit`, "");
  if (data != null) {
    const rows = selectRows(data.tasks, { sort });
    const body = rows.map((t) => [
      hexId(t.id),
      t.name,
      t.state,
      String(t.steps),
      duration(t.busy),
      duration(t.scheduled),
      duration(t.idle),
      duration(t.age),
      // Cut, so that the warnings keep their room.
      cutColumns(t.awaiting ?? "", AWAITING_COLUMNS),
      t.warnings.join("; "),
    ]);
    const shown = table(
      [
        "task id",
        "task name",
        "state",
        "steps",
        "busy",
        "sched",
        "idle",
        "age",
        "awaiting",
        "warnings",
      ],
      body.slice(0, Math.max(0, size.rows - lines.length - 3)),
      new Set([3, 4, 5, 6, 7]),
    );
    lines.push(...shown);
    const more = data.total - (shown.length - 2);
    if (more > 0) lines.push(`… and ${more} more`);
  }
  return fit(lines, size.columns);
}

function terminalSize(): { columns: number; rows: number } {
  try {
    return Deno.consoleSize();
  } catch {
    return { columns: 80, rows: 24 };
  }
}

/**
 * This process's terminal (`deno task monitor ADDRESS top`).
 * @throws {Error} if stdin or stdout is not a terminal.
 */
export function processTerminal(): TopTerminal {
  if (!Deno.stdout.isTerminal() || !Deno.stdin.isTerminal()) {
    throw new Error("top needs a terminal (ps prints the same table once)");
  }
  return {
    write,
    size: terminalSize,
    takeKeys(onKey) {
      const decoder = new TextDecoder();
      const onData = (data: Uint8Array | string) =>
        onKey(typeof data === "string" ? data : decoder.decode(data));
      const stdin = process.stdin as typeof process.stdin & { setRawMode(raw: boolean): void };
      stdin.setRawMode(true);
      stdin.on("data", onData);
      stdin.resume();
      return () => {
        stdin.off("data", onData);
        stdin.setRawMode(false);
        stdin.pause();
      };
    },
  };
}

/**
 * Run `top` until `q`, Ctrl-C, or the program goes away (it says so on
 * stderr; with a `terminal` given, it throws that instead, once the
 * terminal is put back).
 * @returns 0 when the user quit, 1 when the connection was lost.
 * @throws {Error} if stdin or stdout is not a terminal; the connection was
 *   lost, with a `terminal` given.
 */
export async function runTop(client: MonitorClient, options: TopOptions = {}): Promise<number> {
  const terminal = options.terminal ?? processTerminal();
  const write = (text: string) => terminal.write(text);
  const terminalSize = () => terminal.size();
  let sort: SortKey = options.sort ?? "busy";
  const interval = (options.interval ?? 1) * 1000;
  let quit = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const onKey = (text: string) => {
    for (const ch of text) {
      if (ch === "q" || ch === "Q" || ch === "\x03" || ch === "\x04") quit = true;
      else if (ch === "s") sort = SORT_KEYS[(SORT_KEYS.indexOf(sort) + 1) % SORT_KEYS.length];
    }
    poke();
  };
  const giveBack = terminal.takeKeys(onKey);
  write(ENTER);
  let lost: string | null = null;
  let previous: { at: number; iteration: number; steps: number } | null = null;
  try {
    while (!quit) {
      let answer: Answer<PsData>;
      try {
        // Only a screenful of rows: the program makes each row it sends.
        answer = await client.request<PsData>("top", { sort, limit: terminalSize().rows });
      } catch (err) {
        lost = err instanceof Error ? err.message : String(err);
        break;
      }
      const size = terminalSize();
      const lines = topScreen(answer, previous, sort, size);
      write("\x1b[H" + lines.map((l) => l + "\x1b[K").join("\r\n") + "\x1b[J");
      const i = answer.data?.info;
      if (i != null && answer.stale === undefined) {
        previous = { at: i.now, iteration: i.iteration, steps: i.steps };
      }
      if (quit) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          wake = null;
          resolve();
        }, interval);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    write(LEAVE);
    giveBack();
  }
  if (lost !== null) {
    if (options.terminal === undefined) console.error(`top: ${lost}`);
    else throw new Error(lost);
    return 1;
  }
  return 0;
}
