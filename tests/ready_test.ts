// The ready queue (lib/_ready.ts): while nobody traces the loop it holds a
// callSoon's callback and arguments, not its handle; the handle still cancels.
import { assert, assertEquals } from "./_assert.ts";
import { capture, once, withLoop } from "./_util.ts";
import { blockingSleep } from "../mod.ts";
import { ReadyQueue } from "../lib/_ready.ts";

Deno.test("ready queue: cancel() of an untraced callSoon handle stops it, before or during its iteration", () =>
  withLoop(async (loop) => {
    const ran: string[] = [];
    const b = loop.callSoon(ran.push.bind(ran), "never");
    loop.callSoon(() => later.cancel()); // same iteration, earlier in the batch
    const later = loop.callSoon(() => ran.push("later"));
    loop.callSoon(() => ran.push("kept"));
    const nan = loop.callSoon((x: number) => ran.push(`${x}`), NaN); // NaN !== NaN: still its slot
    nan.cancel();
    b.cancel();
    assert(b.cancelled());
    await once(loop);
    assertEquals(ran, ["kept"]);
    assertEquals(loop.readyHandles(), []);
  }));

Deno.test("ready queue: cancel() after the handle ran leaves the queue alone (same callback, same slot, later iteration)", () =>
  withLoop(async (loop) => {
    let count = 0;
    const tick = () => count++;
    const first = loop.callSoon(tick);
    await once(loop);
    await once(loop); // an empty iteration: two generations later
    const second = loop.callSoon(tick); // slot 0 again, next generation
    first.cancel();
    assert(first.cancelled(), "asyncio marks it cancelled all the same");
    assert(!second.cancelled());
    await once(loop);
    assertEquals(count, 2);
  }));

Deno.test("ready queue: readyHandles() lists equal handles whose cancel() cancels the queued callback", () =>
  withLoop(async (loop) => {
    const ran: number[] = [];
    const push = (n: number) => ran.push(n);
    const handles = [1, 2, 3].map((n) => loop.callSoon(push, n));
    const listed = loop.readyHandles();
    assertEquals(listed.map(String), handles.map(String));
    assertEquals(listed[1].args, [2]);
    listed[1].cancel();
    await once(loop);
    assertEquals(ran, [1, 3]);
  }));

Deno.test("ready queue: traced loops queue the handle itself (identity kept for listeners)", () =>
  withLoop(async (loop) => {
    const started: unknown[] = [];
    const remove = loop.addTraceListener((e) => {
      if (e.kind === "start") started.push(e.handle);
    });
    const handle = loop.callSoon(() => {});
    assert(loop.readyHandles()[0] === handle);
    await once(loop);
    remove();
    assertEquals(started.length, 1);
    assert(started[0] === handle);
  }));

Deno.test("ready queue: generations wrap around 2^31 without confusing handles", () =>
  withLoop(async (loop) => {
    loop._gen = 2 ** 31 - 2;
    let count = 0;
    const tick = () => count++;
    const handles = [];
    for (let i = 0; i < 4; i++) {
      handles.push(loop.callSoon(tick));
      await once(loop);
    }
    assert(loop._gen < 0, "wrapped");
    const queued = loop.callSoon(tick);
    for (const h of handles) h.cancel(); // all ran: none of them may touch `queued`
    await once(loop);
    assertEquals(count, 5);
    assert(!queued.cancelled());
  }));

Deno.test("ReadyQueue: keeps its arrays between iterations, gives big ones back", () => {
  const queue = new ReadyQueue();
  const f = () => {};
  for (let i = 0; i < 10; i++) queue.push(f, i);
  assertEquals(queue.length, 10);
  queue.drop(3);
  assertEquals([queue.entries[3], queue.args[3]], [null, undefined]);
  const small = queue.entries;
  queue.reset();
  assertEquals(queue.length, 0);
  assert(queue.entries === small, "small arrays are kept (growing them again costs)");
  assertEquals(queue.push(f, "x"), 0);
  for (let i = 0; i < 10_000; i++) queue.push(f, i);
  const big = queue.entries;
  queue.reset();
  assert(queue.entries === big, "large batches in a row keep their arrays too");
  for (let i = 0; i < 100; i++) queue.push(f, i);
  queue.reset();
  assertEquals(queue.entries.length, 0, "once the burst is over, its arrays are given back");
  queue.push(f, 1);
  queue.reset(true);
  assertEquals(queue.entries.length, 0);
});

Deno.test("ready queue: callbacks queued before tracing starts are traced when they run or are cancelled", () =>
  withLoop(async (loop) => {
    function early(): void {}
    function dropped(): void {}
    loop.callSoon(early);
    const handle = loop.callSoon(dropped);
    const events: string[] = [];
    const remove = loop.addTraceListener((e) => {
      if (e.kind === "start" || e.kind === "finish" || e.kind === "cancel") {
        events.push(`${e.kind} ${e.handle.describe()}`);
      }
    });
    handle.cancel();
    await once(loop);
    remove();
    assertEquals(events, ["cancel dropped()", "start early()", "finish early()"]);
  }));

Deno.test("ready queue: a callback queued before debug mode is on is still reported as slow (as asyncio)", () =>
  withLoop(async (loop) => {
    loop.callSoon(function block() {
      blockingSleep(0.2);
    });
    loop.setDebug(true);
    const warned = await capture("warn", () => once(loop));
    loop.setDebug(false);
    assert(
      warned.some((line) => /^Executing <Handle block\(\)> took 0\.2\d\d seconds$/.test(line)),
      warned.join("\n"),
    );
  }));
