/**
 * The error classes of asyncio, one per Python exception.
 *
 * Each sets `name`, so `err.name` and `String(err)` read as in a traceback.
 * @module
 */
import { errnoCode, errnoText } from "./_errno.ts";

/**
 * The operation was cancelled. Thrown into a task at the `await` it was
 * suspended on when the task is cancelled.
 *
 * Mirrors `asyncio.CancelledError`. Unlike Python, where it derives from
 * `BaseException`, a bare `catch` catches it too: rethrow it unless you mean
 * to swallow the cancellation.
 *
 * @example
 * ```ts
 * import { CancelledError } from "@asyncio/deno";
 * const err = new CancelledError("bye");
 * console.assert(err.message === "bye");
 * ```
 */
export class CancelledError extends Error {
  /** Create the error; `message` is the `msg` passed to `cancel()`, if any. */
  constructor(message?: string | null) {
    super(message ?? "");
    this.name = "CancelledError";
  }
}

/**
 * A future was asked for something its state does not allow, e.g. its
 * result while pending. Mirrors `asyncio.InvalidStateError`.
 */
export class InvalidStateError extends Error {
  /** Create the error. */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "InvalidStateError";
  }
}

/**
 * The loop or another object is in a state that forbids the call: a closed
 * loop, a loop already running. Mirrors Python's `RuntimeError`.
 */
export class RuntimeError extends Error {
  /** Create the error. */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "RuntimeError";
  }
}

/**
 * EOF came before the expected number of bytes.
 * Mirrors `asyncio.IncompleteReadError`.
 */
export class IncompleteReadError extends Error {
  /** The bytes read before EOF. */
  readonly partial: Uint8Array;
  /** How many bytes were expected, or `null` when reading to a separator. */
  readonly expected: number | null;
  /** Create the error from what was read and what was expected. */
  constructor(partial: Uint8Array, expected: number | null) {
    const what = expected === null ? "undefined" : String(expected);
    super(`${partial.length} bytes read on a total of ${what} expected bytes`);
    this.name = "IncompleteReadError";
    this.partial = partial;
    this.expected = expected;
  }
}

/**
 * The buffer limit was reached while looking for a separator.
 * Mirrors `asyncio.LimitOverrunError`.
 */
export class LimitOverrunError extends Error {
  /** How many bytes to consume to get past the data already scanned. */
  readonly consumed: number;
  /** Create the error. */
  constructor(message: string, consumed: number) {
    super(message);
    this.name = "LimitOverrunError";
    this.consumed = consumed;
  }
}

/** `getNowait()` on an empty queue. Mirrors `asyncio.QueueEmpty`. */
export class QueueEmpty extends Error {
  /** Create the error. */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "QueueEmpty";
  }
}

/** `putNowait()` on a full queue. Mirrors `asyncio.QueueFull`. */
export class QueueFull extends Error {
  /** Create the error. */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "QueueFull";
  }
}

/** `put` or `get` on a queue that was shut down. Mirrors `asyncio.QueueShutDown`. */
export class QueueShutDown extends Error {
  /** Create the error. */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "QueueShutDown";
  }
}

/** A `Barrier` was reset or aborted. Mirrors `asyncio.BrokenBarrierError`. */
export class BrokenBarrierError extends Error {
  /** Create the error. */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "BrokenBarrierError";
  }
}

/**
 * Several errors at once, as Python's `ExceptionGroup` (raised by
 * `TaskGroup`). The list is `exceptions`; it extends `AggregateError`, so
 * `errors` holds the same list.
 *
 * @example
 * ```ts
 * import { ExceptionGroup } from "@asyncio/deno";
 * const eg = new ExceptionGroup("unhandled errors in a TaskGroup", [new Error("a")]);
 * console.assert(eg.exceptions.length === 1 && eg.errors.length === 1);
 * ```
 */
export class ExceptionGroup extends AggregateError {
  /** The errors, in the order they happened. */
  readonly exceptions: readonly unknown[];
  /** Create the group; the message gets asyncio's ` (N sub-exceptions)` suffix. */
  constructor(message: string, exceptions: readonly unknown[]) {
    const n = exceptions.length;
    super(
      exceptions,
      `${message} (${n} sub-exception${n === 1 ? "" : "s"})`,
    );
    this.name = "ExceptionGroup";
    this.exceptions = exceptions;
  }
}

/**
 * `readline()` met a line longer than the reader's `limit`. The line (up to
 * and including its newline, if one was found; else the whole buffer) has
 * been discarded, so the next `readline()` starts after it.
 *
 * Mirrors the `ValueError` that `asyncio.StreamReader.readline` raises;
 * the message is CPython's.
 */
export class LineTooLongError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "LineTooLongError";
  }
}

/**
 * An error the operating system reported (or one of its kind): a file that
 * is not there, a refused connection, a name that does not resolve. The
 * subclasses below say which; the Deno or Node error it came from, if any, is
 * `cause`.
 *
 * Made one of two ways, as Python's `OSError`:
 * - `new OSError(errno, strerror?, filename?, options?)`: `errno` is Linux's
 *   number for the error, on every platform (`2` is `ENOENT`); `code` is its
 *   name and `strerror` defaults to Linux's text for it; the message reads as
 *   Python's `str()`: `[Errno 2] No such file or directory: '/no/such'`.
 * - `new OSError(message?, options?)`: an error without a number (Python's
 *   `OSError("message")`): `errno`, `code`, `strerror` and `filename` are
 *   null and the message is `message`.
 *
 * Mirrors Python's `OSError`. Not promised: Python's constructor turns
 * `OSError(2, ...)` into a `FileNotFoundError`; here `new OSError(2)` stays
 * an `OSError`, so construct the subclass you mean. The errors this library
 * throws are already the right subclass. Python's `filename2` and
 * `BlockingIOError.characters_written` are not kept.
 *
 * @example
 * ```ts
 * import { FileNotFoundError, OSError } from "@asyncio/deno";
 * const err = new FileNotFoundError(2, "No such file or directory", "/no/such");
 * console.assert(err instanceof OSError && err.code === "ENOENT");
 * console.assert(err.message === "[Errno 2] No such file or directory: '/no/such'");
 * console.assert(new OSError("no number").errno === null);
 * ```
 */
export class OSError extends Error {
  /** Linux's number for the error (`111`), negative for `gaierror`; null if it has none. */
  readonly errno: number | null;
  /** The symbolic name of `errno` (`"ECONNREFUSED"`, `"EAI_NONAME"`), or null. */
  readonly code: string | null;
  /** The text for the error (`"Connection refused"`); null for an error without a number. */
  readonly strerror: string | null;
  /** The file (or program) the failed call named, or null. */
  readonly filename: string | null;

  /** An error without a number: `message` is all it says. */
  constructor(message?: string, options?: ErrorOptions);
  /** Error `errno` (Linux's number); `strerror` defaults to Linux's text for it. */
  constructor(
    errno: number,
    strerror?: string | null,
    filename?: string | null,
    options?: ErrorOptions,
  );
  constructor(
    errnoOrMessage?: number | string,
    strerrorOrOptions?: string | null | ErrorOptions,
    filename?: string | null,
    options?: ErrorOptions,
  ) {
    const errno = typeof errnoOrMessage === "number" ? errnoOrMessage : null;
    const strerror = errno === null
      ? null
      : typeof strerrorOrOptions === "string"
      ? strerrorOrOptions
      : errnoText(errno);
    const file = errno === null ? null : filename ?? null;
    // As Python's str(): the number and text, then the filename's repr.
    const message = errno === null
      ? (errnoOrMessage as string | undefined) ?? ""
      : `[Errno ${errno}] ${strerror}${file === null ? "" : `: ${pyRepr(file)}`}`;
    super(message, errno === null ? strerrorOrOptions as ErrorOptions | undefined : options);
    this.errno = errno;
    this.code = errno === null ? null : errnoCode(errno);
    this.strerror = strerror;
    this.filename = file;
    this.name = "OSError";
  }
}

/**
 * A time limit passed: the deadline of `waitFor` or `timeout` (then `errno`
 * is null and the message empty), or the OS timed out (`ETIMEDOUT`, 110).
 *
 * Mirrors `TimeoutError` (which `asyncio.TimeoutError` is, since 3.11), a
 * subclass of `OSError` as in Python.
 */
export class TimeoutError extends OSError {
  /** Always `"TimeoutError"`. */
  override name: string = "TimeoutError";
}

/**
 * A connection failed or was lost: the base of the four below. Mirrors
 * Python's `ConnectionError`. The Deno error it came from, if any, is `cause`.
 */
export class ConnectionError extends OSError {
  /** Always `"ConnectionError"`. */
  override name: string = "ConnectionError";
}

/**
 * The peer closed its end while we were writing (`EPIPE`, `ESHUTDOWN`).
 * Mirrors `BrokenPipeError`.
 */
export class BrokenPipeError extends ConnectionError {
  /** Always `"BrokenPipeError"`. */
  override name: string = "BrokenPipeError";
}

/** The connection was aborted on our side (`ECONNABORTED`). Mirrors `ConnectionAbortedError`. */
export class ConnectionAbortedError extends ConnectionError {
  /** Always `"ConnectionAbortedError"`. */
  override name: string = "ConnectionAbortedError";
}

/**
 * Nobody listens at the address connected to (`ECONNREFUSED`).
 * Mirrors `ConnectionRefusedError`.
 */
export class ConnectionRefusedError extends ConnectionError {
  /** Always `"ConnectionRefusedError"`. */
  override name: string = "ConnectionRefusedError";
}

/**
 * The peer reset the connection (`ECONNRESET`), or it was lost before
 * `drain()` could finish. Mirrors `ConnectionResetError`.
 */
export class ConnectionResetError extends ConnectionError {
  /** Always `"ConnectionResetError"`. */
  override name: string = "ConnectionResetError";
}

/** No such file or directory (`ENOENT`). Mirrors `FileNotFoundError`. */
export class FileNotFoundError extends OSError {
  /** Always `"FileNotFoundError"`. */
  override name: string = "FileNotFoundError";
}

/** The file or directory exists already (`EEXIST`). Mirrors `FileExistsError`. */
export class FileExistsError extends OSError {
  /** Always `"FileExistsError"`. */
  override name: string = "FileExistsError";
}

/**
 * The OS refused the access (`EACCES`, `EPERM`). Mirrors `PermissionError`.
 * Deno's own sandbox (a missing `--allow-*` flag, `Deno.errors.NotCapable`)
 * is not this: that error reaches you as it is.
 */
export class PermissionError extends OSError {
  /** Always `"PermissionError"`. */
  override name: string = "PermissionError";
}

/** A file operation met a directory (`EISDIR`). Mirrors `IsADirectoryError`. */
export class IsADirectoryError extends OSError {
  /** Always `"IsADirectoryError"`. */
  override name: string = "IsADirectoryError";
}

/** A directory operation met something else (`ENOTDIR`). Mirrors `NotADirectoryError`. */
export class NotADirectoryError extends OSError {
  /** Always `"NotADirectoryError"`. */
  override name: string = "NotADirectoryError";
}

/** A signal interrupted a system call (`EINTR`). Mirrors `InterruptedError`. */
export class InterruptedError extends OSError {
  /** Always `"InterruptedError"`. */
  override name: string = "InterruptedError";
}

/**
 * The operation would block (`EAGAIN`, `EALREADY`, `EINPROGRESS`).
 * Mirrors `BlockingIOError`.
 */
export class BlockingIOError extends OSError {
  /** Always `"BlockingIOError"`. */
  override name: string = "BlockingIOError";
}

/** A child-process call found no child (`ECHILD`). Mirrors `ChildProcessError`. */
export class ChildProcessError extends OSError {
  /** Always `"ChildProcessError"`. */
  override name: string = "ChildProcessError";
}

/** No such process (`ESRCH`). Mirrors `ProcessLookupError`. */
export class ProcessLookupError extends OSError {
  /** Always `"ProcessLookupError"`. */
  override name: string = "ProcessLookupError";
}

/**
 * A host name did not resolve: `errno` is getaddrinfo's (negative) code,
 * `-2` (`EAI_NONAME`, "Name or service not known") or `-3` (`EAI_AGAIN`,
 * "Temporary failure in name resolution"), ...
 *
 * Mirrors `socket.gaierror`; the message reads as Python's:
 * `[Errno -2] Name or service not known`.
 */
export class gaierror extends OSError {
  /** Always `"gaierror"`. */
  override name: string = "gaierror";
}

/**
 * Python's `repr()` of a string, as `str(OSError)` shows a filename: single
 * quotes unless the text holds one and no double quote; control characters
 * escaped.
 */
function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\" || ch === quote) out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}

/**
 * Ctrl-C (SIGINT) interrupted `run()`: the main task was cancelled by the
 * first one and ended cancelled, or a second one came. Added with the
 * signal handling of lib/unix_events.ts.
 *
 * Mirrors Python's `KeyboardInterrupt` as `asyncio.run` raises it (3.11+).
 */
export class KeyboardInterrupt extends Error {
  /** Create the error. */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "KeyboardInterrupt";
  }
}

/**
 * The call is part of asyncio's API but cannot be done here (what Deno does
 * not offer); the message says why. Mirrors Python's `NotImplementedError`.
 */
export class NotImplementedError extends Error {
  /** Create the error. */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "NotImplementedError";
  }
}

/**
 * The OS cannot send a file with sendfile() here (Deno has none), and the
 * call was told not to fall back to reading and sending it.
 *
 * Mirrors `asyncio.SendfileNotAvailableError` (a `RuntimeError`, as in Python).
 */
export class SendfileNotAvailableError extends RuntimeError {
  /** Create the error. */
  constructor(message?: string) {
    super(message);
    this.name = "SendfileNotAvailableError";
  }
}

/**
 * A key that is not there: `ContextVar.get()` of a variable that has no
 * value in the current context and no default.
 * Mirrors Python's `LookupError`.
 */
export class LookupError extends Error {
  /** Create the error. */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "LookupError";
  }
}
