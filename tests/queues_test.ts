// Queue, PriorityQueue, LifoQueue: asyncio 3.13's rules (Lib/asyncio/queues.py,
// Lib/test/test_asyncio/test_queues.py), shutdown included.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { cancelled, drain, inLoop, spin } from "./_util.ts";
import {
  createTask,
  defaultCompare,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  sleep,
} from "../mod.ts";

// ---- Basics ---------------------------------------------------------------

Deno.test("Queue is FIFO and reports qsize(), empty(), full(), maxsize", () => {
  const q = new Queue<number>(2);
  assertEquals([q.qsize(), q.empty(), q.full(), q.maxsize], [0, true, false, 2]);
  q.putNowait(1);
  q.putNowait(2);
  assertEquals([q.qsize(), q.empty(), q.full()], [2, false, true]);
  assertThrows(() => q.putNowait(3), QueueFull);
  assertEquals(String(q), "<Queue maxsize=2 _queue=[1, 2] tasks=2>");
  assertEquals(drain(q), [1, 2]);
  assertThrows(() => q.getNowait(), QueueEmpty);
});

Deno.test("Queue with maxsize 0 or less is unbounded", () => {
  for (const maxsize of [0, -1]) {
    const q = new Queue<number>(maxsize);
    for (let i = 0; i < 1000; i++) q.putNowait(i);
    assert(!q.full());
    assertEquals(q.qsize(), 1000);
    assertEquals(drain(q).slice(0, 3), [0, 1, 2]);
  }
  assertThrows(() => new Queue("3" as unknown as number), TypeError);
});

Deno.test("Queue keeps FIFO order across ring-buffer growth and wrap-around", () => {
  const q = new Queue<number>();
  const out: number[] = [];
  let next = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 7; i++) q.putNowait(next++);
    for (let i = 0; i < 5; i++) out.push(q.getNowait());
  }
  out.push(...drain(q));
  assertEquals(out, Array.from({ length: next }, (_, i) => i));
});

Deno.test("put() and get() that can complete at once do not yield to the loop", () =>
  inLoop(async (loop) => {
    const q = new Queue<number>(1);
    let ran = false;
    loop.callSoon(() => ran = true);
    await q.put(1);
    assertEquals(await q.get(), 1);
    assertEquals(ran, false);
  }));

// ---- Blocking and fairness -------------------------------------------------

Deno.test("get() waits while empty; getters are served in arrival order", () =>
  inLoop(async () => {
    const q = new Queue<string>();
    const log: string[] = [];
    const getters = ["a", "b", "c"].map((name) =>
      createTask(async () => log.push(`${name} got ${await q.get()}`))
    );
    await spin();
    assertEquals(String(q), "<Queue maxsize=0 _getters[3]>");
    for (const item of ["x", "y", "z"]) q.putNowait(item);
    for (const t of getters) await t;
    assertEquals(log, ["a got x", "b got y", "c got z"]);
  }));

Deno.test("put() waits while full; putters add their items in arrival order", () =>
  inLoop(async () => {
    const q = new Queue<string>(1);
    q.putNowait("first");
    const putters = ["a", "b", "c"].map((name) => createTask(() => q.put(name)));
    await spin();
    assertEquals(String(q), "<Queue maxsize=1 _queue=['first'] _putters[3] tasks=1>");
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push(await q.get());
    for (const t of putters) await t;
    assertEquals(got, ["first", "a", "b", "c"]);
  }));

Deno.test("a get() cancelled while waiting takes nothing", () =>
  inLoop(async () => {
    const q = new Queue<number>();
    const a = createTask(() => q.get());
    const b = createTask(() => q.get());
    await spin();
    a.cancel();
    await spin();
    q.putNowait(1);
    assert(await cancelled(a));
    assertEquals(await b, 1);
  }));

Deno.test("a task waiting in get() waits on the getter future: its repr names it, cancel(msg) reaches the await with msg, try/finally runs", () =>
  inLoop(async () => {
    const q = new Queue<number>();
    const seen: string[] = [];
    const a = createTask(async () => {
      try {
        await q.get();
      } catch (err) {
        seen.push(`${(err as Error).name}: ${(err as Error).message}`);
        throw err;
      } finally {
        seen.push("finally");
      }
    });
    await spin();
    assert(/wait_for=<Future pending/.test(String(a)), String(a));
    a.cancel("stop now");
    assert(await cancelled(a));
    assertEquals(seen, ["CancelledError: stop now", "finally"]);
    q.putNowait(1);
    assertEquals(q.qsize(), 1); // the cancelled getter took nothing
  }));

Deno.test("a get() cancelled after being woken loses no item: the next getter has it", () =>
  inLoop(async () => {
    const q = new Queue<number>();
    const a = createTask(() => q.get());
    const b = createTask(() => q.get());
    await spin();
    q.putNowait(1); // wakes a...
    a.cancel(); // ... which is cancelled before it runs
    assert(await cancelled(a));
    assertEquals(await b, 1);
    assert(q.empty());
  }));

Deno.test("a woken get() cancelled with no other getter leaves the item in the queue", () =>
  inLoop(async () => {
    const q = new Queue<number>();
    const a = createTask(() => q.get());
    await spin();
    q.putNowait(1);
    a.cancel();
    assert(await cancelled(a));
    assertEquals(drain(q), [1]);
  }));

Deno.test("a put() cancelled while waiting adds nothing", () =>
  inLoop(async () => {
    const q = new Queue<number>(1);
    q.putNowait(0);
    const a = createTask(() => q.put(1));
    await spin();
    a.cancel();
    assert(await cancelled(a));
    assertEquals(drain(q), [0]);
  }));

Deno.test("a put() cancelled after being woken passes the free slot to the next putter", () =>
  inLoop(async () => {
    const q = new Queue<number>(1);
    q.putNowait(0);
    const a = createTask(() => q.put(1));
    const b = createTask(() => q.put(2));
    await spin();
    assertEquals(q.getNowait(), 0); // wakes a...
    a.cancel(); // ... which is cancelled before it runs
    assert(await cancelled(a));
    await b;
    assertEquals(drain(q), [2]);
  }));

// ---- taskDone / join -------------------------------------------------------

Deno.test("join() waits until every item is marked done with taskDone()", () =>
  inLoop(async () => {
    const q = new Queue<number>();
    await q.join(); // nothing unfinished: at once
    const log: string[] = [];
    for (let i = 0; i < 3; i++) q.putNowait(i);
    const joiner = createTask(async () => {
      await q.join();
      log.push("joined");
    });
    const worker = createTask(async () => {
      for (let i = 0; i < 3; i++) {
        const item = await q.get();
        await sleep(0.01);
        log.push(`done ${item}`);
        q.taskDone();
      }
    });
    await worker;
    await joiner;
    assertEquals(log, ["done 0", "done 1", "done 2", "joined"]);
    assertThrows(() => q.taskDone(), RangeError, "task_done() called too many times");
  }));

// ---- shutdown --------------------------------------------------------------

Deno.test("shutdown(): put throws, get drains what is left then throws", () =>
  inLoop(async () => {
    const q = new Queue<number>();
    q.putNowait(1);
    q.putNowait(2);
    q.shutdown();
    assertThrows(() => q.putNowait(3), QueueShutDown);
    await assertRejects(() => q.put(3), QueueShutDown);
    assertEquals(await q.get(), 1);
    assertEquals(q.getNowait(), 2);
    assertThrows(() => q.getNowait(), QueueShutDown);
    await assertRejects(() => q.get(), QueueShutDown);
    assertEquals(String(q), "<Queue maxsize=0 tasks=2 shutdown>");
  }));

Deno.test("shutdown() wakes blocked getters and putters with QueueShutDown", () =>
  inLoop(async () => {
    const empty = new Queue<number>();
    const getters = [createTask(() => empty.get()), createTask(() => empty.get())];
    const full = new Queue<number>(1);
    full.putNowait(0);
    const putter = createTask(() => full.put(1));
    await spin();
    empty.shutdown();
    full.shutdown();
    for (const t of getters) await assertRejects(() => t, QueueShutDown);
    await assertRejects(() => putter, QueueShutDown);
    assertEquals(drain(full), [0]);
  }));

Deno.test("shutdown(true) drops the items, marks them done and releases join()", () =>
  inLoop(async () => {
    const q = new Queue<number>();
    for (let i = 0; i < 3; i++) q.putNowait(i);
    const joiner = createTask(() => q.join());
    await spin();
    assert(!joiner.done());
    q.shutdown(true);
    assertThrows(() => q.getNowait(), QueueShutDown);
    await joiner;
    assertEquals(q.qsize(), 0);
  }));

Deno.test("for await over a queue gets items in order and ends at shutdown", () =>
  inLoop(async () => {
    const q = new Queue<number>(2);
    const got: number[] = [];
    const consumer = createTask(async () => {
      for await (const item of q) {
        got.push(item);
        q.taskDone();
      }
      return "ended";
    });
    for (let i = 0; i < 5; i++) await q.put(i);
    await q.join();
    q.shutdown();
    assertEquals(await consumer, "ended");
    assertEquals(got, [0, 1, 2, 3, 4]);
  }));

Deno.test("for await over a queue can be cancelled while it waits, losing no item", () =>
  inLoop(async () => {
    const q = new Queue<number>();
    const consumer = createTask(async () => {
      for await (const _ of q) { /* never reached */ }
    });
    await spin();
    q.putNowait(1);
    consumer.cancel();
    assert(await cancelled(consumer));
    assertEquals(drain(q), [1]);
  }));

// ---- PriorityQueue and LifoQueue --------------------------------------------

Deno.test("PriorityQueue hands out the smallest item first, equal ones in put order", () => {
  const q = new PriorityQueue<[number, string]>();
  const items: [number, string][] = [[3, "c"], [1, "z"], [2, "b"], [1, "a"], [2, "b"]];
  for (const item of items) q.putNowait(item);
  assertEquals(drain(q), [[1, "a"], [1, "z"], [2, "b"], [2, "b"], [3, "c"]]);
  const stable = new PriorityQueue<{ p: number; id: number }>(0, {
    compare: (a, b) => a.p - b.p,
  });
  const objs = [5, 1, 5, 1, 3, 1].map((p, id) => ({ p, id }));
  for (const o of objs) stable.putNowait(o);
  assertEquals(drain(stable).map((o) => o.id), [1, 3, 5, 4, 0, 2]);
});

Deno.test("PriorityQueue orders many items as a sort does", () => {
  const q = new PriorityQueue<number>();
  const values = Array.from({ length: 500 }, (_, i) => (i * 7919) % 503);
  for (const v of values) q.putNowait(v);
  assertEquals(drain(q), [...values].sort((a, b) => a - b));
});

Deno.test("PriorityQueue is stable for many equal priorities", () => {
  const q = new PriorityQueue<[number, number]>(0, { compare: (a, b) => a[0] - b[0] });
  const items = Array.from({ length: 300 }, (_, i) => [(i * 37) % 5, i] as [number, number]);
  for (const item of items) q.putNowait(item);
  assertEquals(drain(q), [...items].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
});

Deno.test("PriorityQueue.put() of an item the comparator rejects throws and adds nothing", () => {
  const q = new PriorityQueue<unknown>();
  for (const v of [5, 3, 8, 1, 9, 2, 7]) q.putNowait(v);
  assertThrows(() => q.putNowait("x"), TypeError, "'<' not supported");
  assertEquals(drain(q), [1, 2, 3, 5, 7, 8, 9]);
  q.putNowait(2);
  q.putNowait(1);
  assertThrows(() => q.putNowait("x"), TypeError, "'<' not supported");
  assertThrows(() => q.putNowait({}), TypeError);
  assertEquals(q.qsize(), 2);
  assertEquals(drain(q), [1, 2]);
});

Deno.test("defaultCompare() orders as Python's < on numbers, strings, tuples", () => {
  assertEquals(defaultCompare(1, 2), -1);
  assertEquals(defaultCompare("b", "a"), 1);
  assertEquals(defaultCompare(2n, 1), 1);
  assertEquals(defaultCompare([1, "a"], [1, "a"]), 0);
  assert(defaultCompare([1], [1, 0]) < 0);
  assertThrows(() => defaultCompare(1, "1"), TypeError);
  assertThrows(() => defaultCompare(null, null), TypeError);
});

Deno.test("LifoQueue hands out the last item first and blocks like a Queue", () =>
  inLoop(async () => {
    const q = new LifoQueue<number>(2);
    q.putNowait(1);
    q.putNowait(2);
    const putter = createTask(() => q.put(3));
    await spin();
    assertEquals(q.getNowait(), 2);
    await putter;
    assertEquals(drain(q), [3, 1]);
  }));
