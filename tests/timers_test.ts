// The loop's timer table (lib/_timers.ts): the loop keeps a timer's
// callback and arguments in a slot, not its handle; a handle finds its
// timer by slot and seq, pending or due in the running batch.
import { assert, assertEquals } from "./_assert.ts";
import v8 from "node:v8";
import vm from "node:vm";
import { TimerHandle } from "../mod.ts";
import { withLoop } from "./_util.ts";

Deno.test("timers: cancel() of a timer due in the running batch keeps it from running", () =>
  withLoop(async (loop) => {
    const ran: string[] = [];
    const timers: TimerHandle[] = [];
    timers.push(loop.callLater(1, () => {
      ran.push("first");
      timers[1].cancel(); // due at the same time: already in this batch
    }));
    timers.push(loop.callLater(1, () => ran.push("second")));
    const second = timers[1];
    loop.callLater(2, () => loop.stop());
    await loop.runForever();
    assertEquals(ran, ["first"]);
    assert(second.cancelled());
    assertEquals(loop._timerCancelledCount, 0, "it had left the heap");
  }));

Deno.test("timers: a handle whose timer ran does not cancel the timer that took its slot", () =>
  withLoop(async (loop) => {
    const old = loop.callLater(1, () => {});
    loop.callLater(1, () => loop.stop());
    await loop.runForever();
    let ran = false;
    const fresh = loop.callLater(1, () => ran = true); // reuses a freed slot
    assert([0, 1].includes(fresh._slot));
    old.cancel();
    loop.callLater(2, () => loop.stop());
    await loop.runForever();
    assert(ran, "the new timer ran");
    assert(!fresh.cancelled());
  }));

Deno.test("timers: scheduledHandles() lists equal handles whose cancel() works", () =>
  withLoop(async (loop) => {
    const ran: number[] = [];
    const a = loop.callLater(2, (n: number) => ran.push(n), 2);
    loop.callLater(1, (n: number) => ran.push(n), 1);
    const listed = loop.scheduledHandles();
    assertEquals(listed.map((h) => h.when()), [1, 2]);
    assertEquals(listed[1].toString(), a.toString());
    assert(listed[1] instanceof TimerHandle);
    listed[1].cancel(); // the twin cancels the timer of `a`
    assertEquals(loop.scheduledHandles().length, 1);
    loop.callLater(3, () => loop.stop());
    await loop.runForever();
    assertEquals(ran, [1]);
  }));

Deno.test("timers: traced, the handles listed and traced are the ones callLater returned", () =>
  withLoop(async (loop) => {
    const due: unknown[] = [];
    const stop = loop.addTraceListener((e) => e.kind === "due" && due.push(e.handle));
    const timer = loop.callLater(1, () => {});
    assert(loop.scheduledHandles()[0] === timer);
    loop.callLater(1, () => loop.stop());
    await loop.runForever();
    stop();
    assert(due[0] === timer);
  }));

Deno.test("timers: a timer scheduled before tracing began is traced as an equal TimerHandle", () =>
  withLoop(async (loop) => {
    const timer = loop.callLater(1, function tick() {});
    const events: string[] = [];
    const stop = loop.addTraceListener((e) => {
      if ((e.kind === "due" || e.kind === "start") && e.handle.callback.name === "tick") {
        events.push(`${e.kind} ${e.handle}`);
      }
    });
    loop.callLater(1, () => loop.stop());
    await loop.runForever();
    stop();
    assertEquals(events, [`due ${timer}`, `start ${timer}`]);
  }));

Deno.test("timers: an untraced failing timer is reported with a TimerHandle, as asyncio does", () =>
  withLoop(async (loop, errors) => {
    const timer = loop.callLater(1, function boom() {
      throw new Error("boom");
    });
    loop.callLater(1, () => loop.stop());
    await loop.runForever();
    assertEquals(errors.length, 1);
    assertEquals(errors[0].message, "Exception in callback boom()");
    assert(errors[0].handle instanceof TimerHandle);
    assertEquals(String(errors[0].handle), String(timer));
  }, { expectErrors: 1 }));

Deno.test("timers: the loop keeps no fired or cancelled timer's arguments alive", () =>
  withLoop(async (loop) => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    // Scheduled in a function of its own: an async frame may keep its last locals.
    const schedule = () =>
      Array.from({ length: 100 }, (_, i) => {
        const arg = { i };
        const timer = loop.callLater(i < 50 ? 1 : 5, (_: object) => {}, arg);
        if (i >= 90) timer.cancel();
        return new WeakRef(arg);
      });
    const refs = schedule();
    loop.callLater(2, () => loop.stop());
    await loop.runForever();
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0)); // WeakRefs clear after the turn
    gc();
    const alive = refs.map((r) => r.deref() !== undefined);
    assertEquals(alive.slice(0, 50).filter(Boolean).length, 0, "fired");
    assertEquals(alive.slice(90).filter(Boolean).length, 0, "cancelled");
    assertEquals(alive.slice(50, 90).filter(Boolean).length, 40, "pending");
  }));

Deno.test("timers: after a burst the table gives its slots back, and old handles stay harmless", () =>
  withLoop(async (loop) => {
    const table = loop._scheduled;
    const early = loop.callLater(1, () => {});
    const burst = Array.from({ length: 20_000 }, (_, i) => loop.callLater(1 + i / 1e5, () => {}));
    const late = loop.callLater(3600, () => {}); // the top slot: holds the table up until it goes
    loop.callLater(1.5, () => loop.stop());
    await loop.runForever();
    assert(table.seqs.length > 20_000, "a live timer in the top slot keeps the slots below it");
    early.cancel(); // already ran: harmless
    loop.callLater(3601, () => loop.stop());
    await loop.runForever(); // `late` fires
    late.cancel(); // harmless too
    assert(table.seqs.length <= 4096, `cut down to ${table.seqs.length} slots`);
    let ran = false;
    const fresh = loop.callLater(1, () => ran = true);
    assertEquals(fresh._slot, 0, "slots are taken from the bottom again");
    for (const old of burst) old.cancel();
    loop.callLater(2, () => loop.stop());
    await loop.runForever();
    assert(ran);
  }));

Deno.test("timers: slots are reused and the table stays small while timers come and go", () =>
  withLoop(async (loop) => {
    let fired = 0;
    const tick = () => {
      fired++;
      if (fired < 50_000) loop.callLater(Math.random(), tick);
      else loop.stop();
    };
    for (let i = 0; i < 100; i++) loop.callLater(Math.random(), tick);
    await loop.runForever();
    assert(
      loop._scheduled.seqs.length <= 256,
      `${loop._scheduled.seqs.length} slots for ~100 timers`,
    );
  }));

Deno.test("timers: a listed timer is the same object each time and shows a cancel made through the original", () =>
  withLoop((loop) => {
    const timer = loop.callLater(5, () => {});
    const [listed] = loop.scheduledHandles();
    assert(listed !== timer, "untraced: an equal handle");
    assert(loop.scheduledHandles()[0] === listed);
    timer.cancel();
    assert(listed.cancelled());
    assertEquals(loop.scheduledHandles(), []);
  }));

Deno.test("timers: a timer cancelled through both its handles counts once", () =>
  withLoop(async (loop) => {
    const timer = loop.callLater(1, () => {});
    const [listed] = loop.scheduledHandles();
    listed.cancel();
    timer.cancel();
    assertEquals(loop._timerCancelledCount, 1);
    loop.callLater(2, () => loop.stop());
    await loop.runForever();
    assertEquals(loop._timerCancelledCount, 0, "purged");
  }));

Deno.test("timers: a trace listener that cancels a due timer stops it from running", () =>
  withLoop(async (loop) => {
    const ran: string[] = [];
    const a = loop.callLater(1, () => ran.push("a"));
    const b = loop.callLater(1, () => ran.push("b"));
    const c = loop.callLater(1, () => ran.push("c"));
    // Traced after scheduling: the loop kept callbacks, and traces equal handles.
    const stop = loop.addTraceListener((e) => {
      if (e.kind !== "due") return;
      if (String(e.handle) === String(b)) a.cancel(); // an earlier timer of the same batch
      if (String(e.handle) === String(c)) c.cancel(); // its own timer
    });
    loop.callLater(2, () => loop.stop());
    await loop.runForever();
    stop();
    assertEquals(ran, ["b"]);
    assertEquals(loop._timerCancelledCount, 0, "neither was in the heap any more");
  }));

Deno.test("timers: what a due-event listener schedules at once waits for the next iteration", () =>
  withLoop(async (loop) => {
    const seen: string[] = [];
    const stop = loop.addTraceListener((e) => {
      if (e.kind === "iteration") seen.push(`iteration ${e.iteration}`);
      // A zero-delay timer made while timers are being collected.
      if (e.kind === "due" && e.handle.callback.name === "tick") {
        loop.callLater(0, function follow() {
          seen.push("follow");
          loop.stop();
        });
      }
    });
    loop.callLater(1, function tick() {
      seen.push("tick");
    });
    await loop.runForever();
    stop();
    const tick = seen.indexOf("tick"), follow = seen.indexOf("follow");
    assert(seen.slice(tick, follow).some((s) => s.startsWith("iteration")), seen.join(", "));
  }));

Deno.test("timers: a mass cancellation gives the heap's memory back once purged", () =>
  withLoop(async (loop) => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const external = () => {
      gc();
      return Deno.memoryUsage().external;
    };
    const before = external();
    const timers = Array.from({ length: 200_000 }, (_, i) => loop.callLater(10 + i, () => {}));
    for (const timer of timers) timer.cancel();
    timers.length = 0;
    loop.callSoon(() => loop.stop());
    await loop.runForever(); // purges them
    assertEquals(loop._scheduled.size, 0);
    const kept = external() - before;
    assert(kept < 1_000_000, `${kept} bytes still held`);
  }));
