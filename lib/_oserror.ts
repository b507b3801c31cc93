// Turning what Deno (or node:*) throws into Python's OSError tree, in one
// place: `toOSError` for a caught error, `oserrorFromErrno` for a number.
import {
  BlockingIOError,
  BrokenPipeError,
  ChildProcessError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileExistsError,
  FileNotFoundError,
  gaierror,
  InterruptedError,
  IsADirectoryError,
  NotADirectoryError,
  OSError,
  PermissionError,
  ProcessLookupError,
  TimeoutError,
} from "./exceptions.ts";
import { errnoCode, errnoOfCode, gaiErrnoOfText } from "./_errno.ts";

// The subclass Python's OSError constructor picks for an errno (the table
// in CPython's Objects/exceptions.c, PEP 3151); any other number stays a
// plain OSError. EWOULDBLOCK is EAGAIN's number, so EAGAIN covers both.
const SUBCLASS = new Map<string, typeof OSError>([
  ["EAGAIN", BlockingIOError],
  ["EALREADY", BlockingIOError],
  ["EINPROGRESS", BlockingIOError],
  ["ECHILD", ChildProcessError],
  ["EPIPE", BrokenPipeError],
  ["ESHUTDOWN", BrokenPipeError],
  ["ECONNABORTED", ConnectionAbortedError],
  ["ECONNREFUSED", ConnectionRefusedError],
  ["ECONNRESET", ConnectionResetError],
  ["EEXIST", FileExistsError],
  ["ENOENT", FileNotFoundError],
  ["EISDIR", IsADirectoryError],
  ["ENOTDIR", NotADirectoryError],
  ["EINTR", InterruptedError],
  ["EACCES", PermissionError],
  ["EPERM", PermissionError],
  ["ESRCH", ProcessLookupError],
  ["ETIMEDOUT", TimeoutError],
]);

/**
 * The OSError subclass Python's `OSError(errno, strerror, filename)` would
 * make: `FileNotFoundError` for 2, `ConnectionRefusedError` for 111, a plain
 * `OSError` for a number without a subclass (getaddrinfo's negative ones
 * included, as in Python: make a `gaierror` yourself).
 */
export function oserrorFromErrno(
  errno: number,
  strerror?: string | null,
  filename?: string | null,
  options?: ErrorOptions,
): OSError {
  const Class = SUBCLASS.get(errnoCode(errno) ?? "") ?? OSError;
  return new Class(errno, strerror, filename, options);
}

// The error each Deno error class stands for when it does not carry the
// OS's own number (Deno made it itself): the errno name, or null for a
// kind that has no errno (it becomes an OSError without a number).
// Left out on purpose: NotCapable (Deno's sandbox refused, no OS call was
// made: a missing --allow-* flag should not be caught as a PermissionError)
// and Http (not an OS error).
const DENO_DEFAULTS = new Map<unknown, string | null>([
  [Deno.errors.NotFound, "ENOENT"],
  [Deno.errors.PermissionDenied, "EACCES"],
  [Deno.errors.ConnectionRefused, "ECONNREFUSED"],
  [Deno.errors.ConnectionReset, "ECONNRESET"],
  [Deno.errors.ConnectionAborted, "ECONNABORTED"],
  [Deno.errors.NotConnected, "ENOTCONN"],
  [Deno.errors.AddrInUse, "EADDRINUSE"],
  [Deno.errors.AddrNotAvailable, "EADDRNOTAVAIL"],
  [Deno.errors.BrokenPipe, "EPIPE"],
  [Deno.errors.AlreadyExists, "EEXIST"],
  [Deno.errors.TimedOut, "ETIMEDOUT"],
  [Deno.errors.Interrupted, "EINTR"],
  [Deno.errors.WouldBlock, "EAGAIN"],
  [Deno.errors.BadResource, "EBADF"],
  [Deno.errors.Busy, "EBUSY"],
  [Deno.errors.IsADirectory, "EISDIR"],
  [Deno.errors.NotADirectory, "ENOTDIR"],
  [Deno.errors.NetworkUnreachable, "ENETUNREACH"],
  [Deno.errors.FilesystemLoop, "ELOOP"],
  [Deno.errors.InvalidData, null],
  [Deno.errors.WriteZero, null],
  [Deno.errors.UnexpectedEof, null],
  [Deno.errors.NotSupported, null],
]);

// Deno appends Rust's "(os error N)": N is the platform's number, Linux's
// only on Linux.
const OS_ERROR = /\(os error (\d+)\)/;
const LINUX_NUMBERS = Deno.build.os === "linux" || Deno.build.os === "android";
// Some Deno calls (Deno.kill) report the errno's name first: "ESRCH: No such process".
const CODE_PREFIX = /^(E[A-Z0-9]+): /;
// Deno.connect's failed name lookup: a plain Error with getaddrinfo's text.
const LOOKUP_FAILED = /^failed to lookup address information: (.*)$/;

/** What `toOSError` may be told about the call that failed. */
export interface ToOSErrorOptions {
  /** The text to give as `strerror` in place of the OS's (asyncio's "Connect call failed ..."). */
  message?: string;
  /** The file or program the call named (Python sets it for file and spawn errors). */
  filename?: string | null;
}

/**
 * The OSError for `err`, a Deno error class (`Deno.errors.NotFound`, ...) or
 * a plain `Error` from the OS or node:* (`code: "ECONNREFUSED"`, Deno's
 * "(os error 111)", a failed name lookup), with `err` as `cause`. The
 * number is found in `err.code`, then in "(os error N)" (on Linux), then
 * in a leading "ESRCH: ", else it is the Deno class's default (then Deno's
 * own message is the `strerror`). Anything else (not an Error, an OSError
 * already, a TypeError, `Deno.errors.NotCapable`, a plain Error with no
 * errno) comes back as it is, so calling it twice changes nothing.
 */
export function toOSError(err: unknown, options: ToOSErrorOptions = {}): unknown {
  if (!(err instanceof Error) || err instanceof OSError) return err;
  const denoDefault = DENO_DEFAULTS.get(err.constructor);
  const plain = Object.getPrototypeOf(err) === Error.prototype;
  if (denoDefault === undefined && !plain) return err;
  const cause = { cause: err };
  const filename = options.filename ?? null;
  const code = (err as { code?: unknown }).code;

  const lookup = plain ? LOOKUP_FAILED.exec(err.message) : null;
  if (lookup !== null) {
    const errno = gaiErrnoOfText(lookup[1]);
    return errno === undefined
      ? new gaierror(options.message ?? lookup[1], cause)
      : new gaierror(errno, options.message, filename, cause);
  }
  // node:dns says ENOTFOUND for EAI_NONAME (and EAI_NODATA).
  const fromCode = typeof code !== "string"
    ? undefined
    : code === "ENOTFOUND"
    ? -2
    : errnoOfCode(code);
  if (fromCode !== undefined && fromCode < 0) {
    return new gaierror(fromCode, options.message, filename, cause);
  }

  const errno = fromCode ?? errnoInMessage(err.message);
  if (errno !== undefined) return oserrorFromErrno(errno, options.message, filename, cause);
  if (denoDefault === undefined) return err; // a plain Error with no errno: not ours to rename
  if (denoDefault === null) return new OSError(options.message ?? err.message, cause);
  return oserrorFromErrno(
    errnoOfCode(denoDefault)!,
    options.message ?? err.message,
    filename,
    cause,
  );
}

/** The Linux errno a Deno message names, if it names one. */
function errnoInMessage(message: string): number | undefined {
  const os = LINUX_NUMBERS ? OS_ERROR.exec(message) : null;
  if (os !== null) return Number(os[1]);
  const prefix = CODE_PREFIX.exec(message);
  return prefix === null ? undefined : errnoOfCode(prefix[1]);
}
