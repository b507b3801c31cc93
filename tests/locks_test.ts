// Lock, Event, Condition, Semaphore, BoundedSemaphore, Barrier: asyncio's
// fairness and cancellation rules (CPython 3.13 Lib/asyncio/locks.py and
// Lib/test/test_asyncio/test_locks.py).
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { cancelled, inLoop, spin } from "./_util.ts";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  createTask,
  Event,
  Lock,
  RuntimeError,
  Semaphore,
} from "../mod.ts";

// ---- Lock ---------------------------------------------------------------

Deno.test("Lock.acquire() of a free lock takes it without yielding to the loop", () =>
  inLoop(async (loop) => {
    const lock = new Lock();
    let ran = false;
    loop.callSoon(() => ran = true);
    assertEquals(await lock.acquire(), true);
    assert(lock.locked());
    assertEquals(ran, false);
  }));

Deno.test("Lock hands itself to waiters in FIFO order", () =>
  inLoop(async () => {
    const lock = new Lock();
    const log: string[] = [];
    await lock.acquire();
    const tasks = ["a", "b", "c"].map((name) =>
      createTask(async () => {
        await lock.acquire();
        log.push(name);
        await spin(2);
        lock.release();
      })
    );
    await spin();
    assertEquals(String(lock), "<Lock [locked, waiters:3]>");
    lock.release();
    for (const t of tasks) await t;
    assertEquals(log, ["a", "b", "c"]);
    assertEquals(String(lock), "<Lock [unlocked]>");
  }));

Deno.test("Lock.release() of an unlocked lock is a RuntimeError", () => {
  assertThrows(() => new Lock().release(), RuntimeError, "Lock is not acquired.");
});

Deno.test("a Lock waiter cancelled while waiting leaves the queue; the next gets the lock", () =>
  inLoop(async () => {
    const lock = new Lock();
    const log: string[] = [];
    await lock.acquire();
    const a = createTask(async () => {
      await lock.acquire();
      log.push("a");
    });
    const b = createTask(async () => {
      await lock.acquire();
      log.push("b");
      lock.release();
    });
    await spin();
    a.cancel();
    await spin();
    assertEquals(String(lock), "<Lock [locked, waiters:1]>");
    lock.release();
    assert(await cancelled(a));
    await b;
    assertEquals(log, ["b"]);
    assert(!lock.locked());
  }));

Deno.test("a Lock waiter cancelled after being woken passes the lock on", () =>
  inLoop(async () => {
    const lock = new Lock();
    const log: string[] = [];
    await lock.acquire();
    const waiter = (name: string) =>
      createTask(async () => {
        await lock.acquire();
        log.push(name);
        lock.release();
      });
    const a = waiter("a"), b = waiter("b");
    await spin();
    lock.release(); // wakes a
    a.cancel(); // ... which is cancelled before it runs
    assert(await cancelled(a));
    await b;
    assertEquals(log, ["b"]);
    assert(!lock.locked());
  }));

Deno.test("Lock.acquire() jumps the queue when every waiter is cancelled", () =>
  inLoop(async (loop) => {
    const lock = new Lock();
    await lock.acquire();
    const a = createTask(() => lock.acquire());
    await spin();
    a.cancel(); // its future is cancelled; it leaves the queue when it runs
    lock.release();
    let ran = false;
    loop.callSoon(() => ran = true);
    await lock.acquire(); // at once: nobody live is ahead
    assertEquals(ran, false);
    assert(await cancelled(a));
    lock.release();
  }));

Deno.test("Lock.acquire() waits its turn behind a woken waiter, even one cancelled later", () =>
  inLoop(async () => {
    const lock = new Lock();
    await lock.acquire();
    const a = createTask(() => lock.acquire());
    await spin();
    lock.release(); // a is woken but has not run
    a.cancel();
    // a's future is done, not cancelled: a newcomer waits for its turn.
    const b = createTask(() => lock.acquire());
    await spin(3);
    assert(await cancelled(a));
    assertEquals(await b, true);
    assert(lock.locked());
    lock.release();
  }));

Deno.test("Lock.acquireScope() releases at the end of the block, once, even on error", () =>
  inLoop(async () => {
    const lock = new Lock();
    {
      using _ = await lock.acquireScope();
      assert(lock.locked());
    }
    assert(!lock.locked());
    await assertRejects(
      async () => {
        await using _ = await lock.acquireScope();
        throw new Error("boom");
      },
      Error,
      "boom",
    );
    assert(!lock.locked());
    const scope = await lock.acquireScope();
    scope[Symbol.dispose]();
    await lock.acquire(); // someone else holds it now
    scope[Symbol.dispose](); // must not release their hold
    assert(lock.locked());
  }));

Deno.test("a Lock that made a task wait on one loop is a RuntimeError on another", async () => {
  const lock = new Lock();
  await inLoop(async () => {
    await lock.acquire();
    const t = createTask(() => lock.acquire());
    await spin(); // t waits: the lock is bound to this loop now
    t.cancel();
    assert(await cancelled(t));
  });
  await inLoop(async () => {
    await assertRejects(() => lock.acquire(), RuntimeError, "is bound to a different event loop");
  });
});

// ---- Event --------------------------------------------------------------

Deno.test("Event.set() wakes every waiter; wait() on a set event returns at once", () =>
  inLoop(async (loop) => {
    const ev = new Event();
    const log: string[] = [];
    const tasks = ["a", "b", "c"].map((name) =>
      createTask(async () => {
        await ev.wait();
        log.push(name);
      })
    );
    await spin();
    assertEquals(String(ev), "<Event [unset, waiters:3]>");
    assertEquals(log, []);
    ev.set();
    assert(ev.isSet());
    for (const t of tasks) await t;
    assertEquals(log, ["a", "b", "c"]);
    let ran = false;
    loop.callSoon(() => ran = true);
    assertEquals(await ev.wait(), true);
    assertEquals(ran, false);
    ev.clear();
    assert(!ev.isSet());
    assertEquals(String(ev), "<Event [unset]>");
  }));

Deno.test("Event.clear() after set() still wakes the waiters set() woke", () =>
  inLoop(async () => {
    const ev = new Event();
    const t = createTask(() => ev.wait());
    await spin();
    ev.set();
    ev.clear();
    assertEquals(await t, true);
  }));

Deno.test("a cancelled Event.wait() leaves the waiters", () =>
  inLoop(async () => {
    const ev = new Event();
    const t = createTask(() => ev.wait());
    await spin();
    t.cancel();
    assert(await cancelled(t));
    assertEquals(String(ev), "<Event [unset]>");
  }));

Deno.test("Event.wait(): a waiter cancelled after set() leaves the waiters when it resumes, as one woken", () =>
  inLoop(async () => {
    const ev = new Event();
    const woken = createTask(async () => {
      await ev.wait();
      return String(ev);
    });
    const late = createTask(async () => {
      await ev.wait();
      return "ran on";
    });
    await spin();
    ev.set();
    late.cancel(); // its future is done already: the cancel is delivered at its step
    assertEquals(String(ev), "<Event [set, waiters:2]>");
    assertEquals(await woken, "<Event [set, waiters:1]>");
    assert(await cancelled(late));
    assertEquals(String(ev), "<Event [set]>");
  }));

Deno.test("Event.wait() outside a running loop rejects at the await, not at the call", async () => {
  const waiting = new Event().wait();
  await assertRejects(async () => await waiting, RuntimeError, "no running event loop");
});

// ---- Condition ------------------------------------------------------------

Deno.test("Condition.wait() and notify() need the lock", () =>
  inLoop(async () => {
    const cond = new Condition();
    await assertRejects(() => cond.wait(), RuntimeError, "cannot wait on un-acquired lock");
    assertThrows(() => cond.notify(), RuntimeError, "cannot notify on un-acquired lock");
    assertThrows(() => cond.notifyAll(), RuntimeError, "cannot notify on un-acquired lock");
    assertThrows(() => new Condition({} as Lock), TypeError);
  }));

Deno.test("Condition.notify(n) wakes n waiters in FIFO order, each with the lock", () =>
  inLoop(async () => {
    const cond = new Condition();
    const log: string[] = [];
    const tasks = ["a", "b", "c"].map((name) =>
      createTask(async () => {
        await cond.acquire();
        try {
          assertEquals(await cond.wait(), true);
          assert(cond.locked());
          log.push(name);
        } finally {
          cond.release();
        }
      })
    );
    await spin();
    assert(!cond.locked());
    assertEquals(String(cond), "<Condition [unlocked, waiters:3]>");
    await cond.acquire();
    cond.notify(2);
    assertEquals(log, []); // they need the lock first
    cond.release();
    await spin(3);
    assertEquals(log, ["a", "b"]);
    await cond.acquire();
    cond.notifyAll();
    cond.release();
    for (const t of tasks) await t;
    assertEquals(log, ["a", "b", "c"]);
  }));

Deno.test("Condition.waitFor() returns the predicate's truthy value", () =>
  inLoop(async () => {
    const cond = new Condition();
    let value = 0;
    const t = createTask(async () => {
      using _ = await cond.acquireScope();
      return await cond.waitFor(() => value >= 2 && `value ${value}`);
    });
    for (let i = 0; i < 3; i++) {
      await spin();
      using _ = await cond.acquireScope();
      value++;
      cond.notifyAll();
    }
    assertEquals(await t, "value 2");
    assert(!cond.locked());
  }));

Deno.test("a Condition.wait() cancelled while waiting throws with the lock held again", () =>
  inLoop(async () => {
    const cond = new Condition();
    let heldOnError = false;
    const t = createTask(async () => {
      await cond.acquire();
      try {
        await cond.wait();
      } catch (err) {
        heldOnError = cond.locked();
        throw err;
      } finally {
        cond.release();
      }
    });
    await spin();
    await cond.acquire(); // hold the lock: the cancelled wait must wait for it
    t.cancel();
    await spin(3);
    assert(!t.done());
    cond.release();
    assert(await cancelled(t));
    assert(heldOnError);
    assertEquals(String(cond), "<Condition [unlocked]>");
  }));

Deno.test("a Condition.wait() cancelled while re-acquiring keeps the lock and passes the notification on", () =>
  inLoop(async () => {
    const cond = new Condition();
    const log: string[] = [];
    const waiter = (name: string) =>
      createTask(async () => {
        await cond.acquire();
        try {
          await cond.wait();
          log.push(`${name} woke`);
        } catch (err) {
          log.push(`${name} ${(err as Error).name}, locked=${cond.locked()}`);
          throw err;
        } finally {
          cond.release();
        }
      });
    const a = waiter("a"), b = waiter("b");
    await spin();
    await cond.acquire();
    cond.notify(1); // a is notified...
    await spin(2); // ... and now waits to re-acquire the lock we hold
    a.cancel();
    await spin(2);
    cond.release();
    assert(await cancelled(a));
    await b; // a's notification went to b
    assertEquals(log, ["a CancelledError, locked=true", "b woke"]);
  }));

Deno.test("Conditions sharing a lock share its state", () =>
  inLoop(async () => {
    const lock = new Lock();
    const c1 = new Condition(lock), c2 = new Condition(lock);
    await c1.acquire();
    assert(c2.locked() && lock.locked());
    c2.release();
    assert(!c1.locked());
  }));

// ---- Semaphore ------------------------------------------------------------

Deno.test("Semaphore counts slots and wakes waiters in FIFO order", () =>
  inLoop(async () => {
    const sem = new Semaphore(2);
    assertEquals(String(sem), "<Semaphore [unlocked, value:2]>");
    await sem.acquire();
    await sem.acquire();
    assert(sem.locked());
    const log: string[] = [];
    const tasks = ["a", "b", "c"].map((name) =>
      createTask(async () => {
        await sem.acquire();
        log.push(name);
      })
    );
    await spin();
    assertEquals(String(sem), "<Semaphore [locked, waiters:3]>");
    sem.release();
    sem.release();
    await spin(2);
    assertEquals(log, ["a", "b"]);
    sem.release();
    for (const t of tasks) await t;
    assertEquals(log, ["a", "b", "c"]);
    assertEquals(sem._value, 0);
  }));

Deno.test("Semaphore: a newcomer waits behind woken waiters even when a slot is free", () =>
  inLoop(async () => {
    const sem = new Semaphore(0);
    const log: string[] = [];
    const a = createTask(async () => {
      await sem.acquire();
      log.push("a");
    });
    await spin();
    sem.release(); // counted for a, which has not run yet
    sem.release(); // a free slot, but a's turn is not over: still locked()
    assert(sem.locked());
    const b = createTask(async () => {
      await sem.acquire();
      log.push("b");
    });
    await a;
    await b;
    assertEquals(log, ["a", "b"]);
    assertEquals(sem._value, 0);
  }));

Deno.test("a Semaphore waiter cancelled while waiting takes no slot", () =>
  inLoop(async () => {
    const sem = new Semaphore(0);
    const a = createTask(() => sem.acquire());
    const b = createTask(() => sem.acquire());
    await spin();
    a.cancel();
    await spin();
    sem.release();
    assert(await cancelled(a));
    assertEquals(await b, true);
    assertEquals(sem._value, 0);
  }));

Deno.test("a Semaphore waiter cancelled after being woken gives its slot to the next", () =>
  inLoop(async () => {
    const sem = new Semaphore(0);
    const a = createTask(() => sem.acquire());
    const b = createTask(() => sem.acquire());
    await spin();
    sem.release(); // wakes a
    a.cancel();
    assert(await cancelled(a));
    assertEquals(await b, true);
    assertEquals(sem._value, 0);
  }));

Deno.test("Semaphore rejects a negative or non-integer value", () => {
  assertThrows(() => new Semaphore(-1), RangeError, "Semaphore initial value must be >= 0");
  assertThrows(() => new Semaphore(1.5), TypeError);
});

Deno.test("BoundedSemaphore.release() above the initial value is a RangeError", () =>
  inLoop(async () => {
    const sem = new BoundedSemaphore(2);
    assertThrows(() => sem.release(), RangeError, "BoundedSemaphore released too many times");
    {
      using _ = await sem.acquireScope();
      assertEquals(sem._value, 1);
    }
    assertEquals(sem._value, 2);
    assertEquals(String(sem), "<BoundedSemaphore [unlocked, value:2]>");
  }));

// ---- Barrier --------------------------------------------------------------

Deno.test("Barrier releases its parties together, with their arrival indices, and can be reused", () =>
  inLoop(async () => {
    const barrier = new Barrier(3);
    assertEquals([barrier.parties, barrier.nWaiting, barrier.broken], [3, 0, false]);
    for (let round = 0; round < 2; round++) {
      const log: string[] = [];
      const arrive = (name: string) =>
        createTask(async () => {
          const index = await barrier.wait();
          log.push(`${name}${index}`);
        });
      const tasks = [arrive("a"), arrive("b")];
      await spin(2);
      assertEquals(barrier.nWaiting, 2);
      assertEquals(String(barrier), "<Barrier [filling, waiters:2/3]>");
      assertEquals(log, []);
      tasks.push(arrive("c"));
      for (const t of tasks) await t;
      assertEquals(log.sort(), ["a0", "b1", "c2"]);
      assertEquals(barrier.nWaiting, 0);
    }
  }));

Deno.test("Barrier.reset() breaks the current wait; the barrier is usable afterwards", () =>
  inLoop(async () => {
    const barrier = new Barrier(2);
    const t = createTask(() => barrier.wait());
    await spin();
    await barrier.reset();
    await assertRejects(() => t, BrokenBarrierError, "Abort or reset of barrier");
    assert(!barrier.broken);
    const both = [createTask(() => barrier.wait()), createTask(() => barrier.wait())];
    assertEquals([await both[0], await both[1]], [0, 1]);
  }));

Deno.test("Barrier.abort() breaks waiters and every later wait()", () =>
  inLoop(async () => {
    const barrier = new Barrier(3);
    const t = createTask(() => barrier.wait());
    await spin();
    await barrier.abort();
    await assertRejects(() => t, BrokenBarrierError, "Abort or reset of barrier");
    assert(barrier.broken);
    assertEquals(barrier.nWaiting, 0);
    assertEquals(String(barrier), "<Barrier [broken]>");
    await assertRejects(() => barrier.wait(), BrokenBarrierError, "Barrier aborted");
  }));

Deno.test("a cancelled Barrier.wait() leaves without breaking the barrier", () =>
  inLoop(async () => {
    const barrier = new Barrier(2);
    const a = createTask(() => barrier.wait());
    await spin();
    assertEquals(barrier.nWaiting, 1);
    a.cancel();
    assert(await cancelled(a));
    assertEquals(barrier.nWaiting, 0);
    assert(!barrier.broken);
    const both = [createTask(() => barrier.wait()), createTask(() => barrier.wait())];
    assertEquals([await both[0], await both[1]], [0, 1]);
  }));

Deno.test("Barrier rejects fewer than one party", () => {
  assertThrows(() => new Barrier(0), RangeError, "parties must be > 0");
  assertThrows(() => new Barrier(Number.NaN), TypeError);
});
