/**
 * `deno task monitor ADDRESS [COMMAND [ARGS]]`: attach to a program's
 * monitor (the `asyncio monitor: HOST:PORT#TOKEN` line it printed on
 * stderr). With a command it prints that command's answer and exits (as
 * `python -m asyncio ps PID` does); without one it opens a prompt.
 * `deno task monitor view FILE [OUT.json]` shows a recording made by
 * `record` as the REPL's timeline (and writes it as a Perfetto trace).
 *
 * The task grants only `--allow-net=127.0.0.1`; `record … FILE` asks for
 * write access to FILE (or write to stdout with `-`).
 * @module
 */
import process from "node:process";
import { createInterface } from "node:readline";
import { MonitorClient, parseAddress } from "./client.ts";
import {
  HELP,
  type Output,
  parseCommand,
  type Parsed,
  runCommand,
  splitWords,
} from "./commands.ts";
import { runTop } from "./top.ts";
import type { SortKey } from "./render.ts";

const USAGE = [
  "usage: deno task monitor ADDRESS [COMMAND [ARGS]]",
  "       deno task monitor view FILE [OUT.json]",
  "ADDRESS is what the program printed: asyncio monitor: HOST:PORT#TOKEN",
  "(start a program with ASYNCIO_MONITOR=127.0.0.1:0 and --allow-env, or run(main, { monitor: true }))",
];

const stdoutOutput: Output = {
  line: (text) => console.log(text),
  save: async (file, text) => {
    if (file === "-") await Deno.stdout.write(new TextEncoder().encode(text));
    else await Deno.writeTextFile(file, text);
  },
  mayWrite: async (file) => {
    // Asked before recording, not after: the task grants no write access.
    const status = await Deno.permissions.request({ name: "write", path: file });
    if (status.state !== "granted") {
      throw new Error(
        `record: no write access to ${file}; allow it, or write to stdout: record SECONDS - > ${file}`,
      );
    }
  },
};

/** Run one command line (top included) against `client`; the exit status. */
function one(client: MonitorClient, parsed: Parsed): Promise<number> {
  if (parsed.cmd === "top") {
    const sort = parsed.flags.get("--sort");
    return runTop(client, { sort: typeof sort === "string" ? sort as SortKey : undefined });
  }
  return runCommand(client, parsed, stdoutOutput);
}

/** The prompt: one line at a time; each line gets its own readline, so `top` can own the terminal. */
async function interactive(client: MonitorClient): Promise<number> {
  console.log(`attached to pid ${client.welcome.pid}: ${client.welcome.program}`);
  console.log("commands: " + HELP.map(([usage]) => usage.split(" ")[0]).join(", ") + ", exit");
  const history: string[] = [];
  for (;;) {
    const line = await new Promise<string | null>((resolve) => {
      const rl = createInterface({
        input: process.stdin,
        output: process.stdout,
        history,
        terminal: Deno.stdin.isTerminal(),
      });
      let answered = false;
      rl.on("close", () => {
        if (!answered) resolve(null);
      });
      rl.on("SIGINT", () => rl.close());
      rl.question(`monitor ${client.welcome.pid}> `, (answer) => {
        answered = true;
        rl.close();
        resolve(answer);
      });
    });
    if (line === null) return 0;
    const words = splitWords(line);
    if (words.length === 0) continue;
    if (history[0] !== line) history.unshift(line);
    if (words[0] === "exit" || words[0] === "quit") return 0;
    try {
      await one(client, parseCommand(words));
    } catch (err) {
      console.log(`error: ${err instanceof Error ? err.message : err}`);
      if (String(err).includes("went away")) return 1;
    }
  }
}

/** The terminal's width, or null when stdout is not one. */
function columns(): number | null {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return null;
  }
}

async function main(args: string[]): Promise<number> {
  if (args[0] === "view") {
    if (args[1] === undefined) {
      console.error(USAGE.join("\n"));
      return 2;
    }
    try {
      // The task grants no file access: ask for exactly these files.
      await Deno.permissions.request({ name: "read", path: args[1] });
      if (args[2] !== undefined) await Deno.permissions.request({ name: "write", path: args[2] });
      const { viewRecording } = await import("../repl/attach.ts");
      const lines = await viewRecording(args[1], args[2] ?? null, columns());
      for (const line of lines) console.log(line);
      return 0;
    } catch (err) {
      console.error(`monitor: ${err instanceof Error ? err.message : err}`);
      return 1;
    }
  }
  const address = args[0] === undefined ? null : parseAddress(args[0]);
  if (address === null) {
    console.error(USAGE.join("\n"));
    return 2;
  }
  let client: MonitorClient;
  try {
    client = await MonitorClient.connect(address);
  } catch (err) {
    console.error(`monitor: ${err instanceof Error ? err.message : err}`);
    return 1;
  }
  try {
    if (args.length === 1) return await interactive(client);
    return await one(client, parseCommand(args.slice(1)));
  } catch (err) {
    console.error(`monitor: ${err instanceof Error ? err.message : err}`);
    return 1;
  } finally {
    client.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
