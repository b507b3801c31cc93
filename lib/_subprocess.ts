// What `loop.subprocessExec` / `subprocessShell` do (lib/base_events.ts keeps
// their public face): spawn the child with Deno.Command and wire it to a
// `ChildTransport` whose pipes are pipe transports, as CPython's
// base_subprocess.py and unix_events.py; plus signal numbers and the shell
// wrapper that merges stderr into stdout.
import type { EventLoop } from "./base_events.ts";
import { BrokenPipeError, type OSError } from "./exceptions.ts";
import { oserrorFromErrno, toOSError } from "./_oserror.ts";
import type { Future } from "./futures.ts";
import { Protocol, type SubprocessProtocol } from "./protocols.ts";
import { DEVNULL, PIPE, STDOUT, type SubprocessPipeOptions } from "./subprocess.ts";
import type { ReadTransport, SubprocessTransport, WriteTransport } from "./transports.ts";
import { onLoop } from "./_network.ts";
import { PipeTransport } from "./_transports.ts";
import { shortRepr } from "./_util.ts";
import { awaitable } from "./_running.ts";

// Signal numbers as the kernel numbers them (asyncio's `send_signal` and
// `returncode` speak numbers; Deno's `kill` speaks names).
const LINUX_SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};
// macOS and the BSDs share 1–15 with Linux and differ above.
const BSD_SIGNALS: Record<string, number> = {
  ...Object.fromEntries(Object.entries(LINUX_SIGNALS).filter(([, n]) => n <= 15)),
  SIGURG: 16,
  SIGSTOP: 17,
  SIGTSTP: 18,
  SIGCONT: 19,
  SIGCHLD: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGIO: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGINFO: 29,
  SIGUSR1: 30,
  SIGUSR2: 31,
};
const SIGNALS = Deno.build.os === "linux" || Deno.build.os === "android"
  ? LINUX_SIGNALS
  : BSD_SIGNALS;
const SIGNAL_NAMES = new Map(Object.entries(SIGNALS).map(([name, n]) => [n, name]));

/** The Deno name of a signal given by name or number; a `TypeError` if there is none. */
export function signalName(sig: Deno.Signal | number): Deno.Signal {
  if (typeof sig === "number") {
    const name = SIGNAL_NAMES.get(sig);
    if (name === undefined) throw new TypeError(`Unknown signal number: ${sig}`);
    return name as Deno.Signal;
  }
  if (typeof sig !== "string" || !Object.hasOwn(SIGNALS, sig)) {
    throw new TypeError(`Unknown signal: ${shortRepr(sig)}`);
  }
  return sig;
}

/** asyncio's returncode: the exit code, or minus the signal that killed the process. */
export function returncodeOf(status: Deno.CommandStatus): number {
  if (status.signal === null) return status.code;
  // Deno reports a signal death as code 128 + signo; the table is a check.
  return -(SIGNALS[status.signal] ?? status.code - 128);
}

// Deno.Command cannot dup2 stderr onto stdout, so `stderr: STDOUT` runs the
// program through this script: `exec "$0" "$@" 2>&1` makes fd 2 a copy of
// fd 1, so both reach one pipe in the order the program writes them. The
// shell's own stderr is a private pipe to us: exec closes it on success
// (EOF, nothing written); a program that exec cannot run is reported there
// first (`127`: not found, `126`: not executable), so the create call can
// throw what a direct spawn throws.
export const MERGE_SCRIPT = `case $0 in
*/*) [ -e "$0" ] || { echo 127 >&2; exit 127; }
  [ -f "$0" ] && [ -x "$0" ] || { echo 126 >&2; exit 126; } ;;
*) command -v -- "$0" >/dev/null || { echo 127 >&2; exit 127; } ;;
esac
exec "$0" "$@" 2>&1`;

const ENOENT = 2;
const ENOTDIR = 20;
const EACCES = 13;

/**
 * What a direct spawn of `program` throws when it cannot run, from the
 * wrapper's report: `FileNotFoundError` (errno 2) or `PermissionError`
 * (errno 13), naming the program as CPython's exec error does.
 */
export function spawnError(program: string, report: string): OSError {
  return oserrorFromErrno(report.trim() === "127" ? ENOENT : EACCES, null, program);
}

/**
 * The OSError for Deno's spawn error `err`, naming what CPython's names: the
 * working directory when it was `cwd` that failed (Deno says so only in its
 * message, with ENOENT even for a cwd that is not a directory), else the
 * program.
 */
export function spawnFailure(
  err: unknown,
  program: string,
  cwd: string | URL | undefined,
): unknown {
  if (err instanceof Deno.errors.NotFound && cwd !== undefined) {
    const dir = cwd instanceof URL ? cwd.pathname : cwd;
    if (err.message.includes(": No such cwd '")) {
      return oserrorFromErrno(ENOENT, null, dir, { cause: err });
    }
    if (err.message.includes(": cwd is not a directory '")) {
      return oserrorFromErrno(ENOTDIR, null, dir, { cause: err });
    }
  }
  return toOSError(err, { filename: program });
}

// ---- Spawning ---------------------------------------------------------------

function stdio(value: unknown, name: string): "piped" | "null" | "inherit" {
  if (value === PIPE) return "piped";
  if (value === DEVNULL) return "null";
  if (value === null || value === undefined) return "inherit";
  throw new TypeError(
    `${name} must be PIPE, DEVNULL${name === "stderr" ? ", STDOUT" : ""} or null`,
  );
}

/**
 * Start `program` with `args` and wire it to a protocol from
 * `protocolFactory` (`loop.subprocessExec`); returns once the protocol's
 * `connectionMade` has run.
 */
export async function subprocessExec<P extends SubprocessProtocol>(
  loop: EventLoop,
  protocolFactory: () => P,
  program: string | URL,
  args: string[],
  options: SubprocessPipeOptions,
): Promise<[SubprocessTransport, P]> {
  if (typeof protocolFactory !== "function") {
    throw new TypeError("protocolFactory must be a function returning a protocol");
  }
  const [child, piped] = await spawn(loop, program, args, options);
  let protocol: P;
  try {
    protocol = protocolFactory();
  } catch (err) {
    new ChildTransport(loop, child, piped, null).close();
    throw err;
  }
  const transport = new ChildTransport(loop, child, piped, protocol);
  try {
    await transport._connected;
  } catch (err) {
    transport.close(); // cancelled while connecting: leave nothing running
    throw err;
  }
  return [transport, protocol];
}

/** Which of a child's standard streams are pipes to us. */
interface Piped {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

async function spawn(
  loop: EventLoop,
  program: string | URL,
  args: string[],
  options: SubprocessPipeOptions,
): Promise<[Deno.ChildProcess, Piped]> {
  // Check everything before the child exists, so that a bad option leaves
  // nothing running.
  const merge = options.stderr === STDOUT;
  const stdin = stdio(options.stdin, "stdin");
  const stdout = stdio(options.stdout, "stdout");
  const stderr = merge ? "piped" : stdio(options.stderr, "stderr");
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
      report = await onLoop(loop, reading, () => {});
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
      await onLoop(loop, child.status, () => {});
      throw spawnError(name, report);
    }
  }
  const piped = {
    stdin: stdin === "piped",
    stdout: stdout === "piped",
    stderr: !merge && stderr === "piped",
  };
  return [child, piped];
}

/** Close the pipes a child was given (when it will not get a transport). */
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

// ---- The transport ----------------------------------------------------------

/**
 * A child's stdin: a write-only pipe, whose `writeEof()` is `close()` and
 * which learns from `_peerClosed()` that the child is gone (as CPython's
 * unix_events `_UnixWritePipeTransport`).
 */
class WritePipeTransport extends PipeTransport {
  override writeEof(): void {
    this.close();
  }

  /**
   * @ignore The reader of the pipe is gone: lost cleanly if nothing was
   * waiting to be written, else to `BrokenPipeError` (as CPython's
   * `_read_ready` on a write pipe, "pipe closed by peer").
   */
  _peerClosed(): void {
    this._forceClose(this.getWriteBufferSize() > 0 ? new BrokenPipeError("Broken pipe") : null);
  }
}

/**
 * The protocol of one pipe: it forwards to the child's transport, which
 * tells the `SubprocessProtocol` (CPython's `WriteSubprocessPipeProto` /
 * `ReadSubprocessPipeProto`).
 */
class PipeProtocol extends Protocol {
  /**
   * @ignore The bytes handed on to the child's protocol and not yet given
   * to it (that is a loop callback later): what a stream reader gathering
   * in place must keep room for (`DenoTransport._growInto`).
   */
  _bytesHeld = 0;

  constructor(readonly owner: ChildTransport, readonly fd: number) {
    super();
  }

  override dataReceived(data: Uint8Array): void {
    this._bytesHeld += data.length;
    this.owner._pipeDataReceived(this, data);
  }

  override connectionLost(exc: unknown): void {
    this.owner._pipeConnectionLost(this.fd, exc);
  }

  override pauseWriting(): void {
    this.owner.getProtocol().pauseWriting();
  }

  override resumeWriting(): void {
    this.owner.getProtocol().resumeWriting();
  }
}

// The transports of each loop whose children may still run: closing the
// loop kills them (as closing asyncio's subprocess transport does).
const running = new WeakMap<EventLoop, Set<ChildTransport>>();

// Invariants: the protocol's calls go through `#call`, so they run in loop
// callbacks, in order, and wait in `#pending` until `connectionMade` has
// run; `connectionLost` is called once, after `processExited` and after
// every pipe is lost (`#tryFinish`, as CPython's `_try_finish`).
/**
 * The transport of a child process, over `Deno.ChildProcess`; its pipes
 * are pipe transports (fd 0 writes the child's stdin, fd 1 and 2 read its
 * stdout and stderr). As CPython's `BaseSubprocessTransport`.
 */
export class ChildTransport implements SubprocessTransport {
  /** @ignore Settled once `connectionMade` has run (or failed). */
  readonly _connected: Future<void>;
  #loop: EventLoop;
  #protocol: SubprocessProtocol;
  #child: Deno.ChildProcess;
  #pipes = new Map<number, PipeTransport>();
  #lostPipes = 0;
  #pending: Array<() => void> | null = [];
  #returncode: number | null = null;
  #exited = false; // Deno saw the exit (the loop may not have yet)
  #exitWaiters: Future<number>[] = [];
  #closed = false;
  #finished = false;

  /** `protocol` is `null` when the factory failed: the transport is only closed. */
  constructor(
    loop: EventLoop,
    child: Deno.ChildProcess,
    piped: Piped,
    protocol: SubprocessProtocol | null,
  ) {
    this.#loop = loop;
    this.#child = child;
    this.#protocol = protocol!;
    this._connected = loop.createFuture();
    if (piped.stdin) {
      this.#pipes.set(
        0,
        new WritePipeTransport(loop, { writable: child.stdin }, new PipeProtocol(this, 0)),
      );
    }
    if (piped.stdout) {
      this.#pipes.set(
        1,
        new PipeTransport(loop, { readable: child.stdout }, new PipeProtocol(this, 1)),
      );
    }
    if (piped.stderr) {
      this.#pipes.set(
        2,
        new PipeTransport(loop, { readable: child.stderr }, new PipeProtocol(this, 2)),
      );
    }
    let transports = running.get(loop);
    if (transports === undefined) {
      running.set(loop, transports = new Set());
      loop._closeHooks.push(() => {
        for (const transport of transports!) transport.close();
      });
    }
    transports.add(this);
    child.status.then((status) => {
      this.#exited = true;
      const code = returncodeOf(status);
      if (loop.isClosed()) this.#returncode = code;
      else loop._callSoonIO((exitCode) => this.#processExited(exitCode), code);
    });
    if (protocol === null) return;
    // As CPython's _connect_pipes: the pipes are connected first, then the
    // protocol is told, then what the pipes reported meanwhile.
    let toConnect = this.#pipes.size;
    const made = () => {
      if (--toConnect > 0) return;
      this.#loop._callSoonIO(this.#connectionMade, undefined);
    };
    if (toConnect === 0) {
      toConnect = 1;
      made();
    }
    for (const [fd, pipe] of this.#pipes) pipe._start(fd !== 0, made);
  }

  #connectionMade = (): void => {
    try {
      this.#protocol.connectionMade(this);
    } catch (err) {
      this.#loop.callExceptionHandler({
        message: "Exception in callback protocol.connectionMade()",
        exception: err,
        transport: this,
        protocol: this.#protocol,
      });
    }
    for (const call of this.#pending!) this.#loop._callSoonIO(call, undefined);
    this.#pending = null;
    if (!this._connected.done()) this._connected.setResult();
  };

  /** Call the protocol in a loop callback, once it is connected. */
  #call(call: () => void): void {
    if (this.#pending !== null) this.#pending.push(call);
    else this.#loop._callSoonIO(call, undefined);
  }

  /** @ignore From a read pipe's protocol. */
  _pipeDataReceived(from: PipeProtocol, data: Uint8Array): void {
    this.#call(() => {
      from._bytesHeld -= data.length;
      this.#protocol.pipeDataReceived(from.fd, data);
    });
  }

  /** @ignore From a pipe's protocol: the pipe is lost. */
  _pipeConnectionLost(fd: number, exc: unknown): void {
    this.#lostPipes++;
    this.#call(() => this.#protocol.pipeConnectionLost(fd, exc));
    this.#tryFinish();
  }

  #processExited(code: number): void {
    this.#returncode = code;
    running.get(this.#loop)?.delete(this);
    // Deno gives no readiness event for a write pipe whose reader closed;
    // the child's exit is when its end of stdin is surely gone (see
    // lib/subprocess.ts for what that misses).
    (this.#pipes.get(0) as WritePipeTransport | undefined)?._peerClosed();
    this.#call(() => this.#protocol.processExited());
    this.#tryFinish();
    for (const waiter of this.#exitWaiters.splice(0)) {
      if (!waiter.done()) waiter.setResult(code);
    }
  }

  #tryFinish(): void {
    if (this.#finished || this.#returncode === null) return;
    if (this.#lostPipes < this.#pipes.size) return;
    this.#finished = true;
    this.#call(() => this.#protocol.connectionLost(null));
  }

  /** @ignore Wait for the exit; the return code. */
  async _wait(): Promise<number> {
    if (this.#returncode !== null) return this.#returncode;
    const waiter = this.#loop.createFuture<number>();
    this.#exitWaiters.push(waiter);
    this.#loop._waitingForIO("wait");
    return await awaitable(waiter);
  }

  getPid(): number {
    return this.#child.pid;
  }

  getReturncode(): number | null {
    return this.#returncode;
  }

  getPipeTransport(fd: number): WriteTransport | ReadTransport | null {
    return this.#pipes.get(fd) ?? null;
  }

  /**
   * Send `sig` (a name or its number; 0 sends nothing). Does nothing once
   * the process has exited (asyncio may raise `ProcessLookupError` then).
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

  terminate(): void {
    this.sendSignal("SIGTERM");
  }

  kill(): void {
    this.sendSignal("SIGKILL");
  }

  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return name === "subprocess" ? this.#child : defaultValue;
  }

  setProtocol(protocol: SubprocessProtocol): void {
    this.#protocol = protocol;
  }

  getProtocol(): SubprocessProtocol {
    return this.#protocol;
  }

  isClosing(): boolean {
    return this.#closed;
  }

  /**
   * Close the pipes and kill the child if it still runs (as CPython's
   * `BaseSubprocessTransport.close`). Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const killing = !this.#exited;
    for (const pipe of this.#pipes.values()) {
      // A child about to be killed reads nothing more: drop what is queued.
      if (killing) pipe.abort();
      else pipe.close();
    }
    if (killing) this.kill();
  }

  /** For example `<ChildTransport pid=1234 running>`. */
  toString(): string {
    const state = this.#returncode === null ? "running" : `returncode=${this.#returncode}`;
    return `<ChildTransport${this.#closed ? " closed" : ""} pid=${this.#child.pid} ${state}>`;
  }
}
