// gather, wait, waitFor, asCompleted, shield (lib/combinators.ts): asyncio's
// rules, pinned one by one. The same scenarios run against CPython in
// tests/transcripts/task_gather_*, task_wait_*, task_as_completed,
// task_shield.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { withLoop } from "./_util.ts";
import {
  ALL_COMPLETED,
  asCompleted,
  CancelledError,
  createTask,
  currentTask,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  gather,
  RuntimeError,
  shield,
  sleep,
  Task,
  TimeoutError,
  wait,
  waitFor,
} from "../mod.ts";

const fail = async (delay: number, msg = "boom"): Promise<never> => {
  await sleep(delay);
  throw new Error(msg);
};

// ---- gather ----------------------------------------------------------------

Deno.test("gather() keeps argument order and accepts futures, functions and promises", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const fut = loop.createFuture<string>();
      loop.callLater(0.2, () => fut.setResult("future"));
      const results = await gather(
        fut,
        () => sleep(0.3, 1),
        Promise.resolve(true),
        createTask(() => sleep(0.1, "task")),
      );
      const typed: [string, number, boolean, string] = results;
      assertEquals(typed, ["future", 1, true, "task"]);
      assertEquals(loop.time(), 0.3);
    })
  ));

Deno.test("gather() with no awaitables is an already-done future of []", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const g = gather();
      assert(g.done());
      assertEquals(await g, []);
    })
  ));

Deno.test("gather(): a trailing plain object is the options, a future is not", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const results = await gather(() => fail(0), () => sleep(0, "ok"), {
        returnExceptions: true,
      });
      assertEquals(results.length, 2);
      assert(results[0] instanceof Error);
      const withNullProto = Object.assign(Object.create(null), { returnExceptions: true });
      assertEquals((await gather(() => fail(0), withNullProto)).length, 1);
      const fut = loop.createFuture<number>();
      fut.setResult(7);
      assertEquals(await gather(fut), [7], "a future in last place is an awaitable");
      assertThrows(() => gather(() => sleep(0), 5 as never), TypeError);
    })
  ));

Deno.test("gather(): the first error fails it at once; the others run on, their errors seen", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const slow = createTask(() => sleep(0.3, "slow"));
      const later = createTask(() => fail(0.2, "second"));
      await assertRejects(() => gather(slow, () => fail(0.1, "first"), later), Error, "first");
      assertEquals(loop.time(), 0.1);
      assert(!slow.done() && !later.done(), "not cancelled");
      assertEquals(await slow, "slow");
      assert(later.done());
      // withLoop fails the test if `later`'s error were reported as never retrieved.
    })
  ));

Deno.test("gather(): a cancelled child fails it with CancelledError; returnExceptions lists it", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const a = createTask(() => sleep(1));
      const b = createTask(() => sleep(0.1, "b"));
      const g = gather(a, b);
      await sleep(0);
      a.cancel("why");
      await assertRejects(() => g, CancelledError, "why");
      assert(!g.cancelled(), "as asyncio: the gather is done with a CancelledError, not cancelled");
      assertEquals(currentTask()!.cancelling(), 0, "the awaiting task was not cancelled");
      assertEquals(await b, "b");

      const c = createTask(() => sleep(1));
      const g2 = gather(c, () => sleep(0.1, "d"), { returnExceptions: true });
      await sleep(0);
      c.cancel("listed");
      const [first, second] = await g2;
      assert(first instanceof CancelledError && first.message === "listed");
      assertEquals(second, "d");
    })
  ));

Deno.test("cancelling gather() cancels its children, even with returnExceptions", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const children = [createTask(() => sleep(1)), createTask(() => sleep(2))];
      const g = gather(...children, { returnExceptions: true });
      await sleep(0);
      assert(g.cancel("stop"));
      await assertRejects(() => g, CancelledError);
      assert(children.every((c) => c.cancelled()));
      assert(!g.cancel(), "a done gather cannot be cancelled");

      const done = createTask(() => sleep(0, 1));
      const g2 = gather(done);
      await done;
      assert(!g2.cancel(), "no child left to cancel: cancel() is false");
      assertEquals(await g2, [1]);
    })
  ));

Deno.test("cancelling the task that awaits gather() cancels the children", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const children = [createTask(() => sleep(1)), createTask(() => sleep(2))];
      const waiter = createTask(() => gather(...children));
      await sleep(0);
      waiter.cancel();
      await assertRejects(() => waiter, CancelledError);
      assert(children.every((c) => c.cancelled()));
    })
  ));

Deno.test("gather(): the same future twice fills both places; the same function runs twice", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      let runs = 0;
      const fn = async () => {
        const run = ++runs;
        await sleep(0);
        return run;
      };
      const task = createTask(fn);
      assertEquals(await gather(task, task), [1, 1]);
      assertEquals(await gather(fn, fn), [2, 3]);
    })
  ));

// ---- wait ------------------------------------------------------------------

Deno.test("wait(): ALL_COMPLETED by default; returns [done, pending] Sets", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const a = createTask(() => sleep(0.1));
      const b = createTask(() => fail(0.2));
      const [done, pending] = await wait([a, b]);
      assertEquals(done, new Set([a, b]));
      assertEquals(pending.size, 0);
      assertEquals(loop.time(), 0.2);
      assert(b.exception() instanceof Error, "wait() does not retrieve errors");
    })
  ));

Deno.test("wait(): FIRST_COMPLETED, FIRST_EXCEPTION and a timeout; nothing is cancelled", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const a = createTask(() => sleep(0.1));
      const f = createTask(() => fail(0.2));
      const c = createTask(() => sleep(0.4));
      let [done, pending] = await wait([a, f, c], { returnWhen: FIRST_COMPLETED });
      assertEquals([done, pending], [new Set([a]), new Set([f, c])]);
      [done, pending] = await wait([a, f, c], { returnWhen: FIRST_EXCEPTION });
      assertEquals([done, pending], [new Set([a, f]), new Set([c])]);
      f.exception();
      [done, pending] = await wait([c], { timeout: 0.1, returnWhen: ALL_COMPLETED });
      assertEquals([done.size, pending.size, loop.time()], [0, 1, 0.30000000000000004]);
      assert(!c.cancelled());
      await c;
    })
  ));

Deno.test("wait(): functions and promises become tasks; duplicates count once", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const fn = () => sleep(0.1, "fn");
      const [done] = await wait([fn, fn, Promise.resolve("p")]);
      assertEquals(done.size, 2);
      assert([...done].every((f) => f instanceof Task));
      assertEquals(new Set([...done].map((f) => f.result())), new Set(["fn", "p"]));
    })
  ));

Deno.test("wait() rejects bad arguments at the call (CPython's ValueError is RangeError)", () =>
  withLoop((loop) =>
    loop.runUntilComplete(() => {
      assertThrows(() => wait([]), RangeError, "Set of Tasks/Futures is empty.");
      const fut = loop.createFuture();
      assertThrows(() => wait(fut as never), TypeError, "expect a list of futures");
      assertThrows(() => wait([fut], { returnWhen: "SOMETIME" as never }), RangeError);
      assertThrows(() => wait([fut], { timeout: "1" as never }), TypeError);
      fut.cancel();
    })
  ));

Deno.test("wait() outside a running loop is a RuntimeError", () => {
  assertThrows(() => wait([Promise.resolve()]), RuntimeError, "no running event loop");
});

Deno.test("a cancelled wait() leaves its futures running and detached", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const a = createTask(() => sleep(1, "a"));
      const waiter = createTask(() => wait([a]));
      await sleep(0);
      waiter.cancel();
      await assertRejects(() => waiter, CancelledError);
      assert(!a.cancelled());
      assertEquals(a.removeDoneCallback(() => {}), 0);
      assertEquals(await a, "a");
    })
  ));

// ---- waitFor ---------------------------------------------------------------

Deno.test("waitFor(): the result in time; null waits without limit", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      assertEquals(await waitFor(() => sleep(0.1, "fn"), 1), "fn");
      assertEquals(await waitFor(createTask(() => sleep(5, "task")), null), "task");
      assertEquals(await waitFor(Promise.resolve("promise"), 1), "promise");
      assertEquals(loop.time(), 5.1);
    })
  ));

Deno.test("waitFor(): on timeout the inner is cancelled and waited for, then TimeoutError", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const log: string[] = [];
      const inner = createTask(async () => {
        try {
          await sleep(10);
        } finally {
          await sleep(0.5); // slow cleanup: waitFor waits for it
          log.push(`cleaned up at ${loop.time()}`);
        }
      });
      const err = await assertRejects(() => waitFor(inner, 1), TimeoutError);
      assert(err.cause instanceof CancelledError);
      assertEquals(log, ["cleaned up at 1.5"]);
      assert(inner.cancelled());
      assertEquals(currentTask()!.cancelling(), 0);
    })
  ));

Deno.test("waitFor(): an inner task that ignores one cancel returns its value", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const stubborn = createTask(async () => {
        try {
          await sleep(10);
        } catch {
          // ignored once
        }
        await sleep(0.1);
        return "stubborn";
      });
      assertEquals(await waitFor(stubborn, 0.2), "stubborn");
      assertEquals(loop.time(), 0.30000000000000004);
      assertEquals(currentTask()!.cancelling(), 0);
    })
  ));

Deno.test("waitFor() with timeout <= 0: done at once, else cancelled without waiting", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const fut = loop.createFuture<number>();
      fut.setResult(1);
      assertEquals(await waitFor(fut, 0), 1);
      let started = false;
      await assertRejects(
        () =>
          waitFor(() => {
            started = true;
            return sleep(1);
          }, -1),
        TimeoutError,
      );
      assert(!started, "the task was cancelled before its first step");
      assertEquals(loop.time(), 0);
    })
  ));

Deno.test("cancelling the task in waitFor() cancels the inner: CancelledError, not TimeoutError", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const inner = createTask(() => sleep(10));
      const waiter = createTask(() => waitFor(inner, 5));
      await sleep(1);
      waiter.cancel();
      await assertRejects(() => waiter, CancelledError);
      assert(inner.cancelled());
    })
  ));

Deno.test("waitFor() checks its arguments at the call and needs a task", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      assertThrows(() => waitFor(() => sleep(0), "1" as never), TypeError);
      assertThrows(() => waitFor(3 as never, 1), TypeError);
      const fut = loop.createFuture();
      let err: unknown;
      loop.callSoon(() => waitFor(fut, 1).catch((e) => (err = e)));
      await sleep(0);
      await sleep(0);
      assert(err instanceof RuntimeError && err.message === "Timeout should be used inside a task");
      fut.cancel();
    })
  ));

// ---- asCompleted -----------------------------------------------------------

Deno.test("asCompleted(): for await gives the futures themselves, in completion order", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const tasks = [3, 1, 2].map((d) => createTask(() => sleep(d / 10, d)));
      const order: unknown[] = [];
      for await (const fut of asCompleted(tasks)) {
        assert(tasks.includes(fut as Task<number>), "the task passed in");
        order.push(fut.result());
      }
      assertEquals(order, [1, 2, 3]);
      const none: unknown[] = [];
      for await (const fut of asCompleted([])) none.push(fut);
      assertEquals(none, []);
    })
  ));

Deno.test("asCompleted(): plain for gives awaitables of results; errors are thrown", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const got: unknown[] = [];
      for (const next of asCompleted([() => sleep(0.2, "b"), () => fail(0.1, "a failed")])) {
        try {
          got.push(await next);
        } catch (e) {
          got.push((e as Error).message);
        }
      }
      assertEquals(got, ["a failed", "b"]);
      assertEquals(loop.time(), 0.2);
    })
  ));

Deno.test("asCompleted(): after the timeout every remaining step throws TimeoutError", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const slow = createTask(() => sleep(1));
      const slower = createTask(() => sleep(2));
      const fast = createTask(() => sleep(0.1, "fast"));
      const it = asCompleted([slow, slower, fast], { timeout: 0.5 });
      assertEquals((await it.next()).value, fast);
      await assertRejects(() => it.next(), TimeoutError);
      assertEquals(loop.time(), 0.5);
      await assertRejects(() => it.next(), TimeoutError);
      assertEquals(await it.next(), { value: undefined, done: true });
      assert(!slow.cancelled() && !slower.cancelled(), "nothing is cancelled");
      slow.cancel();
      slower.cancel();
      assertThrows(() => asCompleted(slow as never), TypeError);
    })
  ));

// ---- shield ----------------------------------------------------------------

Deno.test("shield(): cancelling the outer future leaves the inner running", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const inner = createTask(() => sleep(0.2, "inner"));
      const outer = shield(inner);
      assert(outer !== inner && outer instanceof Future);
      assert(outer.cancel());
      await assertRejects(() => outer, CancelledError);
      assertEquals(await inner, "inner");
      assert(!inner.cancelled());
    })
  ));

Deno.test("shield(): the inner's result, error or cancellation reaches the outer", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      assertEquals(await shield(() => sleep(0.1, "fn")), "fn");
      await assertRejects(() => shield(() => fail(0.1, "inner failed")), Error, "inner failed");
      const inner = createTask(() => sleep(1));
      const outer = shield(inner);
      await sleep(0);
      inner.cancel();
      await assertRejects(() => outer, CancelledError);
      assert(outer.cancelled());
      const done = loop.createFuture<number>();
      done.setResult(1);
      assertEquals(shield(done), done, "a done future is returned as is");
    })
  ));

Deno.test("shield(): an inner error nobody awaits is reported, as asyncio does", () =>
  withLoop(async (loop, errors) => {
    await loop.runUntilComplete(async () => {
      const inner = createTask(() => fail(0.1));
      shield(inner).cancel();
      await sleep(0.2);
      assert(inner.done());
    });
    loop.close();
    assertEquals(errors.map((e) => e.message), ["Task exception was never retrieved"]);
  }, { expectErrors: 1 }));
