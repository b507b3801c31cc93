/**
 * The REPL in a terminal, on `node:readline`: line editing, history kept
 * across sessions in a file, Tab completion, and output that arrives while
 * a line is being typed printed above it without corrupting it. Lines typed
 * during a run wait their turn, except `stop`, which stops the run at once,
 * as Ctrl-C does. Output is wrapped to the terminal's width.
 *
 * Ctrl-C: at the prompt, readline reads it as a key (the terminal is raw).
 * While a line runs, the terminal lets Ctrl-C be a signal instead (cbreak
 * mode), which `CtrlC`'s worker hears even while a printer blocks the thread.
 * @module
 */
import readline from "node:readline";
import process from "node:process";
import type { CtrlC } from "./ctrl_c.ts";
import { LECTURE } from "./help.ts";
import { Session } from "./session.ts";
import type { TopTerminal } from "../monitor/top.ts";

/** How the terminal REPL starts. */
export interface TerminalOptions {
  virtual: boolean;
  color: boolean;
  /** The history file, or null to keep none. */
  historyPath: string | null;
  ctrlC: CtrlC;
}

/** The terminal's width in columns, or null if it cannot be read. */
function terminalColumns(): number | null {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return null;
  }
}

/** While a line runs, Ctrl-C is a signal (cbreak); at the prompt, a key for readline (raw). */
function setCtrlCSignals(on: boolean): void {
  try {
    Deno.stdin.setRaw(true, { cbreak: on });
  } catch {
    // Not a terminal any more (it closed): nothing to set.
  }
}

/**
 * The terminal as `attach top` draws in it while its line runs: keys go to
 * it, not to readline (whose keypress listeners are set aside meanwhile),
 * and the terminal is raw, so that Ctrl-C is a key; given back, it is as a
 * running line has it (cbreak: Ctrl-C a signal again).
 */
function lentTerminal(flush: () => void): TopTerminal {
  const encoder = new TextEncoder();
  return {
    write(text) {
      const bytes = encoder.encode(text);
      for (let done = 0; done < bytes.length;) {
        done += Deno.stdout.writeSync(bytes.subarray(done));
      }
    },
    size() {
      try {
        return Deno.consoleSize();
      } catch {
        return { columns: 80, rows: 24 };
      }
    },
    takeKeys(onKey) {
      flush();
      const input = process.stdin;
      const readlines = input.listeners("keypress");
      input.removeAllListeners("keypress");
      const decoder = new TextDecoder();
      const onData = (data: Uint8Array | string) =>
        onKey(typeof data === "string" ? data : decoder.decode(data));
      input.on("data", onData);
      try {
        Deno.stdin.setRaw(true);
      } catch {
        // Not a terminal any more: top ends when its program or its keys do.
      }
      return () => {
        input.off("data", onData);
        for (const listener of readlines) {
          input.on("keypress", listener as (...args: unknown[]) => void);
        }
        setCtrlCSignals(true);
      };
    },
  };
}

const HISTORY_SIZE = 1000;

/** The history file's lines, newest first (as readline wants them). */
function loadHistory(path: string | null): string[] {
  if (path === null) return [];
  try {
    const lines = Deno.readTextFileSync(path).split("\n").filter((l) => l.trim() !== "");
    const kept = lines.slice(-HISTORY_SIZE);
    // Keep the file from growing without end.
    if (lines.length > HISTORY_SIZE * 2) Deno.writeTextFileSync(path, kept.join("\n") + "\n");
    return kept.reverse();
  } catch {
    return [];
  }
}

function appendHistory(path: string | null, line: string): void {
  if (path === null || line.trim() === "") return;
  try {
    const dir = path.slice(0, path.lastIndexOf("/"));
    if (dir !== "") Deno.mkdirSync(dir, { recursive: true });
    Deno.writeTextFileSync(path, line + "\n", { append: true });
  } catch {
    // History is a convenience; a read-only home must not break the REPL.
  }
}

/** Run the REPL on the terminal until `exit` or Ctrl-D; returns the exit status. */
export function runTerminal(options: TerminalOptions): Promise<number> {
  const stdout = process.stdout;
  let rl: readline.Interface | null = null;
  let showing = false; // the prompt is on screen, waiting for a line
  let pending = "";
  let flushTimer: ReturnType<typeof setTimeout> | null = null;

  // Output waits a few milliseconds so that a burst of lines costs one redraw.
  const flush = () => {
    if (flushTimer !== null) clearTimeout(flushTimer);
    flushTimer = null;
    if (pending === "") return;
    const text = pending;
    pending = "";
    const typed = rl !== null && (showing || rl.line !== "");
    // Clear the line being typed, print above it, then draw it again.
    stdout.write(typed ? "\r\x1b[J" + text : text);
    if (typed) rl!.prompt(true);
  };
  const write = (text: string) => {
    pending += text;
    if (pending.length > 1 << 16) flush();
    else flushTimer ??= setTimeout(flush, 15);
  };

  const session = new Session({
    write,
    flush,
    virtual: options.virtual,
    color: options.color,
    historyPath: options.historyPath,
    columns: terminalColumns,
    ctrlC: options.ctrlC,
    terminal: lentTerminal(flush),
  });
  options.ctrlC.listen(() => {
    if (session.interrupt()) write("^C: stopping\n");
  });
  rl = readline.createInterface({
    input: process.stdin,
    output: stdout,
    terminal: true,
    history: loadHistory(options.historyPath),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string) => session.complete(line),
  });

  const showPrompt = () => {
    flush();
    rl!.setPrompt(session.prompt());
    showing = true;
    rl!.prompt(true);
  };

  const queue: string[] = [];
  let busy = false;
  let closed = false;
  let done: (status: number) => void;
  const finished = new Promise<number>((resolve) => (done = resolve));

  const stopCatching = session.guardHost();
  const finish = () => {
    stopCatching();
    flush();
    session.close();
    done(0);
  };

  const pump = async () => {
    busy = true;
    rl!.setPrompt(""); // lines typed during a run are redrawn without a prompt
    setCtrlCSignals(true);
    while (queue.length > 0 && !session.exited && !closed) {
      const line = queue.shift()!;
      appendHistory(options.historyPath, line);
      options.ctrlC.arm();
      await session.exec(line);
    }
    // Once readline has closed (Ctrl-D), the terminal is its to restore.
    if (!closed) setCtrlCSignals(false);
    busy = false;
    if (closed) return finish();
    if (session.exited) return rl!.close(); // its close handler finishes
    showPrompt();
  };

  rl.on("line", (typed: string) => {
    showing = false;
    // Deno's readline inserts a literal tab when Tab is pressed twice quickly.
    const line = typed.replaceAll("\t", " ");
    if (busy && line.trim() === "stop" && session.interrupt()) return;
    queue.push(line);
    if (!busy) void pump();
  });
  rl.on("SIGINT", () => {
    if (session.interrupt()) {
      write("^C: stopping\n");
      return;
    }
    if (rl!.line !== "") {
      // Drop the typed line, as a shell does.
      rl!.write(null, { ctrl: true, name: "e" });
      rl!.write(null, { ctrl: true, name: "u" });
      stdout.write("^C\n");
    } else {
      write("(to leave, press Ctrl-D or type exit)\n");
    }
    showPrompt();
  });
  rl.on("close", () => {
    closed = true;
    if (busy) {
      session.interrupt();
      return; // pump finishes, then calls finish()
    }
    if (!session.exited) stdout.write("\n");
    finish();
  });

  session.say(
    `asyncio for Deno, the event-loop REPL of the lecture "${LECTURE}". Type help, or ` +
      "replay the lecture's printers: demo printers-blocking, demo printers-async",
  );
  showPrompt();
  return finished;
}
