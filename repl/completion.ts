/**
 * Tab completion: command names, `help` topics, WORK keywords (`sleep=`,
 * `block=`, …) and the lecture's `stop` / `create_task`, demo names,
 * pending ids, settings, file names, and in a `js` line the members after
 * `loop.` or `asyncio.` and the scope's names.
 * @module
 */
import * as asyncio from "../mod.ts";
import { DEMOS } from "./demos.ts";
import { COMMANDS } from "./commands.ts";
import { findCommand, WORK_KINDS } from "./parse.ts";
import type { Session } from "./session.ts";

const WORK = WORK_KINDS.map((k) => `${k}=`);

/** The candidates for the word being typed at the end of `line`, and that word. */
export function complete(session: Session, line: string): [string[], string] {
  const words = line.trimStart().split(/\s+/);
  const partial = words.at(-1) ?? "";
  if (words.length <= 1) {
    // With the space, a unique match is ready for its first argument.
    return [COMMANDS.map((c) => `${c.name} `).filter((n) => n.startsWith(partial)), partial];
  }
  const spec = findCommand(words[0]);
  if (spec?.name === "js") return completeJs(session, line);
  return [
    argumentsOf(session, spec?.name, words.length - 2, words).filter((o) => o.startsWith(partial)),
    partial,
  ];
}

/** What can be typed as argument `index` (0-based) of `command`. */
function argumentsOf(
  session: Session,
  command: string | undefined,
  index: number,
  words: string[],
): string[] {
  const partial = words.at(-1)!;
  switch (command) {
    case "help":
      return index === 0 ? COMMANDS.map((c) => c.name) : [];
    case "demo":
      return index === 0 ? Object.keys(DEMOS) : [];
    case "cancel":
    case "why": {
      if (index !== 0) return [];
      const hash = partial.startsWith("#") ? "#" : "";
      const ids = command === "cancel"
        ? session.recorder.pendingIds()
        : Array.from({ length: session.recorder.lastId }, (_, i) => i + 1);
      return ids.map((id) => `${hash}${id}`);
    }
    case "clock":
      return index === 0 ? ["real", "virtual"] : [];
    case "timeline":
      return index === 0 ? ["last"] : [];
    case "view":
      return index === 0 ? ["stop"] : [];
    case "set":
      return index === 0
        ? ["decimals", "width"]
        : index === 1 && words[1] === "width"
        ? ["auto"]
        : [];
    case "load":
    case "export":
      return filesLike(partial);
    case "create_task":
      return index === 1 ? WORK : [];
    case "call_soon":
    case "call_soon_threadsafe":
    case "call_later":
    case "call_at": {
      // After the DELAY or WHEN of the timed ones: NAME (or stop, create_task NAME), then WORK.
      const at = index - (command === "call_later" || command === "call_at" ? 1 : 0);
      const spawn = words[words.length - 1 - at] === "create_task" ? 1 : 0;
      if (at === 0) return ["stop", "create_task "];
      return at === 1 + spawn ? WORK : [];
    }
  }
  return [];
}

/**
 * Members after `loop.` or `asyncio.` at the end of a js line, as
 * `loop.callSoon`; else the names of the scope (the REPL's, and what lines
 * declared) for a name being typed.
 */
function completeJs(session: Session, line: string): [string[], string] {
  const m = /\b(loop|asyncio)\.([A-Za-z_$][\w$]*)?$/.exec(line);
  if (m === null) {
    // A name, not a member (but a spread, `...name`, is one).
    const name = /(?:^js\s+|\.\.\.|[^\w$.])([A-Za-z_$][\w$]*)$/.exec(line)?.[1];
    if (name === undefined) return [[], ""];
    return [session.js.names.filter((n) => n.startsWith(name)).sort(), name];
  }
  const typed = m[0];
  const names = m[1] === "loop" ? membersOf(session.loop) : Object.keys(asyncio);
  const prefix = `${m[1]}.`;
  return [
    [...new Set(names)].filter((n) => !n.startsWith("_")).sort().map((n) => prefix + n)
      .filter((c) => c.startsWith(typed)),
    typed,
  ];
}

/** The public properties of an object and its prototypes (not Object's). */
function membersOf(object: object): string[] {
  const names: string[] = [];
  for (let o = object; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    names.push(...Object.getOwnPropertyNames(o).filter((n) => n !== "constructor"));
  }
  return names;
}

/** File names in the directory of `partial` that start like it (for load/export completion). */
function filesLike(partial: string): string[] {
  const slash = partial.lastIndexOf("/");
  const dir = slash < 0 ? "." : partial.slice(0, slash + 1) || "/";
  const prefix = slash < 0 ? "" : partial.slice(0, slash + 1);
  try {
    return [...Deno.readDirSync(dir)].map((e) => prefix + e.name + (e.isDirectory ? "/" : ""));
  } catch {
    return [];
  }
}
