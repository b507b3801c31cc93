// Edge cases ported from CPython's Lib/test/test_asyncio/test_locks.py and
// test_queues.py: the ones tests/locks_test.ts and tests/queues_test.ts do
// not pin yet, mostly iteration-exact orderings and cancellation races.
// Every expectation was checked against python3 3.11's asyncio, except the
// cases that exist only in 3.12+/3.13 (our locks and queues port 3.13:
// Condition's lost-wakeup fix gh-112202, the CancelledError kept as it is
// when re-acquiring, Semaphore test_acquire_fifo_order_4, Queue.shutdown);
// those follow CPython 3.13's own tests and say so.
// Lock: test_acquire, test_cancel_race,
//   test_cancel_release_race (bpo-32734), test_finished_waiter_cancelled.
// Event: test_wait, test_clear_with_waiters, test_wait_cancel (by timeout).
// Condition: test_wait, test_wait_cancel, test_wait_cancel_contested,
//   test_wait_for, test_wait_for_unacquired, test_notify, test_explicit_lock,
//   test_timeout_in_block, test_cancelled_error_wakeup/_re_aquire,
//   test_cancelled_wakeup, test_cancelled_wakeup_relock.
// Semaphore: test_acquire, test_acquire_cancel_before_awoken,
//   test_acquire_hang, test_acquire_no_hang, test_acquire_fifo_order(_2,
//   _3, _4) (gh-90155).
// Barrier: test_repr, test_filling_one_task_twice, test_draining_state,
//   test_blocking_tasks_while_draining, test_reset_barrier_when_tasks_half_
//   draining_half_blocking, test_reset_barrier_while_tasks_draining,
//   test_abort_barrier_when_tasks_half_draining_half_blocking,
//   test_abort_barrier_when_exception_then_resetting.
// Queue: test_maxsize, test_float_maxsize, test_get_cancelled_race,
//   test_get_cancel_drop_one/many_pending_reader(s), test_put_cancelled_race,
//   test_put_cancel_drop, test_cancelled_getters/puts_not_being_held_in_
//   self_getters/putters, test_cancelled_put_silence_value_error_exception,
//   test_why_are_getters/putters_waiting, _QueueJoinTestMixin (all three
//   classes), _QueueShutdownTestMixin (3.13).
// Plus two cases of ours, checked against 3.11 the same way: an Event
// wait/clear loop across iterations, and a BoundedSemaphore released twice
// while its woken waiter has not run.
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertRejects,
  assertThrows,
} from "./_assert.ts";
import { cancelled, drain, inLoop, spin } from "./_util.ts";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  CancelledError,
  Condition,
  createTask,
  Event,
  type Future,
  gather,
  LifoQueue,
  Lock,
  PriorityQueue,
  Queue,
  QueueFull,
  QueueShutDown,
  RuntimeError,
  Semaphore,
  sleep,
  type Task,
  TaskGroup,
  timeout,
  TimeoutError,
  waitFor,
} from "../mod.ts";

// ---- Lock ---------------------------------------------------------------

Deno.test("Lock hands over one waiter per release, iteration by iteration (test_acquire)", () =>
  inLoop(async () => {
    const lock = new Lock();
    const result: number[] = [];
    const snaps: number[][] = [];
    assertEquals(await lock.acquire(), true);
    const c = (i: number) =>
      createTask(async () => {
        if (await lock.acquire()) result.push(i);
        return true;
      });
    const t1 = c(1), t2 = c(2);
    await spin();
    snaps.push([...result]);
    lock.release();
    await spin();
    snaps.push([...result]);
    await spin(); // t1 holds it and never releases: nothing moves
    snaps.push([...result]);
    const t3 = c(3); // arrives behind t2
    lock.release();
    await spin();
    snaps.push([...result]);
    lock.release();
    await spin();
    snaps.push([...result]);
    // CPython 3.11: [[], [1], [1], [1, 2], [1, 2, 3]]
    assertEquals(snaps, [[], [1], [1], [1, 2], [1, 2, 3]]);
    for (const t of [t1, t2, t3]) assertEquals(t.result(), true);
    assertEquals(String(lock), "<Lock [locked]>");
  }));

Deno.test("Lock: holder releases while the first waiter is cancelled; the lock goes to the next (test_cancel_race)", () =>
  inLoop(async (loop) => {
    const lock = new Lock();
    const log: string[] = [];
    const lockit = (name: string, blocker: PromiseLike<unknown> | null) =>
      createTask(async () => {
        await lock.acquire();
        log.push(name);
        try {
          if (blocker !== null) await blocker;
        } finally {
          lock.release();
        }
      });
    const fa = loop.createFuture<void>();
    const ta = lockit("A", fa);
    await spin();
    assert(lock.locked());
    const tb = lockit("B", null);
    await spin();
    const tc = lockit("C", null);
    await spin();
    assertEquals(String(lock), "<Lock [locked, waiters:2]>");
    fa.setResult(); // A will release...
    tb.cancel(); // ... while B, first in line, is cancelled
    await spin();
    // CPython 3.11 after one iteration: locked False, ta done, tb cancelled,
    // tc not done yet; one more: tc took and released it.
    assertEquals([lock.locked(), ta.done(), tb.cancelled(), tc.done()], [false, true, true, false]);
    await spin();
    assertEquals([lock.locked(), tc.done(), log], [false, true, ["A", "C"]]);
  }));

Deno.test("Lock: cancel the first of three waiters and release in one callback: only one takes the lock (bpo-32734)", () =>
  inLoop(async (loop) => {
    // test_cancel_release_race
    const lock = new Lock();
    let lockCount = 0, callCount = 0;
    const lockit = () =>
      createTask(async () => {
        callCount++;
        await lock.acquire();
        lockCount++;
      });
    await lock.acquire();
    const t1 = lockit(), t2 = lockit(), t3 = lockit();
    await spin();
    loop.callSoon(() => {
      t1.cancel();
      lock.release();
    });
    assert(await cancelled(t1));
    // CPython 3.11: lock_count 1, call_count 3, t2 done, t3 still waiting.
    assertEquals([lockCount, callCount, t1.cancelled(), t2.done(), t3.done()], [
      1,
      3,
      true,
      true,
      false,
    ]);
    assertEquals(String(lock), "<Lock [locked, waiters:1]>");
    t3.cancel();
    await spin();
    assert(t3.cancelled());
    assert(lock.locked(), "t2 still holds it");
  }));

Deno.test("Lock: a waiter cancelled before release does not strand a newcomer (test_finished_waiter_cancelled)", () =>
  inLoop(async () => {
    const lock = new Lock();
    await lock.acquire();
    const tb = createTask(() => lock.acquire());
    await spin();
    const tc = createTask(() => lock.acquire()); // not started yet
    tb.cancel();
    lock.release(); // tb's future is cancelled: nobody live to wake
    await spin();
    // CPython 3.11: locked True (tc jumped in), tb cancelled, tc done.
    assertEquals([lock.locked(), tb.cancelled(), tc.done()], [true, true, true]);
    assertEquals(tc.result(), true);
    assertEquals(String(lock), "<Lock [locked]>");
  }));

// ---- Event --------------------------------------------------------------

Deno.test("Event.set() with two waiters and a task not yet started: all done in one iteration, newcomer first (test_wait)", () =>
  inLoop(async () => {
    const ev = new Event();
    const result: number[] = [];
    const c = (i: number) =>
      createTask(async () => {
        if (await ev.wait()) result.push(i);
      });
    const t1 = c(1), t2 = c(2);
    await spin();
    const t3 = c(3);
    ev.set();
    await spin();
    // CPython 3.11: [3, 1, 2] (t3's first step was queued before the wake-ups).
    assertEquals(result, [3, 1, 2]);
    assert(t1.done() && t2.done() && t3.done());
  }));

Deno.test("Event set/clear/set/set wakes a waiter once and leaves it listed until it runs (test_clear_with_waiters)", () =>
  inLoop(async () => {
    const ev = new Event();
    const result: number[] = [];
    const t = createTask(async () => {
      if (await ev.wait()) result.push(1);
      return true;
    });
    await spin();
    ev.set();
    ev.clear();
    assert(!ev.isSet());
    ev.set();
    ev.set();
    assertEquals(String(ev), "<Event [set, waiters:1]>");
    await spin();
    assertEquals(result, [1]);
    assertEquals(String(ev), "<Event [set]>");
    assertEquals(t.result(), true);
  }));

Deno.test("Event: a wait-clear loop sees sets in one iteration as one wake-up, in separate iterations as several", () =>
  inLoop(async () => {
    const ev = new Event();
    let wakes = 0;
    const consumer = createTask(async () => {
      for (;;) {
        await ev.wait();
        ev.clear();
        wakes++;
      }
    });
    await spin();
    ev.set();
    ev.clear();
    ev.set(); // all before the consumer runs: one wake-up
    await spin(2);
    const first = wakes;
    ev.set();
    await spin();
    ev.set();
    await spin();
    // CPython 3.11: 1, then 3, and the consumer has cleared the flag.
    assertEquals([first, wakes, ev.isSet()], [1, 3, false]);
    ev.set();
    ev.clear(); // cleared before the waiter runs: it is still woken
    await spin();
    assertEquals(wakes, 4);
    consumer.cancel();
    assert(await cancelled(consumer));
    assertEquals(String(ev), "<Event [unset]>");
  }));

// ---- Condition ------------------------------------------------------------

Deno.test("Condition: notify() while holding the lock wakes nobody until release; each woken waiter keeps the lock (test_wait)", () =>
  inLoop(async () => {
    const cond = new Condition();
    const result: number[] = [];
    const snaps: [number[], boolean][] = [];
    const snap = () => snaps.push([[...result], cond.locked()]);
    const tasks = [1, 2, 3].map((i) =>
      createTask(async () => {
        await cond.acquire();
        if (await cond.wait()) result.push(i); // and never releases
        return true;
      })
    );
    await spin();
    snap();
    await cond.acquire();
    cond.notify();
    await spin();
    snap();
    cond.release(); // t1 takes it
    await spin();
    snap();
    cond.notify(2); // lock held by t1; we notify anyway (no owner check)
    await spin();
    snap();
    cond.release(); // releases t1's hold: t2 takes it
    await spin();
    snap();
    cond.release();
    await spin();
    snap();
    // CPython 3.11:
    assertEquals(snaps, [
      [[], false],
      [[], true],
      [[1], true],
      [[1], true],
      [[1, 2], true],
      [[1, 2, 3], true],
    ]);
    for (const t of tasks) assertEquals(t.result(), true);
  }));

Deno.test("Condition.wait() cancelled by a callSoon, or notified then cancelled and released in two callbacks, ends cancelled holding the lock (test_wait_cancel, _contested)", () =>
  inLoop(async (loop) => {
    {
      // test_wait_cancel
      const cond = new Condition();
      await cond.acquire();
      const w = createTask(() => cond.wait());
      loop.callSoon(() => w.cancel());
      await assertRejects(() => w, CancelledError);
      assertEquals(String(cond), "<Condition [locked]>");
    }
    // test_wait_cancel_contested
    const cond = new Condition();
    await cond.acquire();
    const w = createTask(() => cond.wait());
    await spin();
    assert(!cond.locked());
    await cond.acquire();
    cond.notify();
    loop.callSoon(() => w.cancel());
    loop.callSoon(() => cond.release());
    // CPython 3.11 (and 3.13): CancelledError, and the lock is held again.
    await assertRejects(() => w, CancelledError);
    assert(cond.locked());
  }));

Deno.test("Condition.waitFor() re-checks after each notify; a true predicate needs no lock, a false one does (test_wait_for)", () =>
  inLoop(async () => {
    const cond = new Condition();
    let presult = false;
    let calls = 0;
    const predicate = () => {
      calls++;
      return presult;
    };
    const result: number[] = [];
    const t = createTask(async () => {
      await cond.acquire();
      if (await cond.waitFor(predicate)) {
        result.push(1);
        cond.release();
      }
      return true;
    });
    const snaps: number[][] = [];
    await spin();
    snaps.push([...result]);
    await cond.acquire();
    cond.notify();
    cond.release();
    await spin();
    snaps.push([...result]);
    presult = true;
    await cond.acquire();
    cond.notify();
    cond.release();
    await spin();
    snaps.push([...result]);
    // CPython 3.11: [[], [], [1]], the predicate called 3 times.
    assertEquals([snaps, calls, t.result()], [[[], [], [1]], 3, true]);
    // test_wait_for_unacquired
    assertEquals(await cond.waitFor(() => [1, 2, 3]), [1, 2, 3]);
    assert(!cond.locked());
    await assertRejects(
      () => cond.waitFor(() => false),
      RuntimeError,
      "cannot wait on un-acquired lock",
    );
  }));

Deno.test("Condition.notify(1) then notify(1) + notify(2048) wakes the rest in one iteration (test_notify)", () =>
  inLoop(async () => {
    const cond = new Condition();
    const result: number[] = [];
    const tasks = [1, 2, 3].map((i) =>
      createTask(async () => {
        await cond.acquire();
        if (await cond.wait()) {
          result.push(i);
          cond.release();
        }
        return true;
      })
    );
    await spin();
    const snaps: number[][] = [];
    await cond.acquire();
    cond.notify(1);
    cond.release();
    await spin();
    snaps.push([...result]);
    await cond.acquire();
    cond.notify(1);
    cond.notify(2048);
    cond.release();
    await spin();
    snaps.push([...result]);
    // CPython 3.11: [[1], [1, 2, 3]]
    assertEquals(snaps, [[1], [1, 2, 3]]);
    assert(!cond.locked());
    for (const t of tasks) assertEquals(t.result(), true);
  }));

Deno.test("two Conditions on one Lock: notify reaches only its own waiters; holding the Lock allows notify (test_explicit_lock)", () =>
  inLoop(async () => {
    const lock = new Lock();
    const c1 = new Condition(lock), c2 = new Condition(lock);
    const log: [string, boolean][] = [];
    const waiter = (c: Condition, name: string) =>
      createTask(async () => {
        using _ = await c.acquireScope();
        await c.wait();
        log.push([name, lock.locked()]);
      });
    const a = waiter(c1, "a"), b = waiter(c2, "b");
    await spin();
    assertEquals(
      [lock.locked(), String(c1), String(c2)],
      [false, "<Condition [unlocked, waiters:1]>", "<Condition [unlocked, waiters:1]>"],
    );
    {
      using _ = await lock.acquireScope(); // the Lock itself, not c1
      c1.notifyAll();
    }
    await spin(2);
    // CPython 3.11: only a woke (with the lock); b still waits on c2.
    assertEquals([log, a.done(), b.done(), String(c2)], [
      [["a", true]],
      true,
      false,
      "<Condition [unlocked, waiters:1]>",
    ]);
    await lock.acquire();
    c2.notify();
    lock.release();
    await b;
    assertEquals(log, [["a", true], ["b", true]]);
    assert(!lock.locked());
    assertThrows(() => c1.notify(), RuntimeError, "cannot notify on un-acquired lock");
  }));

Deno.test("waitFor(ev.wait() / cond.wait(), 0.5) times out at 0.5 s leaving no waiter, the Condition's lock held again (test_timeout_in_block)", () =>
  inLoop(async (loop) => {
    const ev = new Event();
    await assertRejects(() => waitFor(() => ev.wait(), 0.5), TimeoutError);
    assertEquals(loop.time(), 0.5);
    assertEquals(String(ev), "<Event [unset]>");
    ev.set();
    assertEquals(await ev.wait(), true);
    const cond = new Condition();
    using _ = await cond.acquireScope();
    await assertRejects(() => waitFor(() => cond.wait(), 0.5), TimeoutError);
    assertEquals(loop.time(), 1);
    assertEquals(String(cond), "<Condition [locked]>");
  }));

Deno.test("Condition.waitFor() cancelled while waiting or while re-acquiring throws the task's own CancelledError, message kept (3.13)", () =>
  inLoop(async () => {
    // test_cancelled_error_wakeup and test_cancelled_error_re_aquire (3.12+;
    // 3.11 raises a new, message-less CancelledError when re-acquiring).
    for (const reacquire of [false, true]) {
      const cond = new Condition();
      let wake = false;
      let raised: unknown = null;
      const task = createTask(async () => {
        using _ = await cond.acquireScope();
        try {
          await cond.waitFor(() => wake);
        } catch (err) {
          raised = err;
        }
        throw raised;
      });
      await spin();
      if (reacquire) {
        await cond.acquire();
        wake = true;
        cond.notify();
        await spin(); // the task now waits for the lock
        task.cancel("foo");
        cond.release();
      } else {
        task.cancel("foo");
      }
      const err = await assertRejects(() => task, CancelledError);
      assertEquals(err.message, "foo", `reacquire=${reacquire}`);
      assert(err === raised, `the same instance (reacquire=${reacquire})`);
      assert(!cond.locked());
    }
  }));

Deno.test("Condition: a waiter cancelled as it is notified passes the wake-up on, none is lost (gh-112202, 3.13)", () =>
  inLoop(async () => {
    // test_cancelled_wakeup (cancelled in the wake-up queue) and
    // test_cancelled_wakeup_relock (cancelled while re-taking the lock).
    // CPython 3.11 loses the wake-up here: state stays 1.
    for (const relock of [false, true]) {
      const cond = new Condition();
      let state = 0;
      const consumer = () =>
        createTask(async () => {
          using _ = await cond.acquireScope();
          for (;;) {
            await cond.waitFor(() => state !== 0);
            if (state < 0) return;
            state--;
          }
        });
      const c = [consumer(), consumer()];
      await spin();
      {
        using _ = await cond.acquireScope();
        state++;
        cond.notify(1);
        if (relock) await spin();
        c[0].cancel();
        // Nobody notifies us after consuming, so this always times out (as
        // in CPython's test); what matters is that the item was consumed.
        await assertRejects(
          () => timeout(0.01, () => cond.waitFor(() => state === 0)),
          TimeoutError,
        );
        assertEquals(state, 0, `relock=${relock}`);
        state = -1;
        cond.notifyAll();
      }
      await c[1];
      assert(await cancelled(c[0]));
    }
  }));

// ---- Semaphore --------------------------------------------------------------

Deno.test("Semaphore(3): slots counted for woken waiters before they run; a newcomer queues behind (test_acquire)", () =>
  inLoop(async () => {
    const sem = new Semaphore(3);
    const result: number[] = [];
    assertEquals(await sem.acquire(), true);
    assertEquals(await sem.acquire(), true);
    assert(!sem.locked());
    const c = (i: number) =>
      createTask(async () => {
        await sem.acquire();
        result.push(i);
        return true;
      });
    const t1 = c(1), t2 = c(2), t3 = c(3);
    await spin();
    // CPython 3.11: [1], locked, 2 waiters, value 0.
    assertEquals([result, sem.locked(), sem._value], [[1], true, 0]);
    assertEquals(String(sem), "<Semaphore [locked, waiters:2]>");
    const t4 = c(4);
    sem.release();
    sem.release();
    assertEquals(sem._value, 0, "both slots already counted for t2 and t3");
    await spin();
    // CPython 3.11: 3 results, still locked, t4 the one waiter left, value 0.
    assertEquals([result, sem.locked(), sem._value], [[1, 2, 3], true, 0]);
    assertEquals(String(sem), "<Semaphore [locked, waiters:1]>");
    assertEquals([t1.done(), t2.done(), t3.done(), t4.done()], [true, true, true, false]);
    sem.release();
    await gather(t2, t3, t4);
    assertEquals([result, sem._value], [[1, 2, 3, 4], 0]);
  }));

Deno.test("Semaphore: waiters cancelled just before a release take no slot; the next live one does, the one after waits (test_acquire_hang, _cancel_before_awoken)", () =>
  inLoop(async () => {
    {
      // test_acquire_hang
      const sem = new Semaphore(0);
      const t1 = createTask(() => sem.acquire());
      const t2 = createTask(() => sem.acquire());
      await spin();
      t1.cancel();
      sem.release();
      await spin(2);
      // CPython 3.11: locked, t2 done, value 0.
      assertEquals([sem.locked(), t2.done(), sem._value], [true, true, 0]);
      assert(await cancelled(t1));
    }
    // test_acquire_cancel_before_awoken
    const sem = new Semaphore(0);
    const ts = [0, 1, 2, 3].map(() => createTask(() => sem.acquire()));
    await spin();
    ts[0].cancel();
    ts[1].cancel();
    sem.release();
    await spin(2);
    // CPython 3.11: t3 done, t4 not, value 0, locked.
    assertEquals([ts[2].done(), ts[3].done(), sem._value, sem.locked()], [true, false, 0, true]);
    ts[2].cancel(); // too late: it has its slot
    ts[3].cancel();
    await spin();
    assertEquals(ts.map((t) => t.cancelled()), [true, true, false, true]);
    assertEquals(sem._value, 0);
  }));

Deno.test("Semaphore: a waiter woken then cancelled by the releaser returns its slot (test_acquire_no_hang)", () =>
  inLoop(async (loop) => {
    const sem = new Semaphore(1);
    const t1 = createTask(async () => {
      {
        using _ = await sem.acquireScope();
        await spin();
      }
      t2.cancel(); // t2 was just woken by that release
    });
    const t2 = createTask(async () => {
      using _ = await sem.acquireScope();
      throw new Error("must not get the semaphore");
    });
    const [r1, r2] = await gather(t1, t2, { returnExceptions: true });
    assertEquals(r1, undefined);
    assert(r2 instanceof CancelledError);
    // CPython 3.11: value 1, not locked; an acquire succeeds at once.
    assertEquals([sem._value, sem.locked()], [1, false]);
    await waitFor(() => sem.acquire(), 1.0);
    assertEquals(loop.time(), 0);
  }));

Deno.test("Semaphore(1): three tasks acquiring twice with sleeps are served strictly FIFO (test_acquire_fifo_order, gh-90155)", () =>
  inLoop(async (loop) => {
    const sem = new Semaphore(1);
    const result: string[] = [];
    const coro = async (tag: string) => {
      await sem.acquire();
      result.push(`${tag}_1`);
      await sleep(0.01);
      sem.release();
      await sem.acquire();
      result.push(`${tag}_2`);
      await sleep(0.01);
      sem.release();
    };
    await TaskGroup.run((tg) => {
      for (const tag of ["c1", "c2", "c3"]) tg.createTask(() => coro(tag));
    });
    assertEquals(result, ["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"]);
    assertAlmostEquals(loop.time(), 0.06, 1e-9);
  }));

Deno.test("Semaphore: a task that releases and re-acquires goes behind the queue; a cancelled waiter takes no slot (test_acquire_fifo_order_2/_3)", () =>
  inLoop(async () => {
    {
      const sem = new Semaphore(1);
      const result: number[] = [];
      const t1 = createTask(async () => {
        await sem.acquire();
        result.push(1);
      });
      const t2 = createTask(async () => {
        await sem.acquire();
        result.push(2);
        sem.release();
        await sem.acquire();
        result.push(4);
      });
      const t3 = createTask(async () => {
        await sem.acquire();
        result.push(3);
      });
      await spin();
      sem.release();
      sem.release();
      await gather(t1, t2, t3);
      assertEquals([result, sem._value], [[1, 2, 3, 4], 0]); // CPython 3.11
    }
    {
      const sem = new Semaphore(0);
      const result: number[] = [];
      const ts = [1, 2, 3].map((i) =>
        createTask(async () => {
          await sem.acquire();
          result.push(i);
        })
      );
      await spin();
      ts[0].cancel();
      await spin();
      sem.release();
      sem.release();
      await gather(...ts, { returnExceptions: true });
      assertEquals([result, sem._value], [[2, 3], 0]); // CPython 3.11
    }
  }));

Deno.test("Semaphore: a successful acquire wakes every waiter FIFO held back (test_acquire_fifo_order_4, 3.13)", () =>
  inLoop(async () => {
    // CPython 3.11 gives [1, 2, 4, 3] and c1 wakes with value 1; 3.13's
    // test (whose acquire() wakes as many waiters as there are slots) asks
    // for this.
    const sem = new Semaphore(0);
    const result: number[] = [];
    const log: string[] = [];
    let t4: Task<void> | null = null;
    const t1 = createTask(async () => {
      log.push(`c1 start value=${sem._value}`);
      await sem.acquire();
      log.push(`c1 woke value=${sem._value}`);
      t4 = createTask(() => {
        result.push(4);
      }); // must run after c3, not c2
      result.push(1);
    });
    const t2 = createTask(async () => {
      sem.release();
      sem.release();
      sem.release();
      log.push(`c2 released value=${sem._value} locked=${sem.locked()}`);
      await sem.acquire();
      result.push(2);
    });
    const t3 = createTask(async () => {
      await sem.acquire();
      log.push(`c3 locked=${sem.locked()}`);
      result.push(3);
    });
    await spin();
    assertEquals([sem._value, String(sem)], [2, "<Semaphore [locked, waiters:3]>"]);
    await spin();
    await gather(t1, t2, t3, t4!);
    assertEquals(result, [1, 2, 3, 4]);
    assertEquals(log, [
      "c1 start value=0",
      "c2 released value=2 locked=true",
      "c1 woke value=0",
      "c3 locked=true",
    ]);
  }));

Deno.test("BoundedSemaphore: a second release while the woken waiter has not run is accepted, as CPython's", () =>
  inLoop(async () => {
    // The bound is checked against the counter, which already gave the slot
    // to the woken waiter: CPython 3.11 lets this over-release through too,
    // and only the next one fails.
    const sem = new BoundedSemaphore(1);
    await sem.acquire();
    const t = createTask(() => sem.acquire());
    await spin();
    sem.release(); // counted for t
    assertEquals([sem._value, sem.locked()], [0, true]);
    sem.release(); // not a RangeError: value 0 < bound 1
    assertEquals(sem._value, 1);
    await t;
    assertEquals([sem._value, sem.locked()], [1, false]);
    assertThrows(() => sem.release(), RangeError, "BoundedSemaphore released too many times");
    assertEquals(sem._value, 1);
  }));

// ---- Barrier ----------------------------------------------------------------

/** The state part of a Barrier's string, as the end of Python's repr. */
function stateOf(barrier: Barrier): string {
  const r = String(barrier);
  return r.slice(r.indexOf("["));
}

Deno.test("Barrier goes filling -> draining -> filling -> resetting -> filling -> broken, iteration by iteration (test_repr)", () =>
  inLoop(async () => {
    const b = new Barrier(5);
    const snaps = [stateOf(b)];
    const waiters: Task<number>[] = [];
    const add = (n: number) => {
      for (let i = 0; i < n; i++) waiters.push(createTask(() => b.wait()));
    };
    add(2);
    await spin();
    snaps.push(stateOf(b));
    add(b.parties - b.nWaiting);
    await spin();
    snaps.push(stateOf(b));
    add(2); // they find it draining; one iteration later it fills again
    await spin();
    snaps.push(stateOf(b));
    await b.reset();
    snaps.push(stateOf(b));
    add(2);
    await spin();
    snaps.push(stateOf(b));
    await b.abort();
    snaps.push(stateOf(b));
    const res = await gather(...waiters, { returnExceptions: true });
    // CPython 3.11:
    assertEquals(snaps, [
      "[filling, waiters:0/5]>",
      "[filling, waiters:2/5]>",
      "[draining, waiters:0/5]>",
      "[filling, waiters:2/5]>",
      "[resetting, waiters:0/5]>",
      "[filling, waiters:2/5]>",
      "[broken]>",
    ]);
    assertEquals(
      res.map((r) => r instanceof Error ? r.name : typeof r),
      [...Array(5).fill("number"), ...Array(4).fill("BrokenBarrierError")],
    );
    assert(b.broken);
  }));

Deno.test("Barrier(1) never waits; a full Barrier drains last arrival first, the last one out refills it, re-waiters are held meanwhile", () =>
  inLoop(async () => {
    // test_filling_one_task_twice
    const one = new Barrier(1);
    const t1 = createTask(() => one.wait());
    await spin();
    assertEquals(one.nWaiting, 0);
    const t2 = createTask(() => one.wait());
    await spin();
    assertEquals([t1.result(), t2.result(), one.nWaiting, one.broken], [0, 0, 0, false]);
    // test_draining_state, with the order pinned
    const b = new Barrier(5);
    const seen: [number, boolean, number][] = [];
    await gather(...[0, 1, 2, 3, 4].map(() =>
      createTask(async () => {
        const i = await b.wait();
        seen.push([i, String(b).includes("draining"), b.nWaiting]);
      })
    ));
    // CPython 3.11:
    assertEquals(seen, [[4, true, 0], [0, true, 0], [1, true, 0], [2, true, 0], [3, false, 0]]);
    assertEquals(stateOf(b), "[filling, waiters:0/5]>");
    // test_blocking_tasks_while_draining: tasks that wait again while it
    // drains are held until it has refilled.
    const n = 5, rewait = 2;
    const b2 = new Barrier(n);
    const others = new Barrier(n - rewait);
    let rewaitN = rewait;
    const log: string[] = [];
    await gather(...[0, 1, 2, 3, 4].map((k) =>
      createTask(async () => {
        log.push(`first ${k} ${await b2.wait()}`);
        if (rewaitN > 0) {
          rewaitN--;
          log.push(`again ${k} ${await b2.wait()}`);
        } else {
          await others.wait();
          log.push(`after ${k} ${await b2.wait()}`);
        }
      })
    ));
    // CPython 3.11:
    assertEquals(log, [
      "first 4 4",
      "first 0 0",
      "first 1 1",
      "first 2 2",
      "first 3 3",
      "after 2 4",
      "after 3 0",
      "again 4 1",
      "again 0 2",
      "after 1 3",
    ]);
  }));

/** Run `n` tasks of `body` at once and wait for all of them. */
function inParallel(n: number, body: () => Promise<void>): Future<void[]> {
  return gather(...Array.from({ length: n }, () => createTask(body)));
}

/** `b.wait()`: null when it passes, the BrokenBarrierError when it breaks (anything else throws). */
async function brokenWait(b: Barrier): Promise<BrokenBarrierError | null> {
  try {
    await b.wait();
    return null;
  } catch (err) {
    if (!(err instanceof BrokenBarrierError)) throw err;
    return err;
  }
}

Deno.test("Barrier.reset() while half the tasks drain and half wait again breaks only the waiting ones; a reset after draining breaks nobody", () =>
  inLoop(async () => {
    const n = 5;
    {
      // test_reset_barrier_when_tasks_half_draining_half_blocking
      const b = new Barrier(n);
      const broken: boolean[] = [], brokenTwice: boolean[] = [];
      let count = 0;
      await inParallel(n, async () => {
        if (await brokenWait(b)) {
          broken.push(true);
          await b.wait();
          return;
        }
        count++;
        if (count > Math.floor(n / 2)) {
          await b.reset();
          await b.wait();
        } else if (await brokenWait(b)) {
          brokenTwice.push(true);
        }
      });
      // CPython 3.11: [True, True], [], 0 waiting, filling.
      assertEquals([broken, brokenTwice, b.nWaiting], [[true, true], [], 0]);
      assertEquals(stateOf(b), "[filling, waiters:0/5]>");
    }
    {
      // test_reset_barrier_while_tasks_draining
      const b = new Barrier(n);
      let count = 0, passed = 0, failed = 0, last = 0;
      await inParallel(n, async () => {
        await b.wait();
        count++;
        if (count === n) {
          await b.reset(); // everyone has left: nobody is broken
          await b.wait();
        } else {
          try {
            await b.wait();
            passed++;
          } catch {
            failed++;
          }
        }
        await b.wait();
        last++;
      });
      // CPython 3.11: 4, 0, 5, not broken.
      assertEquals([passed, failed, last, b.nWaiting, b.broken], [4, 0, 5, 0, false]);
    }
  }));

Deno.test("Barrier.abort() breaks both waiting and newly arriving tasks; reset() afterwards makes it usable (test_abort_barrier_*)", () =>
  inLoop(async () => {
    const n = 5;
    {
      // test_abort_barrier_when_tasks_half_draining_half_blocking
      const b = new Barrier(n);
      const r1: boolean[] = [], r2: string[] = [];
      let count = 0;
      await inParallel(n, async () => {
        if (await brokenWait(b)) {
          r1.push(true);
          return;
        }
        count++;
        if (count > Math.floor(n / 2)) {
          await b.abort();
        } else {
          const err = await brokenWait(b);
          if (err) r2.push(err.message);
        }
      });
      // CPython 3.11: [True, True], ['Barrier aborted'] * 2, broken.
      assertEquals([r1, r2, b.nWaiting, b.broken], [
        [true, true],
        ["Barrier aborted", "Barrier aborted"],
        0,
        true,
      ]);
      assertEquals(stateOf(b), "[broken]>");
    }
    {
      // test_abort_barrier_when_exception_then_resetting
      const b1 = new Barrier(n), b2 = new Barrier(n);
      let passed = 0, broke = 0, last = 0;
      await inParallel(n, async () => {
        try {
          const i = await b1.wait();
          if (i === Math.floor(n / 2)) throw new RuntimeError("boom");
          await b1.wait();
          passed++;
        } catch (err) {
          if (err instanceof BrokenBarrierError) broke++;
          else if (err instanceof RuntimeError) await b1.abort();
          else throw err;
        }
        const i = await b2.wait();
        if (i === Math.floor(n / 2)) await b1.reset();
        await b2.wait();
        await b1.wait();
        last++;
      });
      // CPython 3.11: 0, 4, 5, not broken.
      assertEquals([passed, broke, last, b1.broken, b1.nWaiting], [0, 4, 5, false, 0]);
    }
  }));

// ---- Queue ------------------------------------------------------------------

Deno.test("bounded Queue: a putter blocks after maxsize items and resumes one iteration after a get; a float maxsize rounds up; no deadlock (test_maxsize etc.)", () =>
  inLoop(async () => {
    const q = new Queue<number>(2);
    const put: number[] = [];
    const t = createTask(async () => {
      for (let i = 0; i < 3; i++) {
        await q.put(i);
        put.push(i);
      }
      return true;
    });
    const snaps: number[][] = [];
    await spin();
    snaps.push([...put]);
    await spin();
    snaps.push([...put]);
    const got = [await q.get()];
    snaps.push([...put]); // the get did not yield: the putter has not run
    await spin();
    snaps.push([...put]);
    got.push(await q.get(), await q.get());
    // CPython 3.11:
    assertEquals([snaps, got, t.done()], [[[0, 1], [0, 1], [0, 1], [0, 1, 2]], [0, 1, 2], true]);
    // test_float_maxsize: 1.3 holds two items.
    const f = new Queue<number>(1.3);
    f.putNowait(1);
    f.putNowait(2);
    assert(f.full());
    assertThrows(() => f.putNowait(3), QueueFull);
    // test_why_are_getters_waiting / test_why_are_putters_waiting: no deadlock.
    {
      const q = new Queue<number>(1);
      const got: number[] = [];
      await TaskGroup.run((tg) => {
        tg.createTask(async () => {
          for (let i = 0; i < 5; i++) await q.put(i);
        });
        tg.createTask(async () => {
          for (let i = 0; i < 5; i++) got.push(await q.get());
        });
      });
      assertEquals(got, [0, 1, 2, 3, 4]);
    }
    {
      const q = new Queue<number>(2);
      const got: number[] = [];
      await TaskGroup.run((tg) => {
        tg.createTask(async () => {
          await sleep(0);
          const n = q.qsize();
          for (let i = 0; i < n; i++) got.push(q.getNowait());
        });
        for (let i = 0; i < 4; i++) tg.createTask(() => q.put(i));
      });
      // CPython 3.11: [0, 1] taken, [2, 3] left.
      assertEquals([got, drain(q)], [[0, 1], [2, 3]]);
    }
  }));

Deno.test("Queue.get() cancelled around a put never loses an item (test_get_cancelled_race, test_get_cancel_drop_*)", () =>
  inLoop(async (loop) => {
    {
      // test_get_cancelled_race
      const q = new Queue<string>();
      const t1 = createTask(() => q.get());
      const t2 = createTask(() => q.get());
      await spin();
      t1.cancel();
      await spin();
      assert(t1.done());
      assertEquals(String(q), "<Queue maxsize=0 _getters[1]>");
      await q.put("a");
      assert(!t2.done());
      await spin();
      assertEquals(t2.result(), "a");
    }
    {
      // test_get_cancel_drop_one_pending_reader: woken by 1, cancelled.
      const q = new Queue<number>();
      let reader = createTask(() => q.get());
      await spin();
      q.putNowait(1);
      q.putNowait(2);
      reader.cancel();
      assert(await cancelled(reader));
      reader = createTask(() => q.get());
      assertEquals(await reader, 1, "if 2, then 1 was dropped");
      assertEquals(q.qsize(), 1);
    }
    {
      // test_get_cancel_drop_many_pending_readers
      const q = new Queue<number>();
      const rs = [0, 1, 2].map(() => createTask(() => q.get()));
      await spin();
      q.putNowait(1);
      q.putNowait(2);
      rs[0].cancel();
      assert(await cancelled(rs[0]));
      // CPython 3.11: both other readers are done by now, with 1 and 2.
      assertEquals([rs[1].done(), rs[2].done()], [true, true]);
      assertEquals([rs[1].result(), rs[2].result(), q.qsize()], [1, 2, 0]);
    }
    {
      // test_cancelled_getters_not_being_held_in_self_getters
      const q = new Queue<number>(5);
      await assertRejects(() => waitFor(() => q.get(), 0.1), TimeoutError);
      assertAlmostEquals(loop.time(), 0.1, 1e-9);
      assertEquals(String(q), "<Queue maxsize=5>");
    }
  }));

Deno.test("Queue.put() cancelled while full or just after being woken adds nothing and loses no slot (test_put_cancelled_race etc.)", () =>
  inLoop(async () => {
    {
      // test_put_cancelled_race
      const q = new Queue<string>(1);
      const a = createTask(() => q.put("a"));
      const b = createTask(() => q.put("b"));
      const c = createTask(() => q.put("X"));
      await spin();
      assertEquals([a.done(), b.done()], [true, false]);
      c.cancel();
      await spin();
      assert(c.done());
      assertEquals(q.getNowait(), "a");
      await spin();
      assertEquals(q.getNowait(), "b");
      await b;
      assertEquals(String(q), "<Queue maxsize=1 tasks=2>");
    }
    {
      // test_put_cancel_drop: woken by a get, cancelled, retried.
      const q = new Queue<number>(1);
      q.putNowait(1);
      let writer = createTask(() => q.put(2));
      await spin();
      assertEquals(q.getNowait(), 1);
      writer.cancel();
      assert(await cancelled(writer));
      assertEquals(q.qsize(), 0, "the cancelled put added nothing");
      writer = createTask(() => q.put(2));
      await writer;
      assertEquals([q.getNowait(), q.qsize()], [2, 0]);
    }
    {
      // test_cancelled_puts_not_being_held_in_self_putters
      const q = new Queue<number>(1);
      q.putNowait(1);
      const put = createTask(() => q.put(1));
      await spin();
      assertEquals(String(q), "<Queue maxsize=1 _queue=[1] _putters[1] tasks=1>");
      put.cancel();
      assert(await cancelled(put));
      assertEquals(String(q), "<Queue maxsize=1 _queue=[1] tasks=1>");
    }
    {
      // test_cancelled_put_silence_value_error_exception: getNowait()
      // already took the putter out of the queue; the cancel must still
      // come out as a CancelledError.
      const q = new Queue<number>(1);
      q.putNowait(1);
      const put = createTask(() => q.put(1));
      await spin();
      q.getNowait();
      put.cancel();
      await assertRejects(() => put, CancelledError);
      assertEquals(String(q), "<Queue maxsize=1 tasks=1>");
    }
  }));

Deno.test("Queue, LifoQueue, PriorityQueue: taskDone() underflow, join() on an empty queue, two workers joined (_QueueJoinTestMixin)", () =>
  inLoop(async () => {
    const firstTaken: Record<string, number[]> = {};
    for (const Cls of [Queue, LifoQueue, PriorityQueue]) {
      const q = new Cls<number>();
      assertThrows(() => q.taskDone(), RangeError, "task_done() called too many times");
      await q.join();
      await q.join();
      for (let i = 0; i < 100; i++) q.putNowait(i);
      let acc = 0, running = true;
      const order: number[] = [];
      await TaskGroup.run(async (tg) => {
        const workers = [0, 1].map(() =>
          tg.createTask(async () => {
            while (running) {
              const item = await q.get();
              acc += item;
              order.push(item);
              q.taskDone();
            }
          })
        );
        await q.join();
        assertEquals(acc, 4950, Cls.name);
        running = false;
        for (const _ of workers) q.putNowait(0);
      });
      firstTaken[Cls.name] = order.slice(0, 3);
    }
    // CPython 3.11: one worker takes everything, in each class's order.
    assertEquals(firstTaken, {
      Queue: [0, 1, 2],
      LifoQueue: [99, 98, 97],
      PriorityQueue: [0, 1, 2],
    });
  }));

Deno.test("Queue.shutdown() on every queue class: blocked put fails next iteration, join() waits for taskDone(), immediate drops only queued items (3.13)", () =>
  inLoop(async () => {
    // _QueueShutdownTestMixin of CPython 3.13 (3.11 has no shutdown):
    // test_format, test_shutdown_empty, test_shutdown_nonempty,
    // test_shutdown_immediate, test_shutdown_immediate_with_unfinished.
    for (const Cls of [Queue, LifoQueue, PriorityQueue]) {
      const name = Cls.name;
      const expectShutdown = async (q: Queue<string>) => {
        await assertRejects(() => q.put("data"), QueueShutDown);
        assertThrows(() => q.putNowait("data"), QueueShutDown);
        await assertRejects(() => q.get(), QueueShutDown);
        assertThrows(() => q.getNowait(), QueueShutDown);
      };
      {
        // test_format, test_shutdown_empty
        const q = new Cls<string>();
        const getTask = createTask(() => q.get());
        await spin();
        q.shutdown();
        assertEquals(String(q), `<${name} maxsize=0 shutdown>`);
        assertEquals(q.qsize(), 0);
        await q.join();
        await spin();
        assert(getTask.done(), name);
        await assertRejects(() => getTask, QueueShutDown);
        await expectShutdown(q);
      }
      {
        // test_shutdown_nonempty
        const q = new Cls<string>(1);
        q.putNowait("data");
        const joinTask = createTask(() => q.join());
        const putTask = createTask(() => q.put("data2"));
        await spin();
        assert(!putTask.done());
        q.shutdown();
        assertEquals(q.qsize(), 1);
        await spin();
        assert(putTask.done(), `${name}: the blocked put ends one iteration later`);
        await assertRejects(() => putTask, QueueShutDown);
        assertEquals(await q.get(), "data");
        await spin();
        assert(!joinTask.done(), `${name}: join() waits for taskDone()`);
        await expectShutdown(q);
        q.taskDone();
        await spin();
        assert(joinTask.done());
        assertThrows(() => q.taskDone(), RangeError);
      }
      {
        // test_shutdown_immediate
        const q = new Cls<string>();
        q.putNowait("data");
        const joinTask = createTask(() => q.join());
        q.shutdown(true);
        assertEquals(q.qsize(), 0);
        await spin();
        assert(joinTask.done(), name);
        await expectShutdown(q);
        assertThrows(() => q.taskDone(), RangeError);
      }
      {
        // test_shutdown_immediate_with_unfinished: one item taken, not done.
        const q = new Cls<string>();
        q.putNowait("data");
        q.putNowait("data");
        const joinTask = createTask(() => q.join());
        assertEquals(await q.get(), "data");
        q.shutdown(true);
        assertEquals(q.qsize(), 0);
        await spin();
        assert(!joinTask.done(), `${name}: the taken item is still unfinished`);
        await expectShutdown(q);
        q.taskDone();
        assertThrows(() => q.taskDone(), RangeError);
        await spin();
        assert(joinTask.done());
      }
    }
  }));
