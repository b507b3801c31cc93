// timeout() / timeoutAt() / Timeout (lib/timeouts.ts): the CancelledError the
// deadline causes becomes TimeoutError, counted with cancelling()/uncancel()
// as CPython's timeouts.py. Compared with CPython in
// tests/transcripts/task_timeout_*.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { withLoop } from "./_util.ts";
import {
  CancelledError,
  createTask,
  currentTask,
  RuntimeError,
  sleep,
  Timeout,
  timeout,
  timeoutAt,
  TimeoutError,
} from "../mod.ts";

Deno.test("timeout(): the body's result in time; TimeoutError (cause CancelledError) after", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      assertEquals(await timeout(1, () => sleep(0.5, "in time")), "in time");
      const t = timeout(1);
      const err = await assertRejects(() => t.run(() => sleep(5)), TimeoutError);
      assert(err.cause instanceof CancelledError);
      assert(t.expired());
      assertEquals(loop.time(), 1.5);
      assertEquals(currentTask()!.cancelling(), 0, "the timeout took its cancel back");
    })
  ));

Deno.test("`await using` a Timeout (Python's `async with timeout()`) fails at the declaration, saying what to write", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      let entered = false;
      const err = await assertRejects(async () => {
        // The type checker refuses this line too: it is what a user without one meets.
        await using _t = timeout(1) as unknown as AsyncDisposable;
        entered = true;
      }, TypeError);
      assertEquals(
        err.message,
        "a Timeout does not work with `await using`: its exit must see the block's error, which " +
          "[Symbol.asyncDispose] is not given; write await timeout(delay, async (t) => { … })",
      );
      assert(!entered, "the block ran");
    })
  ));

Deno.test("timeout(null) never fires; when() is null; reschedule() sets a deadline", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const t = timeout(null);
      assertEquals(t.when(), null);
      await assertRejects(
        () =>
          t.run(async (t) => {
            await sleep(100);
            t.reschedule(loop.time() + 1);
            assertEquals(t.when(), 101);
            await sleep(100);
          }),
        TimeoutError,
      );
      assertEquals(loop.time(), 101);
    })
  ));

Deno.test("reschedule() moves the deadline later, earlier, or away", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      await timeout(1, async (t) => {
        t.reschedule(loop.time() + 3);
        await sleep(2); // past the first deadline
        t.reschedule(null);
        await sleep(5);
      });
      assertEquals(loop.time(), 7);
      await assertRejects(
        () =>
          timeout(10, async (t) => {
            t.reschedule(loop.time() - 1); // in the past: fires on the next iteration
            await sleep(0);
          }),
        TimeoutError,
      );
      assertEquals(loop.time(), 7);
    })
  ));

Deno.test("Timeout states: reschedule() outside the block, entering twice, repr", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const t = timeoutAt(loop.time() + 1);
      assertEquals(String(t), "<Timeout [created]>");
      assertThrows(() => t.reschedule(5), RuntimeError, "Timeout has not been entered");
      await t.run(() => {
        assertEquals(String(t), "<Timeout [active] when=1>");
      });
      assertEquals(String(t), "<Timeout [finished]>");
      assert(!t.expired());
      assertThrows(() => t.reschedule(5), RuntimeError, "Cannot change state of finished Timeout");
      await assertRejects(() => t.run(() => {}), RuntimeError, "Timeout has already been entered");
      const e = timeout(0);
      await assertRejects(() => e.run(() => sleep(1)), TimeoutError);
      assertEquals(String(e), "<Timeout [expired]>");
    })
  ));

Deno.test("timeout() outside a task, or with a bad delay, is an error", () =>
  withLoop(async (loop) => {
    assertThrows(() => timeout(1), RuntimeError, "no running event loop");
    assertThrows(() => new Timeout(NaN), TypeError);
    await loop.runUntilComplete(async () => {
      assertThrows(() => timeout(Infinity), TypeError);
      let err: unknown;
      loop.callSoon(() => timeout(1, () => {}).catch((e) => (err = e)));
      await sleep(0);
      await sleep(0);
      assert(err instanceof RuntimeError && err.message === "Timeout should be used inside a task");
    });
  }));

Deno.test("a body that swallows the cancel: no TimeoutError, but expired()", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const t = timeout(0.1);
      const value = await t.run(async () => {
        try {
          await sleep(1);
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
        }
        return "swallowed";
      });
      assertEquals(value, "swallowed");
      assert(t.expired());
      assertEquals(currentTask()!.cancelling(), 0);
    })
  ));

Deno.test("an error other than CancelledError passes through an expired timeout", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      await assertRejects(
        () =>
          timeout(0.1, async () => {
            try {
              await sleep(1);
            } catch {
              throw new RangeError("cleanup failed");
            }
          }),
        RangeError,
        "cleanup failed",
      );
      assertEquals(currentTask()!.cancelling(), 0);
    })
  ));

Deno.test("nested timeouts: only the one that expired throws TimeoutError", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const log: string[] = [];
      const outer = timeout(1);
      const inner = timeout(2);
      await assertRejects(
        () =>
          outer.run(async () => {
            try {
              await inner.run(() => sleep(5));
            } catch (e) {
              log.push(`inner got ${(e as Error).name}`);
              throw e;
            }
          }),
        TimeoutError,
      );
      assertEquals(log, ["inner got CancelledError"]);
      assert(outer.expired() && !inner.expired());

      const value = await timeout(5, async () => {
        await assertRejects(() => timeout(1, () => sleep(3)), TimeoutError);
        return "outer goes on";
      });
      assertEquals(value, "outer goes on");
    })
  ));

Deno.test("a cancel from outside is a CancelledError, even if the timeout expired too", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const plain = createTask(() => timeout(5, () => sleep(10)));
      await sleep(1);
      plain.cancel();
      await assertRejects(() => plain, CancelledError);

      const both = createTask(() =>
        timeout(1, async () => {
          try {
            await sleep(10);
          } catch {
            // the timeout's cancel, swallowed
          }
          await sleep(10); // now cancelled from outside
        })
      );
      await sleep(2);
      both.cancel();
      await assertRejects(() => both, CancelledError);
      assert(both.cancelled());
    })
  ));

Deno.test("waitFor-style use: a cancel that arrives before the deadline is not a timeout", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const t = timeout(5);
      const task = createTask(() => t.run(() => sleep(10)));
      await sleep(1);
      task.cancel();
      await assertRejects(() => task, CancelledError);
      assert(!t.expired());
    })
  ));
