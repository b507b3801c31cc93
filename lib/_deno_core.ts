// The few functions of Deno's internal `core` that the loop uses where no
// public API does the job, each `undefined` where this Deno (or another
// runtime) does not have it; every user falls back to a public way then.
// Found as Deno's own `console` and `node:async_hooks` find them.

interface Core {
  getPromiseDetails?: unknown;
  getAsyncContext?: unknown;
  setAsyncContext?: unknown;
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
