/**
 * `help` and `help COMMAND`, wrapped at word boundaries to the terminal's
 * width (the command table with a hanging indent).
 * @module
 */
import { COMMANDS } from "./commands.ts";
import { padColumns } from "./render.ts";
import type { Session } from "./session.ts";

/** The title of the lecture the REPL follows, as the banner and help name it. */
export const LECTURE = "Async I/O — multithreading without threads";

// Below this many columns, a command's summary goes under its usage.
const TABLE_MIN_COLUMNS = 60;

/** Print `help` (topic null) or `help COMMAND`. */
export function showHelp(session: Session, topic: string | null): void {
  if (topic !== null) {
    const spec = COMMANDS.find((c) => c.name === topic)!;
    const camel = topic.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
    const also = [camel, ...(spec.aliases ?? [])].filter((a) => a !== topic);
    session.print(spec.usage);
    for (const line of [spec.summary, ...(spec.details ?? [])]) session.say(`  ${line}`, "  ");
    if (also.length > 0) session.say(`  also spelled: ${also.join(", ")}`, "  ");
    return;
  }
  const columns = session.columns;
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  session.say(`Commands (snake_case as in asyncio; camelCase works too; help COMMAND says more):`);
  for (const spec of COMMANDS) {
    if (columns !== null && columns < TABLE_MIN_COLUMNS) {
      session.print(`  ${spec.usage}`);
      session.say(`      ${spec.summary}`, "      ");
    } else {
      session.say(`  ${padColumns(spec.usage, width)}  ${spec.summary}`, " ".repeat(width + 4));
    }
  }
  const paragraphs = [
    `The REPL of the lecture "${LECTURE}": schedule the lecture's printers, run the loop, and ` +
    "watch in what order and at what times they run.",
    "WORK: nothing (instant), block=S (blocks the loop S s, as time.sleep), sleep=S (a task " +
    "that awaits sleep(S)), exec=S / popen=S (the process sleep S, awaited / blocking).",
    "Time: t= is loop time since the session began or the last reset, everywhere: the " +
    "printers' Started X at T, the prompt, queue, why and timeline (as loop.time(), and the " +
    "lecture's t = time.time() at the top of its examples).",
    "The clock (first in the prompt) is virtual by default, so the lecture's examples typed " +
    "line by line print its order and times exactly: time moves only while the loop runs, not " +
    "while you type. clock real switches to real time (help clock).",
    "IDs are printed as #N when something is scheduled; queue, tasks, why and cancel use them.",
    "The prompt shows the clock, the loop time and the ready/timer/task counts (closed: js " +
    "code closed the loop; reset makes a new one).",
    "Keys: Tab completes (commands, help topics, WORK, demo names, ids, js loop. and " +
    "asyncio. members), Up/Down walk the history, Ctrl-C stops a run (and ends a blocking " +
    "printer at once), Ctrl-D leaves. A js line that never returns cannot be interrupted: " +
    "Ctrl-C says so, and a second Ctrl-C quits.",
    "Processes and sockets: deno task repl may run sleep and /bin/sh and use the network on " +
    "127.0.0.1 only (help demo says how to widen that).",
    session.historyPath === null ? "History: not kept." : `History: ${session.historyPath}`,
  ];
  for (const paragraph of paragraphs) session.say(paragraph);
}
