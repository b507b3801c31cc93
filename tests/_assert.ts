// Small assertions, so the tests need no package from a registry this
// machine cannot reach (Deno's std is on JSR only).
import { inspect, isDeepStrictEqual } from "node:util";

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new AssertionError(msg);
}

export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (isDeepStrictEqual(actual, expected)) return;
  const a = inspect(actual, { depth: 6 });
  const e = inspect(expected, { depth: 6 });
  throw new AssertionError(`${msg ? msg + "\n" : ""}actual:   ${a}\nexpected: ${e}`);
}

export function assertAlmostEquals(actual: number, expected: number, tolerance: number): void {
  if (Math.abs(actual - expected) > tolerance) {
    throw new AssertionError(`actual ${actual} not within ${tolerance} of ${expected}`);
  }
}

export function assertThrows<E extends Error>(
  fn: () => unknown,
  ErrorClass?: new (...args: never[]) => E,
  msgIncludes?: string,
): E {
  try {
    fn();
  } catch (err) {
    checkError(err, ErrorClass, msgIncludes);
    return err as E;
  }
  throw new AssertionError("expected the function to throw");
}

export async function assertRejects<E extends Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass?: new (...args: never[]) => E,
  msgIncludes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (err) {
    checkError(err, ErrorClass, msgIncludes);
    return err as E;
  }
  throw new AssertionError("expected the promise to reject");
}

function checkError(
  err: unknown,
  ErrorClass?: new (...args: never[]) => Error,
  msgIncludes?: string,
): void {
  if (ErrorClass && !(err instanceof ErrorClass)) {
    throw new AssertionError(`expected ${ErrorClass.name}, got ${inspect(err)}`);
  }
  if (msgIncludes !== undefined && !String((err as Error)?.message).includes(msgIncludes)) {
    throw new AssertionError(
      `expected message to include "${msgIncludes}", got "${(err as Error)?.message}"`,
    );
  }
}
