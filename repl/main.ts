/**
 * The REPL's entry point: `deno task repl [--real] [--script FILE]`.
 * In a terminal it is interactive (`terminal.ts`); otherwise it reads
 * commands from stdin or `--script FILE`, prints only the results, and exits
 * 0 if every line was accepted, 1 if any was rejected (after running the
 * rest), 2 for bad arguments.
 * @module
 */
import { CtrlC } from "./ctrl_c.ts";
import { Session } from "./session.ts";
import { runTerminal } from "./terminal.ts";

const USAGE =
  `usage: deno task repl [--real | --virtual] [--script FILE] [--history FILE | --no-history]

  --virtual         start on the virtual clock (the default: runs are instant and exact)
  --real            start on the real clock
  --script FILE     run the commands in FILE instead of reading stdin
  --history FILE    keep the line history in FILE
  --no-history      keep no history
Without --script, a terminal gets the interactive REPL; piped stdin is read as a script.`;

interface Args {
  virtual: boolean;
  script: string | null;
  history: string | null | undefined;
  help: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const args: Args = { virtual: true, script: null, history: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--virtual") args.virtual = true;
    else if (arg === "--real") args.virtual = false;
    else if (arg === "--help" || arg === "-h") args.help = true;
    else if (arg === "--no-history") args.history = null;
    else if (arg === "--script" || arg === "--history") {
      const value = argv[++i];
      if (value === undefined) return `${arg} needs a FILE`;
      if (arg === "--script") args.script = value;
      else args.history = value;
    } else {
      return `unknown argument '${arg}'`;
    }
  }
  return args;
}

/** `$XDG_CONFIG_HOME/asyncio-deno/repl_history`, else `~/.config/asyncio-deno/repl_history`. */
function defaultHistoryPath(): string | null {
  const config = Deno.env.get("XDG_CONFIG_HOME") ||
    (Deno.env.get("HOME") ? `${Deno.env.get("HOME")}/.config` : "");
  return config === "" ? null : `${config}/asyncio-deno/repl_history`;
}

/** The lines of a byte stream, without their line ends. */
async function* linesOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split(/\r?\n/);
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest !== "") yield rest;
}

/** Buffered stdout: output is written in large chunks, at most 10 ms late. */
function stdoutWriter(): { write: (text: string) => void; flush: () => void } {
  const encoder = new TextEncoder();
  let buffer: string[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (size === 0) return;
    const bytes = encoder.encode(buffer.join(""));
    buffer = [];
    size = 0;
    try {
      for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
    } catch (err) {
      if (err instanceof Deno.errors.BrokenPipe) Deno.exit(0); // the reader went away (| head)
      throw err;
    }
  };
  const write = (text: string) => {
    buffer.push(text);
    size += text.length;
    if (size > 1 << 16) flush();
    else timer ??= setTimeout(flush, 10);
  };
  return { write, flush };
}

/** Run commands from `lines` without a terminal; returns the exit status. */
async function runScript(
  lines: AsyncIterable<string> | Iterable<string>,
  virtual: boolean,
): Promise<number> {
  const out = stdoutWriter();
  const session = new Session({ write: out.write, flush: out.flush, virtual });
  const stopCatching = session.guardHost();
  for await (const line of lines) {
    await session.exec(line);
    if (session.exited) break;
  }
  stopCatching();
  session.close();
  out.flush();
  return session.errors > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const args = parseArgs(Deno.args);
  if (typeof args === "string") {
    console.error(`${args}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.script !== null) {
    let text: string;
    try {
      text = await Deno.readTextFile(args.script);
    } catch (err) {
      console.error(`cannot read ${args.script}: ${err instanceof Error ? err.message : err}`);
      return 2;
    }
    return await runScript(text.split(/\r?\n/), args.virtual);
  }
  if (!Deno.stdin.isTerminal()) {
    return await runScript(linesOf(Deno.stdin.readable), args.virtual);
  }
  const noColor = (Deno.env.get("NO_COLOR") ?? "") !== "";
  return await runTerminal({
    virtual: args.virtual,
    color: Deno.stdout.isTerminal() && !noColor,
    historyPath: args.history === undefined ? defaultHistoryPath() : args.history,
    ctrlC,
  });
}

// The terminal's: one worker listens for Ctrl-C while the REPL lives (see ctrl_c.ts).
const ctrlC = new CtrlC();

// Not a top-level await: if something awaits what nothing can settle, Deno
// fires "beforeunload", which the session turns into an error for that line
// (Session.guardHost), instead of failing the whole module. Should the
// process still run out of work before main() is done, say so and fail.
let finished = false;
globalThis.addEventListener("unload", () => {
  if (finished) return;
  console.error(
    "error: the REPL stopped: it was waiting for something that nothing pending could bring",
  );
  Deno.exitCode = 1;
});
main().then((code) => {
  finished = true;
  ctrlC.close();
  Deno.exit(code);
});
