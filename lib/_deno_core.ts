// The few functions of Deno's internal `core` that the loop uses where no
// public API does the job, each `undefined` where this Deno (or another
// runtime) does not have it; every user falls back to a public way then.
// Found as Deno's own `console` and `node:async_hooks` find them.

interface Core {
  getPromiseDetails?: unknown;
  getAsyncContext?: unknown;
  setAsyncContext?: unknown;
  read?: unknown;
  write?: unknown;
}

const core: Core | undefined = (() => {
  const deno = (globalThis as { Deno?: Record<symbol, unknown> & { internal?: symbol } }).Deno;
  const internal = deno?.internal === undefined ? undefined : deno[deno.internal];
  return (internal as { core?: Core } | undefined)?.core;
})();

function fn<F>(value: unknown): F | undefined {
  return typeof value === "function" ? value as F : undefined;
}

/**
 * A promise's state and value, now: `[0, undefined]` pending, `[1, value]`
 * fulfilled, `[2, reason]` rejected (what `Deno.inspect` shows).
 */
export const promiseDetails: ((promise: Promise<unknown>) => [number, unknown]) | undefined = fn(
  core?.getPromiseDetails,
);

/**
 * V8's continuation-preserved embedder data: the value every promise job,
 * timer and I/O callback restores from the moment it was queued, on which
 * Deno builds `AsyncLocalStorage` (a map from each storage's id to its
 * entry). `getAsyncContext` reads it, `setAsyncContext` replaces it.
 */
export const getAsyncContext: (() => unknown) | undefined = fn(core?.getAsyncContext);
/** See `getAsyncContext`. */
export const setAsyncContext: ((value: unknown) => void) | undefined = fn(
  core?.setAsyncContext,
);

/**
 * A read of resource `rid` into `buf`: the byte count, 0 at EOF. The op
 * under `Deno.Conn.read`, without that method's async frame, second promise
 * and bookkeeping for `unref()` (~0.2-0.5 µs a read here).
 */
export const opRead: ((rid: number, buf: Uint8Array) => Promise<number>) | undefined = fn(
  core?.read,
);
/** A write of `data` to resource `rid`: the bytes written (`Deno.Conn.write`'s op). */
export const opWrite: ((rid: number, data: Uint8Array) => Promise<number>) | undefined = fn(
  core?.write,
);

// Deno's internal symbols, found by their description on the first object
// that has them.
const symbols = new Map<string, symbol>();

function internal(object: object, description: string): unknown {
  let key = symbols.get(description);
  if (key === undefined) {
    key = Object.getOwnPropertySymbols(object).find((s) => s.description === description);
    if (key === undefined) return undefined;
    symbols.set(description, key);
  }
  return (object as Record<symbol, unknown>)[key];
}

/** The resource id a `Deno.Conn` keeps under Deno's internal symbol, if it has one. */
export function ridOf(conn: object): number | undefined {
  const rid = internal(conn, "Deno.internal.rid");
  return typeof rid === "number" ? rid : undefined;
}

/**
 * The resource id behind a Web Stream that Deno made over a resource (a
 * child's pipes, `Deno.stdin.readable`, a file's streams), if it has one.
 */
export function streamRid(stream: ReadableStream | WritableStream): number | undefined {
  const backing = internal(stream, "[[resourceBackingUnrefable]]") ??
    internal(stream, "[[resourceBacking]]");
  const rid = (backing as { rid?: unknown } | null | undefined)?.rid;
  return typeof rid === "number" ? rid : undefined;
}
