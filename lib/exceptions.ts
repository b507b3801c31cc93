/**
 * The error classes of asyncio, one per Python exception.
 *
 * Each sets `name`, so `err.name` and `String(err)` read as in a traceback.
 * @module
 */

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

/** The deadline of `waitFor` or `timeout` passed. Mirrors `TimeoutError`. */
export class TimeoutError extends Error {
  /** Create the error. */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "TimeoutError";
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
 * A connection failed or was lost: the base of the four below. Mirrors
 * Python's `ConnectionError`. The Deno error it came from, if any, is `cause`.
 */
export class ConnectionError extends Error {
  /** Create the error. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? "", options);
    this.name = "ConnectionError";
  }
}

/** The peer closed its end while we were writing. Mirrors `BrokenPipeError`. */
export class BrokenPipeError extends ConnectionError {
  /** Create the error. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokenPipeError";
  }
}

/** The connection was aborted on our side. Mirrors `ConnectionAbortedError`. */
export class ConnectionAbortedError extends ConnectionError {
  /** Create the error. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionAbortedError";
  }
}

/** Nobody listens at the address connected to. Mirrors `ConnectionRefusedError`. */
export class ConnectionRefusedError extends ConnectionError {
  /** Create the error. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionRefusedError";
  }
}

/**
 * The peer reset the connection, or it was lost before `drain()` could
 * finish. Mirrors `ConnectionResetError`.
 */
export class ConnectionResetError extends ConnectionError {
  /** Create the error. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionResetError";
  }
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
