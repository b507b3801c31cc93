// Task (lib/tasks.ts): names, the coroutine, cancellation and its counts,
// the abort signal, unretrieved errors, sleep(0), currentTask/allTasks,
// stacks in debug mode. SPEC rules 5 and 6. Compared with CPython in
// tests/transcripts/task_cancel_*, task_names_*, task_sleep0_*.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { hostDelay, runFor, withLoop } from "./_util.ts";
import {
  allTasks,
  CancelledError,
  createEagerTaskFactory,
  createTask,
  currentTask,
  eagerTaskFactory,
  ensureFuture,
  EventLoop,
  getRunningLoop,
  Queue,
  RuntimeError,
  sleep,
  Task,
  TaskGroup,
  type TraceEvent,
  VirtualClock,
} from "../mod.ts";

Deno.test("Task names: Task-N by default, the name option, setName()", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const t = createTask(() => sleep(0));
      assert(/^Task-\d+$/.test(t.getName()), t.getName());
      const named = createTask(() => sleep(0), { name: "worker" });
      assertEquals(named.getName(), "worker");
      named.setName("renamed");
      assertEquals(named.getName(), "renamed");
      assert(String(named).includes("name='renamed'"), String(named));
      await t;
      await named;
    })
  ));

Deno.test("only a task created without a name draws the next Task-N (as CPython 3.13)", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const n = (t: Task<unknown>) => Number(t.getName().slice("Task-".length));
      const first = createTask(() => sleep(0));
      const named = loop.createTask(() => sleep(0), { name: "named" });
      const second = createTask(() => sleep(0), { name: "x" });
      const third = createTask(() => sleep(0));
      second.setName("y");
      const fourth = new Task(() => sleep(0), { loop });
      assertEquals([n(third) - n(first), n(fourth) - n(third)], [1, 1]);
      await Promise.all([first, named, second, third, fourth]);
    })
  ));

Deno.test("getCoro() returns the async function or promise the task runs", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const fn = () => sleep(0, 1);
      const t = createTask(fn);
      assertEquals(t.getCoro(), fn);
      const p = Promise.resolve(2);
      const u = createTask(p);
      assertEquals(u.getCoro(), p);
      assertEquals([await t, await u], [1, 2]);
    })
  ));

Deno.test("createTask() never starts the coroutine synchronously", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const log: string[] = [];
      const t = createTask(() => {
        log.push("started");
        return Promise.resolve();
      });
      log.push("created");
      await t;
      assertEquals(log, ["created", "started"]);
    })
  ));

Deno.test("Task rejects what is not a coroutine, and setResult/setException", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      assertThrows(() => createTask(42 as never), TypeError);
      const t = createTask(() => sleep(0));
      assertThrows(() => t.setResult(undefined), RuntimeError, "set_result");
      assertThrows(() => t.setException(new Error()), RuntimeError, "set_exception");
      await t;
    })
  ));

Deno.test("cancel() before the first step: the body never runs", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      let ran = false;
      const t = createTask(() => {
        ran = true;
        return Promise.resolve();
      });
      assert(t.cancel("early"));
      const err = await assertRejects(() => t, CancelledError);
      assertEquals(err.message, "early");
      assert(!ran && t.cancelled());
    })
  ));

Deno.test("cancel(msg) makes the pending await on a loop future throw CancelledError(msg)", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const fut = loop.createFuture<number>();
      const log: string[] = [];
      const t = createTask(async () => {
        try {
          await fut;
        } catch (e) {
          log.push(`${(e as Error).name}:${(e as Error).message}`);
          throw e;
        }
      });
      await sleep(0);
      assert(t.cancel("stop"));
      assert(fut.cancelled(), "the awaited future is cancelled with the task");
      await assertRejects(() => t, CancelledError, "stop");
      assertEquals(log, ["CancelledError:stop"]);
      assert(t.cancelled());
      assert(!t.cancel(), "a done task cannot be cancelled");
    })
  ));

Deno.test("cancelling() counts requests; uncancel() takes one back", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const t = createTask(async () => {
        try {
          await sleep(1);
        } catch {
          // swallowed: the task goes on
        }
        return "went on";
      });
      await sleep(0);
      assertEquals(t.cancelling(), 0);
      t.cancel();
      t.cancel();
      assertEquals(t.cancelling(), 2);
      assertEquals(t.uncancel(), 1);
      assertEquals(await t, "went on");
      assert(!t.cancelled());
      assertEquals(t.cancelling(), 1);
      assertEquals(t.uncancel(), 0);
      assertEquals(t.uncancel(), 0, "never below zero");
    })
  ));

Deno.test("uncancel() back to zero drops a cancel not yet delivered (as CPython 3.13)", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      let ran = false;
      const t = createTask(() => {
        ran = true;
        return Promise.resolve("ran");
      });
      t.cancel();
      t.uncancel();
      assertEquals(await t, "ran");
      assert(ran);
    })
  ));

Deno.test("a task may catch CancelledError and return a value", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const t = createTask(async () => {
        try {
          await sleep(10);
          return "slept";
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
          return "recovered";
        }
      });
      await sleep(0);
      t.cancel();
      assertEquals(await t, "recovered");
      assert(!t.cancelled() && t.cancelling() === 1);
    })
  ));

Deno.test("a task cancelled just as its future gets a result sees CancelledError", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const fut = loop.createFuture<number>();
      const t = createTask(async () => {
        try {
          return await fut;
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
          return -fut.result();
        }
      });
      await sleep(0);
      fut.setResult(42); // the task's wake-up is now scheduled ...
      assert(t.cancel()); // ... and the cancel still wins, as in asyncio
      assertEquals(await t, -42);
    })
  ));

Deno.test("a cancel during a foreign await is delivered at the next loop await", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const log: string[] = [];
      let release!: () => void;
      const foreign = new Promise<void>((resolve) => (release = resolve));
      const t = createTask(async () => {
        await foreign; // a promise the loop does not own: not interruptible
        log.push("after the foreign await");
        try {
          await sleep(0);
          log.push("not reached");
        } catch (e) {
          log.push(`at the next loop await: ${(e as Error).name}`);
          throw e;
        }
      });
      await sleep(0);
      t.cancel();
      setTimeout(release, 1);
      await assertRejects(() => t, CancelledError);
      assertEquals(log, ["after the foreign await", "at the next loop await: CancelledError"]);
    })
  ));

Deno.test("a task's signal aborts with a CancelledError when the task is cancelled", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const seen: string[] = [];
      const t = createTask(async () => {
        const signal = currentTask()!.signal;
        signal.addEventListener("abort", () => seen.push(String(signal.reason)));
        await sleep(1);
      });
      await sleep(0);
      assert(!t.signal.aborted);
      t.cancel("bye");
      assert(t.signal.aborted && t.signal.reason instanceof CancelledError);
      assertEquals(seen, ["CancelledError: bye"]);
      await assertRejects(() => t, CancelledError);

      const late = createTask(() => sleep(1));
      late.cancel();
      assert(late.signal.aborted, "a signal asked for after the cancel is already aborted");
      await assertRejects(() => late, CancelledError);
    })
  ));

Deno.test("after uncancel() to zero, signal is a fresh one (a caught timeout)", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const me = currentTask()!;
      const first = me.signal;
      me.cancel();
      assert(first.aborted);
      await assertRejects(() => sleep(0), CancelledError);
      me.uncancel();
      assert(!me.signal.aborted && me.signal !== first);
      assertEquals(me.signal, me.signal, "one signal until the next cancel");
    })
  ));

Deno.test("the signal stops a Deno operation the loop cannot interrupt", () =>
  withLoop(async (loop) => {
    await loop.runUntilComplete(async () => {
      const t = createTask(async () => {
        const signal = currentTask()!.signal;
        // A host timer standing in for fetch(): only the signal stops it.
        await new Promise((resolve, reject) => {
          const id = setTimeout(resolve, 10_000);
          signal.addEventListener("abort", () => {
            clearTimeout(id);
            reject(signal.reason);
          });
        });
      });
      await sleep(0);
      t.cancel();
      await assertRejects(() => t, CancelledError);
    });
  }, { virtual: false }));

Deno.test("a failed task nobody looked at is reported: Task exception was never retrieved", async () => {
  const boom = new Error("boom");
  await withLoop(async (loop, errors) => {
    await loop.runUntilComplete(async () => {
      createTask(() => Promise.reject(boom));
      await sleep(0);
      await sleep(0);
    });
    loop.close();
    assertEquals(errors.map((e) => [e.message, e.exception]), [
      ["Task exception was never retrieved", boom],
    ]);
  }, { expectErrors: 1 });
});

Deno.test("a failed task whose error was awaited is not reported", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const t = createTask(() => Promise.reject(new Error("seen")));
      await assertRejects(() => t, Error, "seen");
    })
  ));

Deno.test("sleep(0) yields exactly one loop iteration", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const log: string[] = [];
      loop.callSoon(() => log.push("queued before"));
      const before = loop.iteration;
      await sleep(0);
      log.push("resumed");
      assertEquals(loop.iteration - before, 1);
      assertEquals(log, ["queued before", "resumed"]);
      assertEquals(await sleep(0, "value"), "value");
      assertEquals(await sleep(-1, "negative is zero"), "negative is zero");
    })
  ));

Deno.test("sleep() rejects NaN and needs a running loop", () => {
  assertThrows(() => sleep(NaN), TypeError);
  assertThrows(() => sleep("1" as unknown as number), TypeError);
  assertThrows(() => sleep(1), RuntimeError, "no running event loop");
});

Deno.test("sleep(Infinity) waits until cancelled, as CPython's sleep(math.inf)", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const forever = createTask(() => sleep(Infinity));
      await sleep(3600);
      assert(!forever.done());
      assertEquals(loop.scheduledHandles().length, 0, "no timer at all");
      forever.cancel();
      await assertRejects(() => forever, CancelledError);
    })
  ));

Deno.test("currentTask() across awaits; null in a plain callback; allTasks() has pending tasks only", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const me = currentTask()!;
      assert(me instanceof Task);
      await Promise.resolve(); // a foreign await keeps the context
      assertEquals(currentTask(), me);
      let inCallback: unknown = "unset";
      loop.callSoon(() => (inCallback = currentTask()));
      await sleep(0);
      assertEquals(inCallback, null);
      const t = createTask(() => sleep(0.1));
      const done = createTask(() => sleep(0));
      await done;
      assertEquals(allTasks(), new Set([me, t]));
      assertEquals(allTasks(loop), new Set([me, t]));
      await t;
      assertEquals(allTasks(), new Set([me]));
    })
  ));

Deno.test("ensureFuture: a future as is, a function or promise wrapped in a task", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const fut = loop.createFuture();
      assertEquals(ensureFuture(fut), fut);
      const t = ensureFuture(() => sleep(0, "fn"));
      assert(t instanceof Task);
      const p = ensureFuture(Promise.resolve("promise"));
      assertEquals([await t, await p], ["fn", "promise"]);
      assertThrows(() => ensureFuture(1 as never), TypeError);
      const other = new EventLoop();
      assertThrows(() => ensureFuture(fut, { loop: other }), TypeError, "different loop");
      other.close();
      fut.cancel();
    })
  ));

Deno.test("debug mode: getStack()/printStack() show where a suspended task waits and who made it", async () => {
  const loop = new EventLoop({ clock: new VirtualClock(), debug: true });
  try {
    await loop.runUntilComplete(async () => {
      async function deepSleeper() {
        await sleep(1);
      }
      const t = createTask(deepSleeper, { name: "sleepy" });
      await sleep(0);
      const frames = t.getStack();
      assert(frames.some((f) => f.includes("deepSleeper")), frames.join("\n"));
      assertEquals(t.getStack({ limit: 1 }).length, 1);
      const out: string[] = [];
      t.printStack({ write: (s) => out.push(s) });
      assert(out[0].startsWith("Stack for <Task pending name='sleepy'"), out[0]);
      assert(out[0].includes("deepSleeper"));
      // Who created it, as asyncio's repr in debug mode: `created at file:line`.
      assert(/ created at file:.*tasks_test\.ts:\d+:\d+>/.test(String(t)), String(t));

      const failing = createTask(() => Promise.reject(new RangeError("bad")));
      await assertRejects(() => failing, RangeError);
      out.length = 0;
      failing.printStack({ write: (s) => out.push(s) });
      assert(out[0].startsWith("Traceback for"), out[0]);
      assert(out[0].endsWith("RangeError: bad"), out[0]);
      t.cancel();
      await assertRejects(() => t, CancelledError);
      out.length = 0;
      t.printStack({ write: (s) => out.push(s) });
      assert(out[0].startsWith("No stack for"), out[0]);
      assertEquals(getRunningLoop(), loop);
    });
  } finally {
    loop.close();
  }
});

// ---- After close(), and across loops --------------------------------------

Deno.test("a task a host promise finishes after loop.close() does not crash the process", async () => {
  // Its completion would wake a task waiting on it; a closed loop drops that
  // wake-up instead of throwing inside the promise's reaction.
  const loop = new EventLoop();
  const first = loop.createTask(() => hostDelay(30));
  const second = loop.createTask(async () => {
    await first;
  });
  loop.callLater(0.005, () => loop.stop());
  await loop.runForever();
  loop.close();
  await hostDelay(60); // an unhandled rejection here would fail this test
  assert(first.done() && !second.done());
});

Deno.test("new Task() on a closed loop throws before registering; cancel() of a waiting task throws", async () => {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const waiting = loop.createTask(() => loop.createFuture());
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  loop.close();
  assertThrows(() => new Task(() => sleep(0), { loop }), RuntimeError, "Event loop is closed");
  assertEquals(allTasks(loop).size, 1);
  // As asyncio: cancelling the awaited future would call_soon on a closed loop.
  assertThrows(() => waiting.cancel(), RuntimeError, "Event loop is closed");
});

Deno.test("cancel() of a failed task counts as looking at its error (nothing reported at close)", () =>
  withLoop(async (loop) => {
    const task = loop.createTask(() => Promise.reject(new Error("boom")));
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    await loop.runUntilComplete(() => sleep(0));
    assertEquals(task.cancel(), false);
  }));

Deno.test("async work a finished task started may await a future of another loop", async () => {
  // The task's context follows the work it started; once the task is done,
  // that work is not the task awaiting (no 'attached to a different loop').
  const a = new EventLoop({ clock: new VirtualClock() });
  const b = new EventLoop();
  const fut = b.createFuture<number>();
  let got: unknown = null;
  let work!: Promise<void>;
  await a.runUntilComplete(() => {
    work = (async () => {
      await hostDelay(5);
      got = await fut;
    })();
  });
  a.close();
  b.callLater(0.02, () => fut.setResult(42));
  await b.runUntilComplete(work); // b runs until the work is done, however slow the machine
  b.close();
  assertEquals(got, 42);
});

Deno.test("a task a host promise resumes between two runs sleeps on its own loop (no 'no running event loop')", async () => {
  const loop = new EventLoop();
  const log: string[] = [];
  const task = loop.createTask(async () => {
    await hostDelay(30);
    log.push("back");
    await sleep(0.01);
    log.push("slept");
  });
  loop.callLater(0.005, () => loop.stop());
  await loop.runForever(); // the task now awaits the host timer
  await hostDelay(60); // it resumes while the loop is stopped, and sleeps
  assertEquals(log, ["back"]);
  await loop.runUntilComplete(task);
  loop.close();
  assertEquals(log, ["back", "slept"]);
});

Deno.test("fut.then(callback) in a task's code is a callback, not the task waiting (one or two functions)", () =>
  withLoop(async (loop) => {
    const log: string[] = [];
    // deno-lint-ignore require-await -- a task that never awaits: the case under test
    const one = loop.createTask(async () => {
      sleep(0.3).then(() => log.push("one-arg then"));
      return "one";
    });
    // deno-lint-ignore require-await -- as above
    const two = loop.createTask(async () => {
      sleep(0.2).then(() => log.push("two-arg then"), () => log.push("never"));
      return "two";
    });
    const wrapped = loop.createTask(async () => {
      const inner = loop.createTask(sleep(0.1, "inner"), { name: "inner" });
      return await inner;
    });
    await runFor(loop, 0.5);
    assertEquals([one.result(), two.result(), wrapped.result()], ["one", "two", "inner"]);
    assertEquals(log, ["two-arg then", "one-arg then"]);
  }));

Deno.test("a task awaiting Promise.all of loop futures is waiting on the loop: a virtual clock still jumps", () =>
  withLoop(async (loop) => {
    const task = loop.createTask(async () => {
      const values = await Promise.all([sleep(1, "a"), sleep(2, "b")]);
      await sleep(0.5);
      return [values, loop.time()];
    });
    assertEquals(await loop.runUntilComplete(task), [["a", "b"], 2.5]);
    const cancelled = loop.createTask(() => Promise.all([sleep(1), sleep(2)]));
    loop.callLater(0.5, () => cancelled.cancel());
    await runFor(loop, 3);
    assert(cancelled.cancelled(), "cancel reaches a task waiting through Promise.all");
  }));

Deno.test("virtual clock: code that a promise reaction resumes runs before the clock jumps (Promise.race of sleeps)", () =>
  withLoop(async (loop) => {
    const task = loop.createTask(async () => {
      const first = await Promise.race([sleep(2, "slow"), sleep(0.5, "fast")]);
      const then = await sleep(1, 21).then((x) => x * 2);
      const resolved = await Promise.resolve(sleep(0.25, "resolved"));
      return [first, then, resolved, loop.time()];
    });
    // asyncio.wait(FIRST_COMPLETED) then sleeps: 0.5 + 1 + 0.25.
    assertEquals(await loop.runUntilComplete(task), ["fast", 42, "resolved", 1.75]);
    await runFor(loop, 2); // the race's slow sleep still fires, harmlessly
  }));

Deno.test("argument errors show the value as repr() would, even one with no string form (sleep, Queue)", () => {
  const unprintable = Object.create(null);
  assertThrows(() => sleep(unprintable), TypeError, "got {}");
  assertThrows(() => sleep("1" as unknown as number), TypeError, "got '1'");
  assertThrows(() => new Queue(unprintable), TypeError, "maxsize must be a number, got {}");
  assertThrows(() => new Queue("3" as unknown as number), TypeError, "got '3'");
});

// ---- Eager tasks and task factories (CPython 3.12) ----------------------
// Compared with CPython 3.12 in tests/transcripts/task_eager_*.

Deno.test("an eager task that returns without awaiting is done inside createTask, never queued", () =>
  withLoop(async (loop) => {
    const events: string[] = [];
    const stop = loop.addTraceListener((e: TraceEvent) => {
      if (e.kind === "start" && e.handle.task !== null) {
        events.push(`step ${e.handle.task.getName()}`);
      }
    });
    await loop.runUntilComplete(() => {
      loop.setTaskFactory(eagerTaskFactory);
      const iteration = loop.iteration;
      // deno-lint-ignore require-await
      const t = createTask(async () => "memo", { name: "memo" });
      const sync = createTask(() => 42); // a plain function: its value is the result
      assertEquals([t.done(), t.result(), sync.result()], [true, "memo", 42]);
      assert(!loop.readyHandles().some((h) => h.task === t), "its step was never queued");
      assertEquals(loop.iteration, iteration);
    });
    stop();
    assertEquals(events.filter((e) => e.includes("memo")), []);
  }));

Deno.test("an eager task that throws before awaiting fails inside createTask (no unhandled rejection)", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      loop.setTaskFactory(eagerTaskFactory);
      // deno-lint-ignore require-await
      const t = createTask(async () => {
        throw new RangeError("early");
      });
      assert(t.done());
      assertThrows(() => t.result(), RangeError, "early");
      const sync = createTask(() => {
        throw new TypeError("sync");
      });
      assertThrows(() => sync.result(), TypeError, "sync");
      await sleep(0); // an unhandled rejection would fail the test here
    })
  ));

Deno.test("an eager task's code after awaiting a done future runs before the loop's next handle", () =>
  withLoop(async (loop) => {
    const order: string[] = [];
    loop.setTaskFactory(eagerTaskFactory);
    const done = loop.createFuture<string>();
    done.setResult("x");
    loop.callSoon(() => {
      loop.createTask(async () => {
        order.push("task before await");
        order.push(`task after await ${await done}`);
        await done;
        order.push("task after second await");
      });
      order.push("callback returns");
    });
    loop.callSoon(() => order.push("next callback"));
    await runFor(loop, 0.01);
    assertEquals(order, [
      "task before await",
      "callback returns",
      "task after await x",
      "task after second await",
      "next callback",
    ]);
  }));

Deno.test("an eager task awaiting a host promise in its first step waits outside the loop", () =>
  withLoop(async (loop) => {
    await loop.runUntilComplete(async () => {
      loop.setTaskFactory(eagerTaskFactory);
      const t = createTask(async () => {
        await hostDelay(10);
        return "back";
      });
      await sleep(0);
      assertEquals(loop.externalWaits, 1);
      assertEquals(await t, "back");
      assertEquals(loop.externalWaits, 0);
    });
  }, { virtual: false }));

Deno.test("Task({ eagerStart }) starts at once on a running loop only; allTasks sees it while it runs", () =>
  withLoop(async (loop) => {
    const lazy = new Task(() => allTasks(loop).size, { loop, eagerStart: true });
    assert(!lazy.done());
    await loop.runUntilComplete(async () => {
      let inside = false;
      const t = new Task(() => {
        inside = allTasks().has(currentTask()!);
        return "eager";
      }, { loop, eagerStart: true });
      assert(inside && t.done() && !allTasks().has(t));
      await lazy;
    });
  }));

Deno.test("createTask with a factory: it gets { context } only when given one, the name comes after", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const calls: unknown[] = [];
      const eager = createEagerTaskFactory(Task);
      loop.setTaskFactory((l, coro, options) => {
        calls.push(options === undefined ? "no options" : Object.keys(options));
        return eager(l, coro, options);
      });
      const t = createTask(() => currentTask()!.getName(), { name: "later" });
      assert(/^Task-\d+$/.test(t.result()), t.result());
      assertEquals(t.getName(), "later");
      const { Context } = await import("../mod.ts");
      createTask(() => 1, { context: new Context() });
      assertEquals(calls, ["no options", ["context"]]);
      assertThrows(() => loop.setTaskFactory("no" as never), TypeError);
      loop.setTaskFactory(null);
      assertEquals(loop.getTaskFactory(), null);
      assert(!createTask(() => 1).done());
      await sleep(0);
    })
  ));

Deno.test("a TaskGroup of eager tasks that finish at once, and of some that suspend", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      loop.setTaskFactory(eagerTaskFactory);
      const results = await TaskGroup.run((tg) =>
        [1, 2, 3].map((i) =>
          tg.createTask(async () => {
            if (i === 2) await sleep(0.01);
            return i;
          })
        )
      );
      assertEquals(results.map((t) => t.result()), [1, 2, 3]);
    })
  ));

Deno.test("a step of several hops ends before the next task's step begins (steps chained without the loop's hop)", () =>
  withLoop(async (loop) => {
    const log: string[] = [];
    // deno-lint-ignore require-await
    const inner = async (name: string) => log.push(`${name} inner`);
    const task = async (name: string) => {
      for (let i = 0; i < 2; i++) {
        await sleep(0);
        log.push(`${name} a${i}`);
        await inner(name);
        const p = sleep(0); // suspends here: the next step may be started now
        log.push(`${name} b${i}`); // but it runs only after this task's code
        await p;
      }
    };
    loop.createTask(() => task("A"));
    loop.createTask(() => task("B"));
    await runFor(loop, 0.01);
    const expected: string[] = [];
    for (let i = 0; i < 2; i++) {
      for (const n of ["A", "B"]) expected.push(`${n} a${i}`, `${n} inner`, `${n} b${i}`);
    }
    assertEquals(log, expected);
  }));

Deno.test("a user's AsyncLocalStorage works inside and around tasks; currentTask() stays right in it", () =>
  withLoop(async (loop) => {
    const { AsyncLocalStorage } = await import("node:async_hooks");
    const als = new AsyncLocalStorage<string>();
    const seen: unknown[] = [];
    await als.run("around", () =>
      loop.runUntilComplete(async () => {
        const me = currentTask();
        seen.push(als.getStore());
        await als.run("inside", async () => {
          seen.push(currentTask() === me, als.getStore());
          await sleep(0);
          await new Promise((resolve) => setTimeout(resolve, 1));
          seen.push(currentTask() === me, als.getStore());
        });
        seen.push(als.getStore());
        const child: Task<unknown[]> = loop.createTask(async () => {
          await sleep(0);
          return [currentTask() === child, als.getStore()];
        });
        seen.push(...await child);
      }));
    assertEquals(seen, ["around", true, "inside", true, "inside", "around", true, "around"]);
  }, { virtual: false }));
