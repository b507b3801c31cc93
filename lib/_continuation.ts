// What one `then` call asked for: the two reactions and, lazily, the
// promise that `then` returns. A task keeps one of these while it is
// suspended; the loop settles it to resume the task.
//
// Why lazily: nearly every `then` call comes from V8 awaiting a future,
// which ignores the returned value. Making a real promise (and its two
// resolving functions) per await was the largest allocation per task step,
// so the promise is only made when someone chains on the returned object.

// The value a continuation was fulfilled with before anyone chained on it.
class Early {
  constructor(readonly value: unknown) {}
}

// The promise made for someone who chained on it, with its resolving functions.
class Chained<R> {
  readonly promise: Promise<R>;
  resolve!: (value: unknown) => void;
  reject!: (reason: unknown) => void;
  constructor() {
    this.promise = new Promise<R>((resolve, reject) => {
      this.resolve = resolve as (value: unknown) => void;
      this.reject = reject;
    });
  }
}

export class Continuation<R = unknown> implements PromiseLike<R> {
  onFulfilled: ((value: never) => unknown) | null | undefined;
  onRejected: ((reason: unknown) => unknown) | null | undefined;
  // null while pending and not chained on; one field, so that a suspended
  // task's continuation is three words. (Not `#chain`, and no private
  // methods: a class with those gives each instance a brand, one word more.)
  _chain: Early | Chained<R> | null = null;

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
    return materialize(this).then(onFulfilled, onRejected);
  }

  fulfill(value: unknown): void {
    const chain = this._chain;
    if (chain instanceof Chained) chain.resolve(value);
    else if (chain === null) this._chain = new Early(value);
  }

  reject(reason: unknown): void {
    const chain = this._chain;
    if (chain instanceof Chained) chain.reject(reason);
    else if (chain === null) {
      // A rejection nobody chained on yet: make the promise now, so that
      // Deno reports it as an unhandled rejection, as a native one would be.
      const made = new Chained<R>();
      made.reject(reason);
      this._chain = made;
    }
  }
}

function materialize<R>(next: Continuation<R>): Promise<R> {
  const chain = next._chain;
  if (chain instanceof Chained) return chain.promise;
  const made = new Chained<R>();
  if (chain !== null) made.resolve(chain.value);
  next._chain = made;
  return made.promise;
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
