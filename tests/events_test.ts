// Handles and the current-loop functions (lib/events.ts).
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { withLoop } from "./_util.ts";
import {
  _getRunningLoop,
  _setRunningLoop,
  createTask,
  EventLoop,
  getEventLoop,
  getRunningLoop,
  Handle,
  newEventLoop,
  run,
  Runner,
  RuntimeError,
  setEventLoop,
  sleep,
  TimerHandle,
  VirtualClock,
} from "../mod.ts";
import { pyRepr, shortRepr } from "../lib/_util.ts";

// ---- Handles ---------------------------------------------------------------

Deno.test("Handle: callSoon() returns a Handle carrying its callback and arguments", () =>
  withLoop((loop) => {
    function printer(_name: string): void {}
    const handle = loop.callSoon(printer, "call_soon");
    assert(handle instanceof Handle && !(handle instanceof TimerHandle));
    assertEquals(handle.callback, printer);
    assertEquals(handle.args, ["call_soon"]);
    assertEquals(handle.task, null);
    assertEquals(handle.cancelled(), false);
    assertEquals(String(handle), "<Handle printer('call_soon')>");
    assertEquals(handle.describe(), "printer('call_soon')");
  }));

Deno.test("TimerHandle: callLater()/callAt() return a TimerHandle with its deadline", () =>
  withLoop((loop) => {
    (loop.clock as VirtualClock).advance(1);
    function tick(_n: number, _s: string): void {}
    const later = loop.callLater(0.5, tick, 1, "a");
    const at = loop.callAt(7, tick, 2, "b");
    assert(later instanceof TimerHandle && at instanceof TimerHandle);
    assertEquals(later.when(), 1.5);
    assertEquals(at.when(), 7);
    assertEquals(String(later), "<TimerHandle when=1.5 tick(1, 'a')>");
    at.cancel();
    // As asyncio: a cancelled handle's repr drops the callback, but in debug mode.
    assertEquals(String(at), "<TimerHandle cancelled when=7>");
    loop.setDebug(true);
    assert(String(at).startsWith("<TimerHandle cancelled when=7 tick(2, 'b')"), String(at));
  }));

Deno.test("Handle: one argument, several, none, or a single array reach the callback intact", () =>
  withLoop(async (loop) => {
    // One argument is stored unwrapped (Handle._args); an array argument
    // must still arrive as one array, not spread.
    const got: unknown[][] = [];
    const record = (...args: unknown[]) => got.push(args);
    const list = [1, 2];
    const handles = [
      loop.callSoon(record),
      loop.callSoon(record, "one"),
      loop.callSoon(record, list),
      loop.callSoon(record, list, 3),
      loop.callLater(0, record, [list]),
      loop.callAt(0, record, undefined),
    ];
    assertEquals(handles.map((h) => h.args), [[], ["one"], [list], [list, 3], [[list]], [
      undefined,
    ]]);
    loop.callLater(0, () => loop.stop());
    await loop.runForever();
    assertEquals(got, [[], ["one"], [list], [list, 3], [[list]], [undefined]]);
    assert(got[2][0] === list);
  }));

Deno.test("debug mode: callSoon/callLater/callAt refuse an async function (its promise would be lost)", () =>
  withLoop((loop) => {
    const work = async () => {};
    loop.setDebug(true);
    assertThrows(() => loop.callSoon(work), TypeError, "coroutines cannot be used with callSoon()");
    assertThrows(
      () => loop.callLater(1, work),
      TypeError,
      "coroutines cannot be used with callLater()",
    );
    assertThrows(() => loop.callAt(1, work), TypeError, "coroutines cannot be used with callAt()");
    loop.setDebug(false);
    loop.callSoon(work).cancel(); // as asyncio: allowed outside debug mode
  }));

Deno.test("Handle: cancel() is idempotent, also after the handle ran", () =>
  withLoop(async (loop) => {
    let runs = 0;
    const handle = loop.callSoon(() => runs++);
    loop.stop();
    await loop.runForever();
    assertEquals(runs, 1);
    // As CPython: cancelling a handle that already ran marks it cancelled.
    handle.cancel();
    handle.cancel();
    assert(handle.cancelled());
    assertEquals(loop._timerCancelledCount, 0);
  }));

Deno.test("TimerHandle: only a cancel while in the heap counts as a cancelled timer", () =>
  withLoop(async (loop) => {
    const fired = loop.callLater(0, () => {});
    const waiting = loop.callLater(10, () => {});
    loop.callLater(0, () => loop.stop());
    await loop.runForever();
    fired.cancel(); // already left the heap: nothing to purge
    assertEquals(loop._timerCancelledCount, 0);
    waiting.cancel();
    waiting.cancel();
    assertEquals(loop._timerCancelledCount, 1);
    assertEquals(loop.scheduledHandles(), []);
  }));

Deno.test("Handle: an anonymous callback is described as <anonymous>", () =>
  withLoop((loop) => {
    const handle = loop.callSoon([() => {}][0]);
    assertEquals(handle.describe(), "<anonymous>()");
  }));

Deno.test("shortRepr() renders values as Python's reprlib.repr: None, True, lists, dicts, bytes, cut", () => {
  assertEquals(
    [null, undefined, true, false, 42, 1.5, NaN, -Infinity, 2n ** 150n].map(shortRepr),
    [
      "None",
      "None",
      "True",
      "False",
      "42",
      "1.5",
      "nan",
      "-inf",
      "142724769270595988...9449495136382746624",
    ],
  );
  assertEquals(
    ["it's", 'say "hi"', "both ' and \"", "tab\t\n\x00", "x".repeat(50)].map(shortRepr),
    [
      `"it's"`,
      `'say "hi"'`,
      `'both \\' and "'`,
      "'tab\\t\\n\\x00'",
      `'${"x".repeat(12)}...${"x".repeat(13)}'`,
    ],
  );
  assertEquals(shortRepr([1, [2, ["a"]], []]), "[1, [2, ['a']], []]");
  assertEquals(shortRepr([[[[[[[1]]]]]]]), "[[[[[[[...]]]]]]]");
  assertEquals(shortRepr(Array.from({ length: 8 }, (_, i) => i)), "[0, 1, 2, 3, 4, 5, ...]");
  // Plain objects and Maps are dicts; reprlib sorts the keys and shows four.
  assertEquals(shortRepr({ b: 1, a: null }), "{'a': None, 'b': 1}");
  assertEquals(
    shortRepr({ e: 5, d: 4, c: 3, b: 2, a: 1 }),
    "{'a': 1, 'b': 2, 'c': 3, 'd': 4, ...}",
  );
  assertEquals(
    shortRepr(new Map<unknown, unknown>([[2, "x"], [1, [true]]])),
    "{1: [True], 2: 'x'}",
  );
  assertEquals([new Set([2, 1]), new Set()].map(shortRepr), ["{1, 2}", "set()"]);
  assertEquals(shortRepr(new Uint8Array([104, 105, 10, 255, 39])), `b"hi\\n\\xff'"`);
  assertEquals(shortRepr(new RangeError("bad")), "RangeError('bad')");
  assertEquals(shortRepr(function named() {}), "named");
  class Plain {}
  class Shown {
    toString() {
      return "Shown(1)";
    }
  }
  assertEquals([new Plain(), new Shown()].map(shortRepr), ["<Plain object>", "Shown(1)"]);
});

Deno.test("pyRepr() shows it all, in insertion order; neither throws on odd objects or cycles", () => {
  assertEquals(pyRepr({ b: 1, a: "x".repeat(40) }), `{'b': 1, 'a': '${"x".repeat(40)}'}`);
  assertEquals(pyRepr(Array.from({ length: 8 }, (_, i) => i)), "[0, 1, 2, 3, 4, 5, 6, 7]");
  const list: unknown[] = [1];
  list.push(list);
  const dict: Record<string, unknown> = { a: 1 };
  dict.self = dict;
  const bare = Object.create(null);
  bare.k = [null];
  class Throws {
    toString(): string {
      throw new Error("no");
    }
  }
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  for (const repr of [shortRepr, pyRepr]) {
    assertEquals(
      [list, dict, bare, new Throws(), proxy].map(repr),
      ["[1, [...]]", "{'a': 1, 'self': {...}}", "{'k': [None]}", "<Throws object>", "<object>"],
    );
  }
});

Deno.test("Handle and Future reprs and 'Exception in callback' show arguments with shortRepr", () =>
  withLoop(async (loop) => {
    function print(..._args: unknown[]) {}
    const h = loop.callSoon(print, [1, 2], "x", { a: null }, true);
    assertEquals(String(h), "<Handle print([1, 2], 'x', {'a': None}, True)>");
    h.cancel();
    const fut = loop.createFuture();
    fut.setResult([undefined, [false]]);
    assertEquals(String(fut), "<Future finished result=[None, [False]]>");
    const failed = loop.createFuture();
    failed.setException(new RuntimeError("bad"));
    assertEquals(String(failed), "<Future finished exception=RuntimeError('bad')>");
    failed.exception();
    const messages: string[] = [];
    loop.setExceptionHandler((_loop, context) => messages.push(context.message));
    loop.callSoon(
      function boom(_list: unknown, _none: unknown) {
        throw new RuntimeError("boom");
      },
      [[1]],
      null,
    );
    await loop.runUntilComplete(() => sleep(0));
    assertEquals(messages, ["Exception in callback boom([[1]], None)"]);
  }));

// ---- Finding the loop --------------------------------------------------------

Deno.test("getRunningLoop() returns the running loop, and throws outside one", () =>
  withLoop(async (loop) => {
    assertThrows(() => getRunningLoop(), RuntimeError, "no running event loop");
    let inside: EventLoop | null = null;
    loop.callSoon(() => inside = getRunningLoop());
    loop.stop();
    await loop.runForever();
    assertEquals(inside, loop);
    assertThrows(() => getRunningLoop(), RuntimeError, "no running event loop");
  }));

Deno.test("_setRunningLoop(): code finds a loop that does not run; what it schedules waits for a run", () =>
  withLoop(async (loop) => {
    assertEquals(_getRunningLoop(), null);
    _setRunningLoop(loop);
    let task;
    try {
      assertEquals(getRunningLoop(), loop);
      task = createTask(() => sleep(0, "ran"));
      // The same loop or another: neither may start while one is set, as asyncio.
      assertThrows(() => loop.runForever(), RuntimeError, "another loop is running");
    } finally {
      _setRunningLoop(null);
    }
    assertEquals(loop.isRunning(), false);
    assertEquals(task.done(), false);
    assertEquals(await loop.runUntilComplete(task), "ran");
    assertThrows(() => _setRunningLoop({} as EventLoop), TypeError, "instance of EventLoop");
  }));

Deno.test("getEventLoop() returns the running loop inside it", () =>
  withLoop(async (loop) => {
    const current = newEventLoop();
    setEventLoop(current);
    let inside: EventLoop | null = null;
    loop.callSoon(() => inside = getEventLoop());
    loop.stop();
    await loop.runForever();
    assertEquals(inside, loop);
    assertEquals(getEventLoop(), current, "outside, the current loop again");
    current.close();
    setEventLoop(null);
  }));

// What a fresh process does (getEventLoop() makes the loop) is in
// tests/transcripts/loop_get_event_loop.ts, which needs a process of its own.
Deno.test("getEventLoop() returns a closed current loop, and throws once it was unset (as CPython 3.12+)", async () => {
  const loop = newEventLoop();
  setEventLoop(loop);
  loop.close();
  assertEquals(getEventLoop(), loop, "closed, but still the current loop");
  setEventLoop(null);
  const message = "There is no current event loop in thread 'MainThread'.";
  assertThrows(() => getEventLoop(), RuntimeError, message);
  await run(() => sleep(0), { clock: new VirtualClock() });
  assertThrows(() => getEventLoop(), RuntimeError, message); // run() unset its loop
  const runner = new Runner({ clock: new VirtualClock() });
  await runner.run(() => sleep(0));
  assertEquals(getEventLoop(), runner.getLoop(), "a runner's loop is current while it is open");
  await runner.close();
  assertThrows(() => getEventLoop(), RuntimeError, message);
});

Deno.test("setEventLoop() sets the current loop; newEventLoop() does not", () => {
  const loop = new EventLoop({ clock: new VirtualClock() });
  setEventLoop(loop);
  assertEquals(getEventLoop(), loop);
  const fresh = newEventLoop();
  assert(fresh !== loop && fresh !== newEventLoop());
  assertEquals(getEventLoop(), loop);
  assert(!fresh.clock.virtual, "newEventLoop() uses the real clock");
  setEventLoop(null);
  assertThrows(() => getEventLoop(), RuntimeError, "no current event loop");
  for (const l of [loop, fresh]) l.close();
});

Deno.test("debug mode: an async done-callback of a future is fine (only callSoon & co. refuse async functions)", () =>
  withLoop(async (loop) => {
    loop.setDebug(true);
    const fut = loop.createFuture<number>();
    const seen: number[] = [];
    fut.addDoneCallback(async (f) => {
      await Promise.resolve();
      seen.push(f.result());
    });
    loop.callSoon(() => fut.setResult(7));
    await loop.runUntilComplete(fut);
    await loop.runUntilComplete(() => sleep(0));
    assertEquals(seen, [7]);
  }));

Deno.test("console.log shows a handle or a future as its repr", () =>
  withLoop((loop) => {
    function tick(): void {}
    const fut = loop.createFuture<string>();
    fut.setResult("x");
    assertEquals(
      Deno.inspect([loop.callSoon(tick), fut]),
      "[ <Handle tick()>, <Future finished result='x'> ]",
    );
  }));

Deno.test("TimerHandle: when() gives back exactly the deadline it was made with (kept as two int32 halves)", () =>
  withLoop((loop) => {
    const awkward = [0, -0, 0.1 + 0.2, 1e-310, -2.5, 2 ** 53 + 2, 1e300, Infinity, -Infinity];
    for (const when of awkward) {
      const handle = new TimerHandle(when, 0, () => {}, [], loop, 0);
      assert(Object.is(handle.when(), when), `when() of ${when}: ${handle.when()}`);
    }
    assert(Number.isNaN(new TimerHandle(NaN, 0, () => {}, [], loop, 0).when()));
  }));
