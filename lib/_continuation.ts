// What one `then` call asked for: the two reactions and, lazily, the
// promise that `then` returns. A task keeps one of these while it is
// suspended; the loop settles it to resume the task.
//
// Why lazily: nearly every `then` call comes from V8 awaiting a future,
// which ignores the returned value. Making a real promise (and its two
// resolving functions) per await was the largest allocation per task step,
// so the promise is only made when someone chains on the returned object.

export class Continuation<R = unknown> implements PromiseLike<R> {
  onFulfilled: ((value: never) => unknown) | null | undefined;
  onRejected: ((reason: unknown) => unknown) | null | undefined;
  // 0 pending, 1 fulfilled, 2 rejected (before a promise was made).
  #state = 0;
  #value: unknown = undefined;
  #promise: Promise<R> | null = null;
  #resolve: ((value: unknown) => void) | null = null;
  #reject: ((reason: unknown) => void) | null = null;

  constructor(
    onFulfilled: ((value: never) => unknown) | null | undefined,
    onRejected: ((reason: unknown) => unknown) | null | undefined,
  ) {
    this.onFulfilled = onFulfilled;
    this.onRejected = onRejected;
  }

  then<R1 = R, R2 = never>(
    onFulfilled?: ((value: R) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#materialize().then(onFulfilled, onRejected);
  }

  fulfill(value: unknown): void {
    if (this.#resolve !== null) this.#resolve(value);
    else if (this.#state === 0) {
      this.#state = 1;
      this.#value = value;
    }
  }

  reject(reason: unknown): void {
    if (this.#reject !== null) this.#reject(reason);
    else if (this.#state === 0) {
      // A rejection nobody chained on yet: make the promise now, so that
      // Deno reports it as an unhandled rejection, as a native one would be.
      this.#state = 2;
      this.#promise = Promise.reject(reason);
    }
  }

  #materialize(): Promise<R> {
    if (this.#promise === null) {
      if (this.#state === 1) {
        this.#promise = Promise.resolve(this.#value as R);
      } else {
        this.#promise = new Promise<R>((resolve, reject) => {
          this.#resolve = resolve as (value: unknown) => void;
          this.#reject = reject;
        });
      }
    }
    return this.#promise;
  }
}

export function resolveContinuation(next: Continuation, value: unknown): void {
  const handler = next.onFulfilled;
  if (handler == null) return next.fulfill(value);
  try {
    next.fulfill(handler(value as never));
  } catch (err) {
    next.reject(err);
  }
}

export function rejectContinuation(next: Continuation, reason: unknown): void {
  const handler = next.onRejected;
  if (handler == null) return next.reject(reason);
  try {
    next.fulfill(handler(reason));
  } catch (err) {
    next.reject(err);
  }
}
