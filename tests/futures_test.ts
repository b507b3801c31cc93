// Future (lib/futures.ts): its API, its errors, and SPEC rules 5 and 7
// (done callbacks go through callSoon; awaits resume on the loop; failures
// nobody looked at are reported). Compared with CPython in
// tests/transcripts/loop_future_*.
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { once, withLoop } from "./_util.ts";
import {
  CancelledError,
  Future,
  InvalidStateError,
  isFuture,
  newEventLoop,
  RuntimeError,
  setEventLoop,
} from "../mod.ts";

Deno.test("Future: result(), exception(), done(), cancelled() through its states", () =>
  withLoop((loop) => {
    const fut = loop.createFuture<number>();
    assertEquals(fut.getLoop(), loop);
    assert(!fut.done() && !fut.cancelled());
    assertThrows(() => fut.result(), InvalidStateError, "Result is not ready.");
    assertThrows(() => fut.exception(), InvalidStateError, "Exception is not set.");
    fut.setResult(42);
    assert(fut.done() && !fut.cancelled());
    assertEquals(fut.result(), 42);
    assertEquals(fut.exception(), null);
    assertEquals(String(fut), "<Future finished result=42>");

    const failed = loop.createFuture();
    const err = new RangeError("bad");
    failed.setException(err);
    assert(failed.done() && !failed.cancelled());
    assertEquals(failed.exception(), err);
    assertEquals(assertThrows(() => failed.result()), err);
  }));

Deno.test("setException(ErrorClass) stores an instance of it, as CPython's set_exception", () =>
  withLoop((loop) => {
    class ValueError extends Error {
      override name = "ValueError";
    }
    const failed = loop.createFuture();
    failed.setException(ValueError);
    const error = failed.exception();
    assert(error instanceof ValueError && error.message === "", String(error));
    const builtin = loop.createFuture();
    builtin.setException(Error);
    assert(builtin.exception() instanceof Error);
    assert(assertThrows(() => builtin.result()) === builtin.exception());
    // Anything else JavaScript can throw is kept as it is, a plain function included.
    const values = [42, "text", null, () => 1];
    for (const value of values) {
      const fut = loop.createFuture();
      fut.setException(value);
      assertEquals(fut.exception(), value);
    }
  }));

Deno.test("Future: setting a done future throws InvalidStateError naming its state", () =>
  withLoop((loop) => {
    const fut = loop.createFuture<number>();
    fut.setResult(1);
    assertThrows(() => fut.setResult(2), InvalidStateError, "FINISHED: <Future finished result=1>");
    assertThrows(() => fut.setException(new Error()), InvalidStateError, "FINISHED: ");
    assertEquals(fut.cancel(), false);
    assertEquals(fut.result(), 1);

    const cancelled = loop.createFuture();
    cancelled.cancel();
    assertThrows(() => cancelled.setResult(1), InvalidStateError, "CANCELLED: <Future cancelled>");
  }));

Deno.test("Future: cancel(msg) gives CancelledError(msg) to result(), exception() and awaiters", () =>
  withLoop(async (loop) => {
    const fut = loop.createFuture();
    assertEquals(fut.cancel("why"), true);
    assertEquals(fut.cancel("again"), false);
    assert(fut.done() && fut.cancelled());
    assertEquals(assertThrows(() => fut.result(), CancelledError).message, "why");
    assertEquals(assertThrows(() => fut.exception(), CancelledError).message, "why");
    const caught = await loop.runUntilComplete(async () => {
      try {
        await fut;
      } catch (e) {
        return e;
      }
    });
    assert(caught instanceof CancelledError);
    assertEquals(caught.message, "why");
    const plain = loop.createFuture();
    plain.cancel();
    assertEquals(assertThrows(() => plain.result(), CancelledError).message, "");
  }));

Deno.test("rule 6: cancelling the future a task awaits throws CancelledError into the task", () =>
  withLoop(async (loop) => {
    const fut = loop.createFuture();
    const log: string[] = [];
    const task = loop.createTask(async () => {
      try {
        await fut;
      } catch (e) {
        log.push(`caught ${(e as Error).name}: ${(e as Error).message}`);
      }
      return "went on";
    });
    loop.callSoon(() => fut.cancel("stop it"));
    assertEquals(await loop.runUntilComplete(task), "went on");
    assertEquals(log, ["caught CancelledError: stop it"]);
  }));

Deno.test("rule 5: done callbacks are scheduled with callSoon, never called inside setResult", () =>
  withLoop(async (loop) => {
    const log: string[] = [];
    const fut = loop.createFuture<string>();
    fut.addDoneCallback((f) => log.push(`one ${f.result()}`));
    fut.addDoneCallback((f) => log.push(`two ${f.result()}`));
    loop.callSoon(() => {
      fut.setResult("r");
      log.push("setResult returned");
      loop.callSoon(() => log.push("scheduled after setResult"));
    });
    loop.callSoon(() => log.push("queued before"));
    await once(loop);
    assertEquals(log, ["setResult returned", "queued before"]);
    assertEquals(loop.readyHandles().length, 3);
    await once(loop);
    assertEquals(log, [
      "setResult returned",
      "queued before",
      "one r",
      "two r",
      "scheduled after setResult",
    ]);
  }));

Deno.test("rule 5: setException() and cancel() schedule the done callbacks too", () =>
  withLoop(async (loop) => {
    const seen: string[] = [];
    const failed = loop.createFuture();
    const cancelled = loop.createFuture();
    failed.addDoneCallback((f) => seen.push(`failed: ${(f.exception() as Error).message}`));
    cancelled.addDoneCallback((f) => seen.push(`cancelled: ${f.cancelled()}`));
    failed.setException(new Error("e"));
    cancelled.cancel();
    assertEquals(seen, []);
    await once(loop);
    assertEquals(seen, ["failed: e", "cancelled: true"]);
  }));

Deno.test("Future: addDoneCallback() on a done future schedules the callback at once", () =>
  withLoop(async (loop) => {
    const fut = loop.createFuture<number>();
    fut.setResult(3);
    const seen: number[] = [];
    fut.addDoneCallback((f) => seen.push(f.result()));
    assertEquals(seen, []);
    assertEquals(loop.readyHandles().length, 1);
    await once(loop);
    assertEquals(seen, [3]);
    assertThrows(() => fut.addDoneCallback(42 as never), TypeError);
  }));

Deno.test("Future: removeDoneCallback() removes every registration and counts them", () =>
  withLoop(async (loop) => {
    const fut = loop.createFuture();
    const seen: string[] = [];
    const a = () => seen.push("a");
    const b = () => seen.push("b");
    assertEquals(fut.removeDoneCallback(a), 0);
    fut.addDoneCallback(a);
    assertEquals(fut.removeDoneCallback(a), 1);
    fut.addDoneCallback(a);
    fut.addDoneCallback(b);
    fut.addDoneCallback(a);
    assertEquals(fut.removeDoneCallback(a), 2);
    assertEquals(fut.removeDoneCallback(a), 0);
    fut.setResult(null);
    await once(loop);
    assertEquals(seen, ["b"]);
  }));

Deno.test("rule 5: a task awaiting a future resumes on the loop; the code after await runs before the next handle", () =>
  withLoop(async (loop) => {
    const log: string[] = [];
    const fut = loop.createFuture<string>();
    const deeper = async () => {
      await Promise.resolve(); // microtasks of the same step
      await Promise.resolve();
      log.push("task: two promise turns later, same step");
    };
    loop.createTask(async () => {
      const v = await fut;
      log.push(`task resumed with ${v} @${loop.iteration}`);
      await deeper();
      log.push("task: end of step");
    });
    loop.callSoon(() => {
      fut.setResult("v");
      log.push(`set @${loop.iteration}`);
    });
    loop.callSoon(() =>
      loop.callSoon(() => log.push(`handle after the wake-up @${loop.iteration}`))
    );
    await loop.runUntilComplete(async () => {
      for (let i = 0; i < 3; i++) await fut; // done: returns at once
      const later = loop.createFuture();
      loop.callLater(0.1, () => later.setResult(null));
      await later;
    });
    assertEquals(log, [
      "set @1",
      "task resumed with v @2",
      "task: two promise turns later, same step",
      "task: end of step",
      "handle after the wake-up @2",
    ]);
  }));

Deno.test("Future: then() outside any task settles from a done callback on the loop", () =>
  withLoop(async (loop) => {
    const fut = loop.createFuture<number>();
    const failed = loop.createFuture<number>();
    // Outside a task, the reactions run from a done callback, so they must
    // be registered while the loop will still run (here: before it starts).
    const doubled = fut.then((v) => v * 2);
    const rejected = failed.then(() => null, (e) => e);
    loop.callLater(0.1, () => fut.setResult(7));
    loop.callLater(0.2, () => failed.setException(new SyntaxError("no")));
    loop.callLater(0.3, () => loop.stop());
    await loop.runForever();
    assertEquals(await doubled, 14);
    const error = await rejected;
    assert(error instanceof SyntaxError && error.message === "no");
  }));

Deno.test("isFuture() and a Future made without a loop (the current loop)", () => {
  const loop = newEventLoop();
  setEventLoop(loop);
  const fut = new Future();
  assert(isFuture(fut));
  assert(!isFuture(Promise.resolve()));
  assertEquals(fut.getLoop(), loop);
  setEventLoop(null);
  // As CPython 3.12+: with no current loop, a Future needs one given.
  assertThrows(() => new Future(), RuntimeError, "no current event loop");
  loop.close();
});

// ---- Rule 7: exceptions nobody retrieved --------------------------------------

Deno.test("rule 7: 'Future exception was never retrieved' is reported when the loop closes", () =>
  withLoop((loop, errors) => {
    const err = new Error("lost");
    const fut = loop.createFuture();
    fut.setException(err);
    loop.close();
    assertEquals(errors.length, 1);
    assertEquals(errors[0].message, "Future exception was never retrieved");
    assertEquals(errors[0].exception, err);
    assertEquals(errors[0].future, fut);
  }, { expectErrors: 1 }));

Deno.test("rule 7: a retrieved exception is not reported (exception(), result() or await)", () =>
  withLoop(async (loop) => {
    const viaException = loop.createFuture();
    const viaResult = loop.createFuture();
    const viaAwait = loop.createFuture();
    for (const f of [viaException, viaResult, viaAwait]) f.setException(new Error("seen"));
    viaException.exception();
    assertThrows(() => viaResult.result());
    await loop.runUntilComplete(async () => {
      try {
        await viaAwait;
      } catch { /* retrieved */ }
    });
    loop.close(); // withLoop fails the test on any report
  }));
