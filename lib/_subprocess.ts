// Private helpers of lib/subprocess.ts: signal numbers, the shell wrapper
// that merges stderr into stdout, and bringing Deno promises onto the loop.
import type { EventLoop } from "./base_events.ts";
import type { Future } from "./futures.ts";
import type { StreamReader } from "./streams.ts";
import { oserrorFromErrno, toOSError } from "./_oserror.ts";
import type { OSError } from "./exceptions.ts";
import { safeString } from "./_util.ts";

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
    throw new TypeError(`Unknown signal: ${safeString(sig)}`);
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

/**
 * A loop future settled with `promise`'s outcome (through `_callSoonIO`,
 * the library's `callSoonThreadsafe` for I/O, as CONTRIBUTING.md asks), so
 * that a task awaiting it can be cancelled and resumes in the loop's order.
 */
export function onLoop<T>(loop: EventLoop, promise: Promise<T>): Future<T> {
  const fut = loop.createFuture<T>();
  promise.then(
    (value) => {
      loop._callSoonIO(() => settle(fut, true, value), undefined);
    },
    (error) => {
      loop._callSoonIO(() => settle(fut, false, error), undefined);
    },
  );
  return fut;
}

function settle<T>(fut: Future<T>, ok: boolean, value: unknown): void {
  if (fut.done()) return; // cancelled meanwhile
  if (ok) fut.setResult(value as T);
  else fut.setException(value);
}

// The size of one read from a child's pipe: a Linux pipe holds 64 KiB, so
// one read takes all a writer could put in it.
const PIPE_READ_SIZE = 64 * 1024;
// Reads smaller than this are copied out of the read buffer (see PipeReader).
const PIPE_COPY_BELOW = PIPE_READ_SIZE / 4;

/**
 * Feeds a `StreamReader` from a child's stdout or stderr, and is its
 * transport: it pauses while the reader holds more than twice its limit.
 *
 * It reads with a BYOB reader. A big read is handed to the reader as it is
 * (no copy) and the next read gets a fresh buffer; a small one is copied
 * (`feedData`) and its buffer reused, so that a trickle of small writes
 * does not pin a 64 KiB buffer per piece. (A BYOB read transfers its
 * buffer, so reads cannot share one slab as socket reads do.) Invariant:
 * `#resume` is set only while the read loop is paused and not closed.
 */
export class PipeReader {
  #reader: StreamReader;
  #loop: EventLoop;
  #source: ReadableStreamBYOBReader;
  #paused = false;
  #closed = false;
  #resume: (() => void) | null = null;

  constructor(readable: ReadableStream<Uint8Array>, reader: StreamReader, loop: EventLoop) {
    this.#reader = reader;
    this.#loop = loop;
    this.#source = readable.getReader({ mode: "byob" });
    reader._setTransport(this);
    void this.#run();
  }

  pauseReading(): void {
    this.#paused = true;
  }

  resumeReading(): void {
    this.#paused = false;
    this.#wake();
  }

  /** Stop reading and release the pipe; the reader sees EOF. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#source.cancel().catch(() => {});
    this.#wake();
  }

  #wake(): void {
    const resume = this.#resume;
    this.#resume = null;
    resume?.();
  }

  async #run(): Promise<void> {
    const reader = this.#reader;
    let buf = new Uint8Array(PIPE_READ_SIZE);
    let error: unknown = null;
    try {
      for (;;) {
        if (this.#paused && !this.#closed) {
          await new Promise<void>((resolve) => this.#resume = resolve);
        }
        if (this.#closed || this.#loop.isClosed()) break;
        const { value, done } = await this.#source.read(buf);
        if (done || this.#closed || this.#loop.isClosed()) break;
        if (value.length < PIPE_COPY_BELOW) {
          reader.feedData(value);
          buf = new Uint8Array(value.buffer as ArrayBuffer);
        } else {
          reader._feedOwned(value);
          buf = new Uint8Array(PIPE_READ_SIZE);
        }
      }
    } catch (err) {
      error = toOSError(err);
    }
    if (this.#loop.isClosed()) {
      this.close(); // nobody will read: let the pipe go
      return;
    }
    this.#closed = true;
    if (error === null) reader.feedEof();
    else reader.setException(error);
  }
}
