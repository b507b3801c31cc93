/**
 * Subprocesses, as CPython's `asyncio/subprocess.py`: run programs from the
 * loop on `Deno.Command`, talk to them through `StreamWriter` /
 * `StreamReader` pipes, wait for them, signal them. Built, as there, on
 * `loop.subprocessExec` and a `SubprocessProtocol`.
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
 * - `proc.stdin` is lost when the child exits (then `isClosing()` is true
 *   and `drain()` throws `ConnectionResetError("Connection lost")`; data
 *   still buffered is dropped, `waitClosed()` throws `BrokenPipeError`), as
 *   CPython's write pipe notices its reader is gone. Deno gives no event
 *   for that, so the child's exit stands for it. Two differences follow:
 *   a child that closes its stdin and runs on is noticed only when a write
 *   fails (`BrokenPipeError`) or it exits; and a grandchild that inherited
 *   the pipe loses it at the child's exit, where CPython's low-level pipe
 *   stays open until the grandchild closes it (its `Process` closes stdin
 *   at the exit too, once stdout and stderr are done).
 * - On a `VirtualClock` the loop does not wait for children: time jumps to
 *   the next timer even while a process runs (as for sockets). Use the real
 *   clock with subprocesses.
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { getRunningLoop } from "./events.ts";
import { BrokenPipeError, ConnectionResetError } from "./exceptions.ts";
import { SubprocessProtocol } from "./protocols.ts";
import { DEFAULT_LIMIT, StreamReader, StreamReaderProtocol, StreamWriter } from "./streams.ts";
import type { Task } from "./tasks.ts";
import type { SubprocessTransport, Transport } from "./transports.ts";
import type { ChildTransport } from "./_subprocess.ts";
import { typeName } from "./_util.ts";

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

/** Options of `loop.subprocessExec` and `loop.subprocessShell`: the pipes, `cwd`, `env`. */
export interface SubprocessPipeOptions {
  /** `PIPE` for a pipe to the child's stdin, `DEVNULL`, or inherit (`null`). */
  stdin?: StdioOption;
  /** `PIPE` for a pipe from the child's stdout, `DEVNULL`, or inherit (`null`). */
  stdout?: StdioOption;
  /** `PIPE`, `DEVNULL`, `STDOUT` (into stdout's pipe or file), or inherit (`null`). */
  stderr?: StdioOption | typeof STDOUT;
  /** The working directory of the child. */
  cwd?: string | URL;
  /**
   * The child's whole environment, as asyncio's `env` (it replaces the
   * parent's, it does not add to it); the parent's by default.
   */
  env?: Record<string, string>;
}

/**
 * Options of `createSubprocessExec` and `createSubprocessShell`: each
 * standard stream is inherited unless `PIPE` or `DEVNULL` is asked for.
 */
export interface SubprocessOptions extends SubprocessPipeOptions {
  /** The limit of the `stdout`/`stderr` readers (default 64 KiB, see `StreamReader`). */
  limit?: number;
}

// Like StreamReaderProtocol, for a child (CPython subprocess.py's
// SubprocessStreamProtocol): stdout and stderr feed StreamReaders, stdin's
// writer gets its flow control from a StreamReaderProtocol without a reader.
// Once the child exited and its output pipes are done, the transport is
// closed (so stdin is too, as CPython's _maybe_close_transport).
class SubprocessStreamProtocol extends SubprocessProtocol {
  stdin: StreamWriter | null = null;
  stdout: StreamReader | null = null;
  stderr: StreamReader | null = null;
  #limit: number;
  #loop: EventLoop;
  #transport: SubprocessTransport | null = null;
  #stdinProtocol: StreamReaderProtocol | null = null;
  #readFds: number[] = [];
  #exited = false;

  constructor(limit: number, loop: EventLoop) {
    super();
    this.#limit = limit;
    this.#loop = loop;
  }

  override connectionMade(transport: SubprocessTransport): void {
    this.#transport = transport;
    this.stdout = this.#reader(1);
    this.stderr = this.#reader(2);
    const stdin = transport.getPipeTransport(0) as Transport | null;
    if (stdin !== null) {
      this.#stdinProtocol = new StreamReaderProtocol(null, null, { loop: this.#loop });
      this.stdin = new StreamWriter(stdin, this.#stdinProtocol, null, this.#loop);
    }
  }

  #reader(fd: number): StreamReader | null {
    const pipe = this.#transport!.getPipeTransport(fd) as Transport | null;
    if (pipe === null) return null;
    const reader = new StreamReader({ limit: this.#limit, loop: this.#loop });
    reader._setTransport(pipe);
    this.#readFds.push(fd);
    return reader;
  }

  override pipeDataReceived(fd: number, data: Uint8Array): void {
    // The pipe transport hands its chunks over: no copy.
    (fd === 1 ? this.stdout : fd === 2 ? this.stderr : null)?._feedOwned(data);
  }

  override pipeConnectionLost(fd: number, exc: unknown): void {
    if (fd === 0) {
      this.stdin?.close();
      this.#stdinProtocol?.connectionLost(exc);
      return;
    }
    const reader = fd === 1 ? this.stdout : fd === 2 ? this.stderr : null;
    if (exc === null) reader?.feedEof();
    else reader?.setException(exc);
    this.#readFds = this.#readFds.filter((f) => f !== fd);
    this.#maybeCloseTransport();
  }

  override processExited(): void {
    this.#exited = true;
    this.#maybeCloseTransport();
  }

  override pauseWriting(): void {
    this.#stdinProtocol?.pauseWriting();
  }

  override resumeWriting(): void {
    this.#stdinProtocol?.resumeWriting();
  }

  #maybeCloseTransport(): void {
    if (this.#readFds.length === 0 && this.#exited) this.#transport?.close();
  }
}

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
  #transport: ChildTransport;

  /** @ignore Made by `createSubprocessExec` and `createSubprocessShell`. */
  constructor(
    transport: SubprocessTransport,
    protocol: {
      stdin: StreamWriter | null;
      stdout: StreamReader | null;
      stderr: StreamReader | null;
    },
    loop: EventLoop,
  ) {
    this.#loop = loop;
    this.#transport = transport as ChildTransport;
    this.pid = transport.getPid();
    this.stdin = protocol.stdin;
    this.stdout = protocol.stdout;
    this.stderr = protocol.stderr;
  }

  /**
   * The exit code; minus the signal number if a signal ended the process
   * (`-9` after `kill()`); `null` while it runs.
   * Mirrors `Process.returncode`.
   */
  get returncode(): number | null {
    return this.#transport.getReturncode();
  }

  /**
   * Wait for the process to exit and return its `returncode`. Cancelling
   * the wait leaves the process running. With `stdout: PIPE`, read the
   * output too (or use `communicate()`), or a chatty child blocks on a full
   * pipe and never exits.
   * Mirrors `Process.wait`.
   */
  wait(): Promise<number> {
    return this.#transport._wait();
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
      loop.createTask(() => this.#readAll(1, this.stdout)),
      loop.createTask(() => this.#readAll(2, this.stderr)),
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
    this.#transport.sendSignal(sig);
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
    this.#transport.close();
    await this.wait();
  }

  /** For example `<Process 1234 returncode=0>`. */
  toString(): string {
    const code = this.returncode;
    const state = code === null ? "running" : `returncode=${code}`;
    return `<Process ${this.pid} ${state}>`;
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

  async #readAll(fd: number, stream: StreamReader | null): Promise<Uint8Array | null> {
    if (stream === null) return null;
    const data = await stream.read();
    this.#transport.getPipeTransport(fd)!.close(); // as asyncio's _read_stream
    return data;
  }
}

/** @ignore A program and its arguments as Deno can run them, checked before anything starts. */
export function _checkExecArgs(program: unknown, args: readonly unknown[]): void {
  if (typeof program !== "string" && !(program instanceof URL)) {
    // Deno's own message for this is about its serializer.
    throw new TypeError(`program must be a string or a URL, not ${typeName(program)}`);
  }
  for (const arg of args) {
    if (typeof arg !== "string") {
      throw new TypeError(`program arguments must be strings, not ${typeof arg}`);
    }
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
  _checkExecArgs(program, args);
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

async function spawn(
  program: string | URL,
  args: string[],
  options: SubprocessOptions,
): Promise<Process> {
  const loop = getRunningLoop();
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (typeof limit !== "number" || !(limit > 0)) throw new RangeError("Limit cannot be <= 0");
  // As CPython's create_subprocess_exec: the loop's method, with a protocol
  // that makes the streams.
  const [transport, protocol] = await loop.subprocessExec(
    () => new SubprocessStreamProtocol(limit, loop),
    program,
    ...args,
    {
      stdin: options.stdin ?? null,
      stdout: options.stdout ?? null,
      stderr: options.stderr ?? null,
      cwd: options.cwd,
      env: options.env,
    },
  );
  return new Process(transport, protocol, loop);
}
