/**
 * The monitor's commands, as one line of words: parsed, sent to the
 * program, answered as text (or JSON with `--json`). Shared by
 * `deno task monitor` (monitor/main.ts) and the REPL's `attach`
 * (repl/attach.ts); `top` is monitor/top.ts.
 * @module
 */
import type { Answer, MonitorClient } from "./client.ts";
import {
  blockedLines,
  type DoneRow,
  hexId,
  type LoopInfo,
  type PsData,
  quote,
  renderDone,
  renderInfo,
  renderPs,
  renderPsCpython,
  renderPstree,
  renderResources,
  renderWarnings,
  renderWhere,
  type ResourcesData,
  selectRows,
  SORT_KEYS,
  type SortKey,
  type WarningsData,
  type WhereData,
} from "./render.ts";

/** The commands and what `help` says of each. */
export const HELP: ReadonlyArray<[string, string]> = [
  [
    "ps [--sort KEY] [--filter TEXT] [--state STATE] [--cpython]",
    "the pending tasks: CPython 3.14's columns (task id, name, coroutine stack, awaiter chain, " +
    "awaiter name and id), then state, steps, busy / scheduled / idle time, age, where it was " +
    `created, warnings. KEY: ${SORT_KEYS.join(", ")}. --cpython: CPython's seven columns only`,
  ],
  [
    "pstree",
    "the tree of pending tasks, each under the task that awaits it (CPython 3.14's pstree)",
  ],
  [
    "top [--sort KEY]",
    "the tasks, refreshed every second, with their warnings (q or Ctrl-C ends it)",
  ],
  [
    "where [--done] ID",
    "a task's stack, what it awaits, who awaits it, who created it (--done: a finished one)",
  ],
  ["cancel ID [MSG]", "cancel a pending task (task.cancel(MSG))"],
  [
    "tasks [--done]",
    "the pending tasks in short; --done: the finished ones, how each ended and who cancelled it",
  ],
  [
    "resources",
    "locks, events, conditions, semaphores, barriers and queues: who holds, who waits; the timers",
  ],
  [
    "warnings",
    "slow steps, a blocked loop, self-waking, stuck and dropped tasks, unretrieved exceptions",
  ],
  ["info", "the program and its loop"],
  [
    "record SECONDS FILE",
    "record the loop's events for SECONDS into FILE (- : to stdout), to view in the REPL",
  ],
  ["help", "this list; every command also takes --json"],
];

/** A command line, split into the command, its words and its flags. */
export interface Parsed {
  cmd: string;
  words: string[];
  flags: Map<string, string | true>;
}

const VALUED = new Set(["--sort", "--filter", "--state"]);

/** Split `args` (already split into words) into a command, words and flags. */
export function parseCommand(args: string[]): Parsed {
  const [cmd = "help", ...rest] = args;
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg.startsWith("--") && arg.length > 2) {
      const eq = arg.indexOf("=");
      if (eq > 0) flags.set(arg.slice(0, eq), arg.slice(eq + 1));
      else if (VALUED.has(arg)) {
        if (i + 1 >= rest.length) throw new Error(`${arg} needs a value`);
        flags.set(arg, rest[++i]);
      } else flags.set(arg, true);
    } else words.push(arg);
  }
  return { cmd, words, flags };
}

/** Words of a line, with '…' and "…" quoting (for the prompt and the REPL). */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m; (m = re.exec(line)) !== null;) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

/** A task id as typed: `0x1f` or `31`. */
export function parseId(text: string | undefined): number {
  const id = text === undefined
    ? NaN
    : /^0x[0-9a-f]+$/i.test(text)
    ? parseInt(text, 16)
    : Number(text);
  if (!Number.isInteger(id) || id <= 0) {
    throw new Error(`a task id is a number such as 0x1f or 31, got ${text ?? "nothing"}`);
  }
  return id;
}

/** Where the output of a command goes. */
export interface Output {
  /** One line of text. */
  line(text: string): void;
  /** Write a recording to a file, or to stdout for `-`. */
  save(file: string, text: string): Promise<void>;
  /** Make sure `file` may be written (asked before recording); throws if not. */
  mayWrite(file: string): Promise<void>;
}

function sortKey(flag: string | true | undefined): SortKey | undefined {
  if (flag === undefined || flag === true) return undefined;
  if (!(SORT_KEYS as readonly string[]).includes(flag)) {
    throw new Error(`--sort takes one of ${SORT_KEYS.join(", ")}`);
  }
  return flag as SortKey;
}

/**
 * Run one command (not `top`) against `client` and print its answer.
 * @returns the exit status: 0, or 1 if the command failed (a refused
 *   cancel, an unknown id, a pstree with cycles).
 * @throws {Error} for a command line that is wrong, or a lost connection.
 */
export async function runCommand(
  client: MonitorClient,
  parsed: Parsed,
  out: Output,
): Promise<number> {
  const { cmd, words, flags } = parsed;
  const json = flags.has("--json");
  const show = (answer: Answer, text: () => string[]): number => {
    if (json) {
      out.line(JSON.stringify(answer));
      return answer.ok ? 0 : 1;
    }
    for (const l of blockedLines(answer)) out.line(l);
    if (!answer.ok) {
      out.line(`error: ${answer.error}`);
      return 1;
    }
    if (answer.data == null) return 0;
    for (const l of text()) out.line(l);
    return 0;
  };
  switch (cmd) {
    case "help":
    case "?":
      for (const [usage, summary] of HELP) out.line(`${usage.padEnd(20)}  ${summary}`);
      return 0;
    case "ps": {
      const options = {
        sort: sortKey(flags.get("--sort")),
        filter: stringFlag(flags.get("--filter")),
        state: stringFlag(flags.get("--state")),
      };
      const answer = await client.request<PsData>("ps", options);
      return show(answer, () => {
        const data = answer.data!;
        if (flags.has("--cpython")) {
          return renderPsCpython({ ...data, tasks: selectRows(data.tasks, options) });
        }
        return renderPs(data, selectRows(data.tasks, options));
      });
    }
    case "pstree": {
      const answer = await client.request<{ tree: string | null; cycles: string[][] }>("pstree");
      const status = show(answer, () => renderPstree(answer.data!));
      return status !== 0 || (answer.data?.tree === null && !json) ? 1 : 0;
    }
    case "where": {
      const id = parseId(words[0]);
      const answer = await client.request<WhereData>("where", { id, done: flags.has("--done") });
      const info = json ? null : (await client.request<LoopInfo>("info")).data ?? null;
      return show(answer, () => renderWhere(answer.data!, info));
    }
    case "cancel": {
      const id = parseId(words[0]);
      const msg = words.length > 1 ? words.slice(1).join(" ") : undefined;
      const answer = await client.request<{ id: number; name: string; cancelled: boolean }>(
        "cancel",
        { id, msg },
      );
      return show(answer, () => {
        const d = answer.data!;
        return [
          d.cancelled
            ? `cancel requested: task ${hexId(d.id)} ${quote(d.name)}`
            : `task ${hexId(d.id)} ${quote(d.name)} was already done`,
        ];
      });
    }
    case "tasks": {
      if (flags.has("--done")) {
        const answer = await client.request<{ history: DoneRow[]; size: number }>("tasks");
        return show(answer, () => renderDone(answer.data!));
      }
      const answer = await client.request<PsData>("ps");
      return show(
        answer,
        () =>
          answer.data!.tasks.map((t) =>
            `${hexId(t.id)}  ${t.name} (${t.coro}): ${t.state}${
              t.awaiting !== null ? `, awaiting ${t.awaiting}` : ""
            }`
          ),
      );
    }
    case "resources": {
      const answer = await client.request<ResourcesData>("resources");
      return show(answer, () => renderResources(answer.data!));
    }
    case "warnings": {
      const answer = await client.request<WarningsData>("warnings");
      return show(answer, () => renderWarnings(answer.data!, answer.loop?.blocks ?? []));
    }
    case "info": {
      const answer = await client.request<LoopInfo>("info");
      return show(answer, () => renderInfo(answer.data!));
    }
    case "record": {
      const seconds = Number(words[0]);
      const file = words[1];
      if (!(seconds > 0) || file === undefined) {
        throw new Error("usage: record SECONDS FILE (FILE - writes to stdout)");
      }
      if (file !== "-") {
        await out.mayWrite(file);
        out.line(`recording the loop for ${seconds} s…`);
      }
      const answer = await client.request<Recording>("record", { seconds });
      // An error, never on stdout: with `-` that is the recording's place.
      if (!answer.ok) throw new Error(`record: ${answer.error}`);
      const recording = answer.data!;
      await out.save(file, JSON.stringify(recording) + "\n");
      if (file !== "-") {
        const iterations = recording.events.filter((e) => e[0] === "iteration").length;
        out.line(
          `recorded ${recording.events.length} events (${iterations} iterations, ${recording.tasks.length} tasks, ` +
            `${recording.handles.length} handles) over ${
              (recording.end - recording.start).toFixed(1)
            } s to ${file}` +
            `${recording.truncated ? " (cut: too many events)" : ""}`,
        );
        out.line(
          `view it: deno task monitor view ${file}, or in the REPL: attach view ${file} [OUT.json]`,
        );
      }
      return 0;
    }
    default:
      throw new Error(`unknown command '${cmd}' (help lists them)`);
  }
}

function stringFlag(flag: string | true | undefined): string | undefined {
  return typeof flag === "string" ? flag : undefined;
}

/** A recording as `record` makes it (see lib/_monitor.ts and repl/attach.ts). */
export interface Recording {
  format: "asyncio-deno-recording";
  version: number;
  program: string;
  pid: number;
  clock: "real" | "virtual";
  start: number;
  end: number;
  truncated: boolean;
  handles: unknown[][];
  tasks: unknown[][];
  events: unknown[][];
}
