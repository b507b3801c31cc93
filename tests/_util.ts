// Fixtures shared by the tests.
import { assertEquals } from "./_assert.ts";
import {
  CancelledError,
  EventLoop,
  type ExceptionContext,
  sleep,
  type Task,
  VirtualClock,
} from "../mod.ts";

/** A loop on a virtual clock (or the real one) that records what reaches its exception handler. */
export function makeLoop(options: { virtual?: boolean } = {}): {
  loop: EventLoop;
  errors: ExceptionContext[];
} {
  const loop = new EventLoop({
    clock: options.virtual === false ? undefined : new VirtualClock(),
  });
  const errors: ExceptionContext[] = [];
  loop.setExceptionHandler((_loop, context) => errors.push(context));
  return { loop, errors };
}

/**
 * Run `body` with a fresh loop (virtual clock unless told otherwise); the
 * test fails on any exception-handler call it did not expect, and the loop
 * is closed afterwards.
 */
export async function withLoop(
  body: (loop: EventLoop, errors: ExceptionContext[]) => Promise<void> | void,
  options: { virtual?: boolean; expectErrors?: number } = {},
): Promise<void> {
  const { loop, errors } = makeLoop(options);
  try {
    await body(loop, errors);
  } finally {
    if (!loop.isRunning()) loop.close();
  }
  assertEquals(
    errors.length,
    options.expectErrors ?? 0,
    `unexpected exception handler calls: ${errors.map((e) => e.message).join("; ")}`,
  );
}

/** Run `main` as a task on a fresh virtual-clock loop (see withLoop). */
export function inLoop(main: (loop: EventLoop) => Promise<void>): Promise<void> {
  return withLoop(async (loop) => {
    await loop.runUntilComplete(() => main(loop));
  });
}

/** Let the loop run `n` iterations. */
export async function spin(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await sleep(0);
}

/** Await `task`; true if it ended cancelled. */
export async function cancelled(task: Task<unknown>): Promise<boolean> {
  try {
    await task;
  } catch (err) {
    if (err instanceof CancelledError) return true;
    throw err;
  }
  return false;
}
