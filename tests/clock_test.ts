// Clocks (lib/clock.ts): the real clock, the virtual clock, blockingSleep.
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { withLoop } from "./_util.ts";
import { blockingSleep, EventLoop, RealClock, VirtualClock } from "../mod.ts";

Deno.test("RealClock: now() is in seconds and never goes backwards", () => {
  const clock = new RealClock();
  assert(!clock.virtual);
  let last = clock.now();
  for (let i = 0; i < 1000; i++) {
    const now = clock.now();
    assert(now >= last);
    last = now;
  }
  assert(Math.abs(clock.now() - performance.now() / 1000) < 0.01);
});

Deno.test("RealClock: block() really blocks the thread for about that long", () => {
  const clock = new RealClock();
  const t0 = performance.now();
  clock.block(0.05);
  const ms = performance.now() - t0;
  assert(ms >= 50, `blocked only ${ms} ms`);
  assert(ms < 1000, `blocked ${ms} ms`);
  clock.block(0); // returns at once
});

Deno.test("VirtualClock: stands still until moved; advance() and advanceTo()", () => {
  const clock = new VirtualClock(5);
  assert(clock.virtual);
  assertEquals(clock.now(), 5);
  assertEquals(clock.now(), 5);
  clock.advance(1.5);
  assertEquals(clock.now(), 6.5);
  clock.advanceTo(10);
  assertEquals(clock.now(), 10);
  clock.advanceTo(3); // never backwards
  assertEquals(clock.now(), 10);
  clock.block(2);
  assertEquals(clock.now(), 12);
  assertEquals(new VirtualClock().now(), 0);
});

Deno.test("VirtualClock: bad durations are a TypeError or a RangeError", () => {
  const clock = new VirtualClock();
  for (const bad of [NaN, Infinity, "1", null]) {
    assertThrows(() => clock.advance(bad as number), TypeError);
    assertThrows(() => new VirtualClock(bad as number), TypeError);
    assertThrows(() => new RealClock().block(bad as number), TypeError);
  }
  assertThrows(() => clock.advance(-1), RangeError);
  assertThrows(() => clock.block(-1), RangeError);
  assertThrows(() => new VirtualClock(-1), RangeError);
  assertEquals(clock.now(), 0);
});

Deno.test("rule 4: blockingSleep() on a virtual-clock loop advances its time, instantly", () =>
  withLoop(async (loop) => {
    const times: number[] = [];
    loop.callSoon(() => {
      times.push(loop.time());
      blockingSleep(3600);
      times.push(loop.time());
    });
    const t0 = performance.now();
    loop.stop();
    await loop.runForever();
    assertEquals(times, [0, 3600]);
    assert(performance.now() - t0 < 1000);
  }));

Deno.test("blockingSleep() outside a loop, or on a real-clock loop, blocks for real", async () => {
  const t0 = performance.now();
  blockingSleep(0.02);
  assert(performance.now() - t0 >= 20);
  const loop = new EventLoop();
  let inside = 0;
  loop.callSoon(() => {
    const start = performance.now();
    blockingSleep(0.02);
    inside = performance.now() - start;
  });
  loop.stop();
  await loop.runForever();
  loop.close();
  assert(inside >= 20, `blocked ${inside} ms`);
  assertThrows(() => blockingSleep(-1), RangeError);
  assertThrows(() => blockingSleep(NaN), TypeError);
});

Deno.test("a loop reads time only through its clock", () =>
  withLoop((loop) => {
    const clock = loop.clock as VirtualClock;
    assertEquals(loop.time(), 0);
    clock.advance(2.5);
    assertEquals(loop.time(), 2.5);
    assertEquals(loop.callLater(1, () => {}).when(), 3.5);
  }));
