/**
 * Subprocesses, as CPython's `asyncio/subprocess.py`: run programs from the
 * loop on `Deno.Command`, talk to them through `StreamWriter` /
 * `StreamReader` pipes, wait for them, signal them.
 *
 * The rules this module keeps:
 * - Standard streams are inherited unless `PIPE` or `DEVNULL` is asked for;
 *   `stderr: STDOUT` merges stderr into stdout at the file-descriptor level
 *   (one pipe, the program's own write order). Deno cannot `dup2` a child's
 *   descriptors, so the merge runs the program through
 *   `/bin/sh -c 'exec "$0" "$@" 2>&1'`: it needs permission to run
 *   `/bin/sh` as well as the program.
 * - A program that cannot run makes the create call throw, as CPython's:
 *   `FileNotFoundError` (errno 2) or `PermissionError` (errno 13), its
 *   `filename` the program and Deno's error its `cause`; without Deno's
 *   permission to run it, `Deno.errors.NotCapable`. Nothing is left running.
 * - Cancelling a task that awaits `wait()` or `communicate()` leaves the
 *   process running, as asyncio does. To have it killed and reaped instead,
 *   hold it with `await using` (see `Process`): leaving the block, by
 *   normal end, error or cancellation, kills a process still running and
 *   waits for it. Closing the loop kills the processes of that loop still
 *   running (as asyncio's subprocess transport does when it is closed).
 *   Deno reaps every child, so no zombie is ever left.
 * - On a `VirtualClock` the loop does not wait for children: time jumps to
 *   the next timer even while a process runs (as for sockets). Use the real
 *   clock with subprocesses.
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { getRunningLoop } from "./events.ts";
import { BrokenPipeError, ConnectionResetError } from "./exceptions.ts";
import type { Future } from "./futures.ts";
import {
  DEFAULT_LIMIT,
  StreamReader,
  type StreamWriter,
  streamWriterFromWritable,
} from "./streams.ts";
import type { Task } from "./tasks.ts";
import {
  MERGE_SCRIPT,
  onLoop,
  PipeReader,
  returncodeOf,
  signalName,
  spawnError,
  spawnFailure,
} from "./_subprocess.ts";
import { toOSError } from "./_oserror.ts";

/** Connect the stream to a new pipe (`proc.stdin`/`stdout`/`stderr`). Mirrors `asyncio.subprocess.PIPE`. */
export const PIPE: -1 = -1;
/** For `stderr` only: send it into stdout's pipe or file. Mirrors `asyncio.subprocess.STDOUT`. */
export const STDOUT: -2 = -2;
/** Connect the stream to `/dev/null`. Mirrors `asyncio.subprocess.DEVNULL`. */
export const DEVNULL: -3 = -3;

/**
 * The constants as one object, so that code reads as asyncio's:
 * `subprocess.PIPE`. Mirrors the `asyncio.subprocess` module's constants.
 */
export const subprocess: { readonly PIPE: -1; readonly STDOUT: -2; readonly DEVNULL: -3 } = Object
  .freeze({ PIPE, STDOUT, DEVNULL });

/** Where a standard stream goes: a pipe, `/dev/null`, or (`null`/absent) the parent's own. */
export type StdioOption = typeof PIPE | typeof DEVNULL | null | undefined;

/** Options of `createSubprocessExec` and `createSubprocessShell`. */
export interface SubprocessOptions {
  /** `PIPE` for `proc.stdin`, `DEVNULL`, or inherit (default). */
  stdin?: StdioOption;
  /** `PIPE` for `proc.stdout`, `DEVNULL`, or inherit (default). */
  stdout?: StdioOption;
  /** `PIPE` for `proc.stderr`, `DEVNULL`, `STDOUT` (into stdout), or inherit (default). */
  stderr?: StdioOption | typeof STDOUT;
  /** The working directory of the child. */
  cwd?: string | URL;
  /**
   * The child's whole environment, as asyncio's `env` (it replaces the
   * parent's, it does not add to it); the parent's by default.
   */
  env?: Record<string, string>;
  /** The limit of the `stdout`/`stderr` readers (default 64 KiB, see `StreamReader`). */
  limit?: number;
}

// The processes of each loop still running, killed when it closes.
const running = new WeakMap<EventLoop, Set<Process>>();

/**
 * A child process started by `createSubprocessExec` or
 * `createSubprocessShell`.
 *
 * Invariant: `returncode` is `null` until the loop has seen the exit; then
 * every `wait()` returns it at once. The pipes live on after the exit until
 * read to EOF or closed.
 *
 * Mirrors `asyncio.subprocess.Process`. `await using` kills it (SIGKILL) if
 * it still runs at the end of the block, waits for it and closes its pipes;
 * plain `const` leaves it alone, as asyncio does.
 *
 * @example
 * ```ts
 * import { createSubprocessExec, PIPE, run } from "@asyncio/deno";
 * await run(async () => {
 *   await using proc = await createSubprocessExec("echo", "hello", { stdout: PIPE });
 *   const [out] = await proc.communicate();
 *   console.assert(new TextDecoder().decode(out!) === "hello\n");
 *   console.assert(proc.returncode === 0);
 * });
 * ```
 */
export class Process implements AsyncDisposable {
  /** The child's process id. */
  readonly pid: number;
  /** A writer to the child's stdin, if it was made with `stdin: PIPE`. */
  readonly stdin: StreamWriter | null;
  /** A reader of the child's stdout, if it was made with `stdout: PIPE`. */
  readonly stdout: StreamReader | null;
  /** A reader of the child's stderr, if it was made with `stderr: PIPE`. */
  readonly stderr: StreamReader | null;
  #loop: EventLoop;
  #child: Deno.ChildProcess;
  #returncode: number | null = null;
  #exited = false; // Deno saw the exit (the loop may not have yet)
  #exitWaiters: Future<number>[] = [];
  #pipes = new Map<StreamReader, PipeReader>();

  /** @ignore Made by `createSubprocessExec` and `createSubprocessShell`. */
  constructor(
    loop: EventLoop,
    child: Deno.ChildProcess,
    piped: { stdin: boolean; stdout: boolean; stderr: boolean },
    limit: number,
  ) {
    this.#loop = loop;
    this.#child = child;
    this.pid = child.pid;
    this.stdin = piped.stdin ? streamWriterFromWritable(child.stdin, { loop }) : null;
    this.stdout = piped.stdout ? this.#readPipe(child.stdout, limit) : null;
    this.stderr = piped.stderr ? this.#readPipe(child.stderr, limit) : null;
    let procs = running.get(loop);
    if (procs === undefined) {
      running.set(loop, procs = new Set());
      loop._closeHooks.push(() => {
        for (const proc of procs!) proc.#close();
      });
    }
    procs.add(this);
    child.status.then((status) => {
      this.#exited = true;
      const code = returncodeOf(status);
      if (loop.isClosed()) this.#returncode = code;
      else loop._callSoonIO((exitCode) => this.#onExit(exitCode), code);
    });
  }

  /**
   * The exit code; minus the signal number if a signal ended the process
   * (`-9` after `kill()`); `null` while it runs.
   * Mirrors `Process.returncode`.
   */
  get returncode(): number | null {
    return this.#returncode;
  }

  /**
   * Wait for the process to exit and return its `returncode`. Cancelling
   * the wait leaves the process running. With `stdout: PIPE`, read the
   * output too (or use `communicate()`), or a chatty child blocks on a full
   * pipe and never exits.
   * Mirrors `Process.wait`.
   */
  async wait(): Promise<number> {
    if (this.#returncode !== null) return this.#returncode;
    const waiter = this.#loop.createFuture<number>();
    this.#exitWaiters.push(waiter);
    this.#loop._waitingForIO("wait");
    return await waiter;
  }

  /**
   * Send `input` to stdin (if given) and close it; read stdout and stderr
   * to EOF, all at once (so no pipe fills up and blocks the child); wait
   * for the exit. A child that stops reading its stdin is not an error
   * here (as asyncio, broken pipes are ignored).
   *
   * Mirrors `Process.communicate` (stdin is closed even without `input`, as
   * Python 3.12+; without `stdin: PIPE`, `input` is ignored, as there).
   * @returns `[stdout, stderr]`: the bytes of each stream made with `PIPE`,
   *   else `null`.
   * @throws {CancelledError} if cancelled; the process keeps running.
   */
  async communicate(
    input?: Uint8Array | string | null,
  ): Promise<[Uint8Array | null, Uint8Array | null]> {
    const loop = this.#loop;
    const parts: Task<Uint8Array | null>[] = [
      loop.createTask(() => this.#feedStdin(input)),
      loop.createTask(() => this.#readAll(this.stdout)),
      loop.createTask(() => this.#readAll(this.stderr)),
    ];
    // As asyncio's gather: cancelling communicate() cancels the parts.
    try {
      for (const part of parts) await part;
    } catch (err) {
      for (const part of parts) part.cancel();
      throw err;
    }
    await this.wait();
    return [parts[1].result(), parts[2].result()];
  }

  /**
   * Send signal `sig` (a name such as `"SIGTERM"`, or its number; 0 sends
   * nothing). Does nothing once the process has exited (asyncio may raise
   * `ProcessLookupError` then).
   * Mirrors `Process.send_signal`.
   * @throws {TypeError} for an unknown signal.
   */
  sendSignal(sig: Deno.Signal | number): void {
    // Signal 0 only asks whether the process exists (it does: it is ours,
    // and not yet reaped or already known to have exited).
    if (sig === 0) return;
    const name = signalName(sig);
    if (this.#exited) return;
    try {
      this.#child.kill(name);
    } catch (err) {
      // It exited after all, before Deno told us.
      if (!(err instanceof TypeError)) throw toOSError(err);
    }
  }

  /** Send SIGTERM. Mirrors `Process.terminate`. */
  terminate(): void {
    this.sendSignal("SIGTERM");
  }

  /** Send SIGKILL. Mirrors `Process.kill`. */
  kill(): void {
    this.sendSignal("SIGKILL");
  }

  /**
   * `await using proc = await createSubprocessExec(…)`: at the end of the
   * block close the pipes, kill the process if it still runs, and wait for
   * it (it is reaped; nothing is left behind).
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#close();
    await this.wait();
  }

  /** For example `<Process 1234 returncode=0>`. */
  toString(): string {
    const state = this.#returncode === null ? "running" : `returncode=${this.#returncode}`;
    return `<Process ${this.pid} ${state}>`;
  }

  #readPipe(readable: ReadableStream<Uint8Array>, limit: number): StreamReader {
    const reader = new StreamReader({ limit, loop: this.#loop });
    this.#pipes.set(reader, new PipeReader(readable, reader, this.#loop));
    return reader;
  }

  #onExit(code: number): void {
    this.#returncode = code;
    running.get(this.#loop)?.delete(this);
    for (const waiter of this.#exitWaiters.splice(0)) {
      if (!waiter.done()) waiter.setResult(code);
    }
  }

  /** Close the pipes and kill the process if it runs (asyncio's transport `close()`). */
  #close(): void {
    this.stdin?.transport.abort();
    for (const pipe of this.#pipes.values()) pipe.close();
    this.kill();
  }

  async #feedStdin(input: Uint8Array | string | null | undefined): Promise<null> {
    const stdin = this.stdin;
    if (stdin === null) return null;
    try {
      if (input != null) {
        stdin.write(input);
        await stdin.drain();
      }
    } catch (err) {
      // As asyncio's _feed_stdin: the child may stop reading; not our error.
      if (!(err instanceof BrokenPipeError || err instanceof ConnectionResetError)) throw err;
    }
    stdin.close();
    return null;
  }

  async #readAll(stream: StreamReader | null): Promise<Uint8Array | null> {
    if (stream === null) return null;
    const data = await stream.read();
    this.#pipes.get(stream)!.close(); // as asyncio's _read_stream
    return data;
  }
}

/**
 * Start `program` with `args` (no shell): the arguments reach it as they
 * are. A trailing options object sets the pipes, `cwd`, `env` and `limit`.
 *
 * Mirrors `asyncio.create_subprocess_exec`.
 * @returns the running `Process`.
 * @throws {FileNotFoundError} if there is no such program
 *   (`[Errno 2] No such file or directory: 'name'`).
 * @throws {PermissionError} if it is not executable (errno 13).
 * @throws {Deno.errors.NotCapable} without Deno's permission to run it (and
 *   `/bin/sh`, for `stderr: STDOUT`).
 * @throws {TypeError} for an argument that is not a string, or a bad option.
 * @example
 * ```ts
 * import { createSubprocessExec, DEVNULL, run } from "@asyncio/deno";
 * const code = await run(async () => {
 *   const proc = await createSubprocessExec("sh", "-c", "exit 3", { stdout: DEVNULL });
 *   return await proc.wait();
 * });
 * console.assert(code === 3);
 * ```
 */
export function createSubprocessExec(
  program: string | URL,
  ...args: string[] | [...string[], SubprocessOptions]
): Promise<Process> {
  let options: SubprocessOptions = {};
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === "object") options = args.pop() as SubprocessOptions;
  for (const arg of args) {
    if (typeof arg !== "string") {
      throw new TypeError(`program arguments must be strings, not ${typeof arg}`);
    }
  }
  return spawn(program, args as string[], options);
}

/**
 * Run `cmd` through the shell (`/bin/sh -c cmd`), as a user types it:
 * quoting, pipes and redirections are the shell's business. A program that
 * does not exist is the shell's error (exit status 127), not a throw.
 *
 * Mirrors `asyncio.create_subprocess_shell`.
 * @example
 * ```ts
 * import { createSubprocessShell, PIPE, run } from "@asyncio/deno";
 * await run(async () => {
 *   const proc = await createSubprocessShell("echo $((6 * 7))", { stdout: PIPE });
 *   const line = await proc.stdout!.readline();
 *   console.assert(new TextDecoder().decode(line) === "42\n");
 *   await proc.wait();
 * });
 * ```
 */
export function createSubprocessShell(
  cmd: string,
  options: SubprocessOptions = {},
): Promise<Process> {
  if (typeof cmd !== "string") throw new TypeError("cmd must be a string");
  return spawn("/bin/sh", ["-c", cmd], options);
}

function stdio(value: unknown, name: string): "piped" | "null" | "inherit" {
  if (value === PIPE) return "piped";
  if (value === DEVNULL) return "null";
  if (value === null || value === undefined) return "inherit";
  throw new TypeError(
    `${name} must be PIPE, DEVNULL${name === "stderr" ? ", STDOUT" : ""} or null`,
  );
}

async function spawn(
  program: string | URL,
  args: string[],
  options: SubprocessOptions,
): Promise<Process> {
  const loop = getRunningLoop();
  // Check everything before the child exists, so that a bad option leaves
  // nothing running.
  const merge = options.stderr === STDOUT;
  const stdin = stdio(options.stdin, "stdin");
  const stdout = stdio(options.stdout, "stdout");
  const stderr = merge ? "piped" : stdio(options.stderr, "stderr");
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (typeof limit !== "number" || !(limit > 0)) throw new RangeError("Limit cannot be <= 0");
  const name = program instanceof URL ? program.pathname : String(program);
  if (merge) checkRunPermission(name);
  const command = new Deno.Command(merge ? "/bin/sh" : program, {
    args: merge ? ["-c", MERGE_SCRIPT, name, ...args] : args,
    stdin,
    stdout,
    stderr,
    cwd: options.cwd,
    env: options.env,
    clearEnv: options.env !== undefined,
  });
  let child: Deno.ChildProcess;
  try {
    child = command.spawn();
  } catch (err) {
    throw spawnFailure(err, merge ? "/bin/sh" : name, options.cwd);
  }
  if (merge) {
    const reading = new Response(child.stderr).text();
    let report: string;
    try {
      report = await onLoop(loop, reading);
    } catch (err) {
      // Cancelled while starting: leave nothing behind, child nor pipes.
      try {
        child.kill("SIGKILL");
      } catch { /* it has exited already */ }
      await closePipes(child, stdin, stdout);
      await reading.catch(() => "");
      await child.status;
      throw err;
    }
    if (report !== "") {
      // The wrapper could not exec the program and exited; tidy its pipes.
      await closePipes(child, stdin, stdout);
      await onLoop(loop, child.status);
      throw spawnError(name, report);
    }
  }
  const piped = {
    stdin: stdin === "piped",
    stdout: stdout === "piped",
    stderr: !merge && stderr === "piped",
  };
  return new Process(loop, child, piped, limit);
}

/** Close the pipes a child was given (when it will not be a `Process`). */
async function closePipes(
  child: Deno.ChildProcess,
  stdin: Deno.CommandOptions["stdin"],
  stdout: Deno.CommandOptions["stdout"],
): Promise<void> {
  if (stdin === "piped") await child.stdin.close().catch(() => {});
  if (stdout === "piped") await child.stdout.cancel();
}

/** The permission Deno's spawn would check, for the program the merge wrapper execs. */
function checkRunPermission(program: string): void {
  const { state } = Deno.permissions.requestSync({ name: "run", command: program });
  if (state !== "granted") {
    throw new Deno.errors.NotCapable(
      `Requires run access to "${program}", run again with the --allow-run flag`,
    );
  }
}
