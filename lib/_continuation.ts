// What one `then` call asked for: the two reactions and the resolving
// functions of the promise that `then` returned. A task keeps one of these
// while it is suspended; the loop settles it to resume the task.

export interface Continuation {
  onFulfilled: ((value: never) => unknown) | null | undefined;
  onRejected: ((reason: unknown) => unknown) | null | undefined;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

// A shared executor, so that `then` allocates no closure to reach the
// resolving functions of the promise it returns.
let nextResolve: (value: unknown) => void = () => {};
let nextReject: (reason: unknown) => void = () => {};
function takeResolvers(
  resolve: (v: unknown) => void,
  reject: (r: unknown) => void,
): void {
  nextResolve = resolve;
  nextReject = reject;
}

/** Start a `then`: the promise it returns and the continuation to settle. */
export function makeContinuation<R>(
  onFulfilled: ((value: never) => unknown) | null | undefined,
  onRejected: ((reason: unknown) => unknown) | null | undefined,
): [Promise<R>, Continuation] {
  const promise = new Promise<R>(
    takeResolvers as (resolve: (v: R) => void, reject: (r: unknown) => void) => void,
  );
  return [promise, { onFulfilled, onRejected, resolve: nextResolve, reject: nextReject }];
}

export function resolveContinuation(next: Continuation, value: unknown): void {
  const handler = next.onFulfilled;
  if (handler == null) return next.resolve(value);
  try {
    next.resolve(handler(value as never));
  } catch (err) {
    next.reject(err);
  }
}

export function rejectContinuation(next: Continuation, reason: unknown): void {
  const handler = next.onRejected;
  if (handler == null) return next.reject(reason);
  try {
    next.resolve(handler(reason));
  } catch (err) {
    next.reject(err);
  }
}
