// Worker executors: runInExecutor, toThread, errors, cancellation, the pool
// bound, shutdown, and callSoonThreadsafe from outside the loop.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { withLoop } from "./_util.ts";
import { _liveWorkers } from "../lib/threads.ts";
import {
  callSoonThreadsafe,
  CancelledError,
  ConcurrentFuture,
  EventLoop,
  gather,
  getRunningLoop,
  InvalidStateError,
  loopPort,
  run,
  runCoroutineThreadsafe,
  RuntimeError,
  sleep,
  TimeoutError,
  toThread,
  transfer,
  VirtualClock,
  waitFor,
  WorkerExecutor,
  type WorkerFunction,
  wrapFuture,
} from "../mod.ts";

const WORK = import.meta.resolve("./fixtures/worker_work.ts");
const fn = (name: string): WorkerFunction => ({ module: WORK, name });

Deno.test("runInExecutor(null) runs a named export on the default executor", async () => {
  const result = await run(async () => {
    const loop = getRunningLoop();
    const [a, b] = [loop.runInExecutor<number>(null, fn("fib"), 20), toThread(fn("later"), 5, "x")];
    return [await a, await b];
  });
  assertEquals(result, [6765, "x"]);
  assertEquals(_liveWorkers(), 0, "run() shut the default executor down");
});

Deno.test("errors come back with their class (built-ins), name, message and stack", async () => {
  await run(async () => {
    const range = await assertRejects(() => toThread(fn("fail"), "too far"), RangeError);
    assertEquals(range.message, "too far");
    assert(range.stack!.includes("worker_work.ts"), range.stack);
    const custom = await assertRejects(() => toThread(fn("failCustom")), Error);
    assertEquals([custom.name, custom.message], ["QuotaError", "over quota"]);
    const clone = await assertRejects(() => toThread(fn("unclonable")), Error);
    assertEquals(clone.name, "DataCloneError");
    await assertRejects(() => toThread(fn("nope")), TypeError, "no exported function named 'nope'");
  });
});

Deno.test("a closure, a relative module or an executor that is not one is a TypeError at the call", async () => {
  await run(() => {
    const loop = getRunningLoop();
    const closure = (() => 1) as unknown as WorkerFunction;
    assertThrows(() => loop.runInExecutor(null, closure), TypeError, "cannot run a closure");
    assertThrows(
      () => loop.runInExecutor(5 as never, fn("fib"), 10),
      TypeError,
      "executor must be a WorkerExecutor or null, got 5",
    );
    assertThrows(
      () => toThread({ module: "./fixtures/worker_work.ts", name: "fib" }),
      TypeError,
      "absolute URL",
    );
  });
});

Deno.test("arguments that cannot be cloned fail the future, not the pool", async () => {
  await using pool = new WorkerExecutor({ maxWorkers: 1 });
  await assertRejects(() => pool.submit(fn("fib"), () => 1), Error, "could not be cloned");
  assertEquals(await pool.submit(fn("fib"), 10), 55);
});

Deno.test("a WorkerExecutor never runs more than maxWorkers Workers", async () => {
  const pool = new WorkerExecutor({ maxWorkers: 2 });
  await withLoop(async (loop) => {
    const futures = Array.from(
      { length: 6 },
      () => loop.runInExecutor<string>(pool, fn("spin"), 20),
    );
    let most = 0;
    const watch = setInterval(() => most = Math.max(most, pool.workers), 1);
    const ids = await loop.runUntilComplete(async () => {
      const out = [];
      for (const f of futures) out.push(await f);
      return out;
    });
    clearInterval(watch);
    assertEquals(new Set(ids).size, 2);
    assert(most <= 2, `saw ${most} workers`);
  }, { virtual: false });
  await pool.shutdown();
  assertEquals(pool.workers, 0);
});

Deno.test("cancelling running work terminates its Worker; queued work never starts", async () => {
  await using pool = new WorkerExecutor({ maxWorkers: 1 });
  await withLoop(async (loop) => {
    await loop.runUntilComplete(async () => {
      const first = await loop.runInExecutor<string>(pool, fn("whoAmI"));
      const running = loop.runInExecutor(pool, fn("spin"), 10_000);
      const queued = loop.runInExecutor(pool, fn("whoAmI"));
      await sleep(0.05);
      running.cancel();
      queued.cancel();
      await assertRejects(() => running, CancelledError);
      await assertRejects(() => queued, CancelledError);
      // The spinning Worker is gone; the next job gets a new one at once.
      const t0 = performance.now();
      const next = await loop.runInExecutor<string>(pool, fn("whoAmI"));
      assert(next !== first, "expected a fresh worker");
      assert(performance.now() - t0 < 5000);
      assertEquals(pool.workers, 1);
    });
  }, { virtual: false });
});

Deno.test("shutdown(): waits for work, then refuses more", async () => {
  const pool = new WorkerExecutor({ maxWorkers: 2 });
  const work = [pool.submit(fn("later"), 30, 1), pool.submit(fn("later"), 30, 2)];
  await pool.shutdown();
  assertEquals(await Promise.all(work), [1, 2]);
  assertEquals(pool.workers, 0);
  assertThrows(() => pool.submit(fn("fib"), 1), RuntimeError, "after shutdown");
});

/** A job held running: `gate` (worker_work.ts) says when it started and waits to be let go. */
class Gate {
  readonly buffer = new SharedArrayBuffer(8);
  #words = new Int32Array(this.buffer);

  /** Resolves once the job runs. */
  async started(): Promise<void> {
    const wait = Atomics.waitAsync(this.#words, 0, 0, 10_000);
    if (wait.async) await wait.value;
  }

  /** Let the job return. */
  open(): void {
    Atomics.store(this.#words, 1, 1);
    Atomics.notify(this.#words, 1);
  }
}

Deno.test("shutdown({ cancelFutures: true }) cancels work not started; running work finishes", async () => {
  const pool = new WorkerExecutor({ maxWorkers: 1 });
  const gate = new Gate();
  const running = pool.submit(fn("gate"), gate.buffer, "ran");
  const queued = pool.submit(fn("fib"), 10).catch((e) => e);
  await gate.started();
  const done = pool.shutdown({ cancelFutures: true });
  assert(await queued instanceof CancelledError);
  gate.open();
  await done;
  assertEquals(await running, "ran");
  assertEquals(pool.workers, 0);
});

Deno.test("shutdownDefaultExecutor(): later runInExecutor(null) throws", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    assertEquals(await loop.runInExecutor(null, fn("fib"), 5), 5);
    await loop.shutdownDefaultExecutor();
    assertThrows(
      () => loop.runInExecutor(null, fn("fib"), 5),
      RuntimeError,
      "Executor shutdown has been called",
    );
  });
});

Deno.test("shutdownDefaultExecutor(timeout) warns past the timeout and lets the work finish", async () => {
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (msg: string) => warnings.push(msg);
  const gate = new Gate();
  try {
    const result = await run(async () => {
      const loop = getRunningLoop();
      const slow = loop.runInExecutor(null, fn("gate"), gate.buffer, "finished anyway");
      await gate.started();
      await loop.shutdownDefaultExecutor(0.05);
      assert(!slow.done(), "the job was stopped");
      gate.open();
      return await slow;
    });
    assertEquals(result, "finished anyway");
  } finally {
    console.warn = warn;
    gate.open();
  }
  assertEquals(warnings, [
    "The executor did not finishing joining its threads within 0.05 seconds.",
  ]);
  assertEquals(_liveWorkers(), 0);
});

Deno.test("loop.close() shuts the default executor down without waiting: an idle Worker ends at once", async () => {
  await withLoop(async (loop) => {
    await loop.runUntilComplete(() => loop.runInExecutor(null, fn("fib"), 1));
    assertEquals(_liveWorkers(), 1);
    loop.close();
    assertEquals(_liveWorkers(), 0);
  }, { virtual: false });
});

Deno.test("loop.close() lets the default executor's running work finish, as CPython's close()", async () => {
  const gate = new Gate();
  const done: string[] = [];
  await withLoop(async (loop) => {
    const busy = loop.runInExecutor<string>(null, fn("gate"), gate.buffer, "finished");
    busy.addDoneCallback(() => done.push("callback"));
    await gate.started();
    loop.close();
    assertEquals(_liveWorkers(), 1, "the running job was not stopped");
  }, { virtual: false });
  gate.open();
  for (let i = 0; i < 500 && _liveWorkers() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assertEquals(_liveWorkers(), 0, "its Worker ended after the job");
  assertEquals(done, [], "a closed loop runs no done-callback");
});

Deno.test("setDefaultExecutor() shuts the pool it replaces down: idle Workers now, busy ones after their job", async () => {
  const result = await run(async () => {
    const loop = getRunningLoop();
    await loop.runInExecutor(null, fn("fib"), 1);
    const busy = loop.runInExecutor(null, fn("later"), 500, "old pool");
    const idle = loop.runInExecutor(null, fn("fib"), 2);
    await idle;
    assertEquals(_liveWorkers(), 2);
    const pool = new WorkerExecutor({ maxWorkers: 1 });
    loop.setDefaultExecutor(pool);
    assertEquals(_liveWorkers(), 1, "the idle Worker ended at once");
    loop.setDefaultExecutor(pool); // the same pool again is not a replacement
    const fresh = await loop.runInExecutor(null, fn("fib"), 3);
    return [fresh, await busy, _liveWorkers()];
  });
  assertEquals(result, [2, "old pool", 1]);
  assertEquals(_liveWorkers(), 0);
});

Deno.test("no Worker outlives run() or Runner.close(), however they end (a process of its own each)", async () => {
  const expected: Record<string, unknown> = {
    replaced: 1,
    replacedBusy: ["new pool", "old pool"],
    mainThrows: "main failed",
    leftover: "main done",
    runner: 5,
  };
  for (const [scenario, result] of Object.entries(expected)) {
    // A Worker left alive keeps the process running: the timeout kills it.
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--allow-read",
        import.meta.resolve("./fixtures/executor_exit.ts"),
        scenario,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(20_000),
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals([scenario, out.code, out.signal, stderr], [scenario, 0, null, ""]);
    assertEquals(JSON.parse(new TextDecoder().decode(out.stdout)), result);
  }
});

Deno.test("setDefaultExecutor() takes only a WorkerExecutor", async () => {
  const pool = new WorkerExecutor({ maxWorkers: 1 });
  await withLoop(async (loop) => {
    assertThrows(() => loop.setDefaultExecutor({} as WorkerExecutor), TypeError);
    loop.setDefaultExecutor(pool);
    assertEquals(await loop.runUntilComplete(loop.runInExecutor(null, fn("fib"), 6)), 8);
  }, { virtual: false });
  assertEquals(pool.workers, 0, "close() ended the executor it was given");
});

Deno.test("new WorkerExecutor() checks maxWorkers", () => {
  assertThrows(() => new WorkerExecutor({ maxWorkers: 0 }), RangeError);
  assertThrows(() => new WorkerExecutor({ maxWorkers: 1.5 }), RangeError);
});

Deno.test("a virtual clock does not jump past work running in a Worker", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    // Were the Worker's time skipped, the 10 s timeout would fire at once.
    assertEquals(
      await waitFor(loop.runInExecutor(null, fn("later"), 30, "in time"), 10),
      "in time",
    );
    assert(loop.time() < 1, `virtual time ran ahead: ${loop.time()}`);
  }, { clock: new VirtualClock() });
});

Deno.test("a Worker that dies mid-job fails that job with a RuntimeError; the pool replaces it", async () => {
  const pool = new WorkerExecutor({ maxWorkers: 1 });
  const before = await pool.submit<string>(fn("whoAmI"));
  const closed = await assertRejects(() => pool.submit(fn("dieByClose")), RuntimeError);
  assertEquals(
    closed.message,
    "A Worker of the pool ended abruptly while running this job (it called close() or Deno.exit())",
  );
  await assertRejects(() => pool.submit(fn("dieByExit")), RuntimeError, "ended abruptly");
  const crashed = await assertRejects(() => pool.submit(fn("dieInCallback")), RuntimeError);
  assert(crashed.message.includes("boom in a callback"), crashed.message);
  assert(
    (crashed as Error & { cause?: unknown }).cause !== undefined,
    "the uncaught error is its cause",
  );
  const after = await pool.submit<string>(fn("whoAmI"));
  assert(after !== before, "a new Worker took over");
  assertEquals(pool.workers, 1);
  await pool.shutdown();
  assertEquals(_liveWorkers(), 0, "the dead Workers are counted out too");
});

Deno.test("jobs queued behind a job whose Worker dies still run, once each, in order", async () => {
  await using pool = new WorkerExecutor({ maxWorkers: 1 });
  const log = new SharedArrayBuffer(4 * 64);
  const dying = pool.submit(fn("dieByClose")).catch((e) => e.name);
  const rest = Array.from({ length: 20 }, (_, i) => pool.submit<number>(fn("logStart"), log, i));
  assertEquals([await dying, ...await Promise.all(rest)], [
    "RuntimeError",
    ...Array.from({ length: 20 }, (_, i) => i),
  ]);
  const words = new Int32Array(log);
  assertEquals([...words.subarray(1, 1 + words[0])], Array.from({ length: 20 }, (_, i) => i));
});

Deno.test("every call runs exactly once: in the order made on one Worker, and on two with cancels", async () => {
  const N = 10_000;
  for (const maxWorkers of [1, 2]) {
    const pool = new WorkerExecutor({ maxWorkers });
    const log = new SharedArrayBuffer(4 * (N + 1));
    await withLoop(async (loop) => {
      const futures = Array.from(
        { length: N },
        (_, i) => loop.runInExecutor<number>(pool, fn("logStart"), log, i),
      );
      const cancelled = new Set<number>();
      if (maxWorkers === 2) {
        for (let i = 5; i < N; i += 97) if (futures[i].cancel()) cancelled.add(i);
      }
      const results = await loop.runUntilComplete(() =>
        gather(...futures, { returnExceptions: true })
      );
      results.forEach((r, i) => {
        if (cancelled.has(i)) assert(r instanceof CancelledError, `call ${i} was cancelled`);
        else assertEquals(r, i);
      });
      const words = new Int32Array(log);
      const started = [...words.subarray(1, 1 + words[0])];
      // A cancelled job may have started (then its Worker was terminated), once at most.
      const ran = started.filter((i) => !cancelled.has(i));
      const expected = Array.from({ length: N }, (_, i) => i).filter((i) => !cancelled.has(i));
      if (maxWorkers === 1) assertEquals(ran, expected);
      else assertEquals([...ran].sort((a, b) => a - b), expected);
      assertEquals(new Set(started).size, started.length, "no call ran twice");
    }, { virtual: false });
    await pool.shutdown();
  }
});

Deno.test("runInExecutor on a closed loop and submit after shutdown throw asyncio's RuntimeError", async () => {
  const loop = new EventLoop();
  loop.close();
  assertThrows(() => loop.runInExecutor(null, fn("fib"), 1), RuntimeError, "Event loop is closed");
  const pool = new WorkerExecutor();
  await pool.shutdown();
  assertThrows(
    () => pool.submit(fn("fib"), 1),
    RuntimeError,
    "cannot schedule new futures after shutdown",
  );
});

Deno.test("a WorkerExecutor starts Workers only for work no idle Worker can take, up to min(32, cores + 4)", async () => {
  const pool = new WorkerExecutor();
  assertEquals(pool.maxWorkers, Math.min(32, navigator.hardwareConcurrency + 4));
  assertEquals(pool.workers, 0);
  await pool.submit(fn("fib"), 1);
  await pool.submit(fn("fib"), 2);
  assertEquals(pool.workers, 1, "the idle Worker took the second job");
  const gates = [new Gate(), new Gate(), new Gate()];
  const held = gates.map((g, i) => pool.submit(fn("gate"), g.buffer, i));
  await Promise.all(gates.map((g) => g.started()));
  assertEquals(pool.workers, 3);
  for (const g of gates) g.open();
  assertEquals(await Promise.all(held), [0, 1, 2]);
  await pool.shutdown();
  assertEquals(pool.workers, 0);
});

Deno.test("transfer() moves buffers to the Worker and back; without it they are copied", async () => {
  await using pool = new WorkerExecutor({ maxWorkers: 1 });
  const bytes = new Uint8Array(1 << 20).fill(7);
  assertEquals(await pool.submit(fn("size"), bytes), 1 << 20);
  assertEquals(bytes.byteLength, 1 << 20, "copied: still here");
  assertEquals(await pool.submit(fn("size"), transfer(bytes)), 1 << 20);
  assertEquals(bytes.byteLength, 0, "moved: detached here");
  const back = await pool.submit<Uint8Array>(fn("makeBytes"), 1000, 9);
  assertEquals([back.byteLength, back[999]], [1000, 9]);
  // A value holding buffers names what moves.
  const a = new Uint8Array(4).fill(1), b = new Uint8Array(4).fill(2);
  const got = await pool.submit<{ a: Uint8Array; b: Uint8Array }>(
    fn("echo"),
    transfer({ a, b }, [a.buffer, b.buffer]),
  );
  assertEquals([got.a[0], got.b[0], a.byteLength, b.byteLength], [1, 2, 0, 0]);
  // Shared memory is shared either way.
  const shared = new Uint8Array(new SharedArrayBuffer(8));
  await pool.submit(fn("size"), transfer(shared));
  assertEquals(shared.byteLength, 8);
  assertThrows(() => transfer({ plain: true }), TypeError, "give the list");
});

Deno.test("arguments the codec leaves to structured clone keep their types and identity, in order with the rest", async () => {
  await using pool = new WorkerExecutor({ maxWorkers: 1 });
  const shared = { x: 1 };
  const values: unknown[] = [
    new Map([[1, "one"]]),
    new Date(0),
    new Set([1]),
    [1, , 3],
    10n,
    [shared, shared],
    "é".repeat(10_000),
    -0,
    NaN,
    "lone \ud800 surrogate",
    { ["__proto__"]: 1, ok: true },
  ];
  values[10] = JSON.parse('{"__proto__": 1, "ok": true}');
  const back = await Promise.all(values.map((v) => pool.submit(fn("echo"), v)));
  assertEquals(back, values.map((v) => structuredClone(v)));
  const pair = back[5] as object[];
  assert(pair[0] === pair[1], "a shared reference stays shared");
  assert(Object.is(back[7], -0));
  assert(1 in (back[3] as unknown[]) === false, "a hole stays a hole");
});

/**
 * Time from a host callback's `callSoonThreadsafe` to the callback running
 * on an idle loop (nothing ready, no timers), in milliseconds.
 */
async function wakeLatencies(
  loop: EventLoop,
  trigger: (poke: () => void) => Promise<void> | void,
  rounds: number,
): Promise<number[]> {
  const latencies: number[] = [];
  await loop.runUntilComplete(async () => {
    for (let i = 0; i < rounds; i++) {
      const fut = loop.createFuture<void>();
      await trigger(() => {
        const t0 = performance.now();
        loop.callSoonThreadsafe(() => {
          latencies.push(performance.now() - t0);
          fut.setResult();
        });
      });
      await fut;
    }
  });
  return latencies;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

Deno.test("callSoonThreadsafe() from a host timer wakes an idle loop at once", async () => {
  await withLoop(async (loop) => {
    const lat = await wakeLatencies(loop, (poke) => void setTimeout(poke, 2), 20);
    // A millisecond or two is the promise; the bound allows a loaded machine.
    assert(median(lat) < 20, `median ${median(lat)} ms`);
  }, { virtual: false });
});

Deno.test("callSoonThreadsafe() from a Worker's message wakes an idle loop at once", async () => {
  const worker = new Worker(
    "data:text/javascript,onmessage = (e) => setTimeout(() => postMessage(e.data), 2);",
    { type: "module" },
  );
  try {
    await withLoop(async (loop) => {
      const lat = await wakeLatencies(loop, (poke) => {
        worker.onmessage = poke;
        worker.postMessage(0);
      }, 20);
      assert(median(lat) < 20, `median ${median(lat)} ms`);
    }, { virtual: false });
  } finally {
    worker.terminate();
  }
});

Deno.test("callSoonThreadsafe() from a promise callback wakes an idle loop at once", async () => {
  await withLoop(async (loop) => {
    const lat = await wakeLatencies(loop, (poke) => {
      void crypto.subtle.digest("SHA-256", new Uint8Array(8)).then(poke);
    }, 20);
    assert(median(lat) < 20, `median ${median(lat)} ms`);
  }, { virtual: false });
});

// ---- runCoroutineThreadsafe from a Worker, wrapFuture ---------------------

const THREADSAFE_WORKER = new URL("./fixtures/threadsafe_worker.ts", import.meta.url);
const THREADSAFE_WORK = import.meta.resolve("./fixtures/threadsafe_work.ts");

/**
 * Run `scenario` of tests/fixtures/threadsafe_worker.ts against `loop`
 * (running), and return what the Worker reports; `onMessage` sees its
 * other messages.
 */
async function workerScenario(
  loop: EventLoop,
  scenario: string,
  onMessage: (data: unknown) => void = () => {},
): Promise<unknown> {
  const worker = new Worker(THREADSAFE_WORKER, { type: "module" });
  try {
    const result = new Promise<unknown>((resolve, reject) => {
      worker.onmessage = (e) =>
        e.data?.result !== undefined ? resolve(e.data.result) : onMessage(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(e.error ?? new Error(e.message));
      };
    });
    const port = loopPort(loop);
    worker.postMessage({ scenario, port }, [port]);
    return await result;
  } finally {
    worker.terminate();
  }
}

Deno.test("a Worker's 10,000 runCoroutineThreadsafe calls all come back, in order", () =>
  withLoop(async (loop) => {
    const result = await loop.runUntilComplete(() => wrapFuture(workerScenario(loop, "many")));
    assertEquals(result, { calls: 10_000, wrong: 0 });
  }, { virtual: false }));

Deno.test("a Worker's cancel() reaches the task on the loop; result(timeout) times out", async () => {
  const { counts } = await import(THREADSAFE_WORK);
  const before = counts();
  await withLoop(async (loop) => {
    const log = await loop.runUntilComplete(() => wrapFuture(workerScenario(loop, "cancel")));
    assertEquals(log, [
      "timeout: true",
      "cancel: true",
      "cancelled: true",
      "await: true",
      `then: ${JSON.stringify({ started: before.started + 1, cancelled: before.cancelled + 1 })}`,
    ]);
  }, { virtual: false });
});

Deno.test("closing the loop mid-call fails the Worker's future with a clear error", async () => {
  const loop = new EventLoop();
  const worker = workerScenario(loop, "closed", () => loop.stop());
  await loop.runForever(); // until the Worker has submitted its call
  loop.close();
  assertEquals(await worker, [
    "RuntimeError: Event loop closed before the coroutine finished",
    "RuntimeError: Event loop is closed",
    "RuntimeError: Event loop is closed",
  ]);
});

Deno.test("a Worker's callSoonThreadsafe calls run on the loop in the order made, coroutine calls among them", async () => {
  const { seen } = await import(THREADSAFE_WORK);
  seen.length = 0;
  await withLoop(async (loop) => {
    const coros = await loop.runUntilComplete(() => wrapFuture(workerScenario(loop, "soon")));
    assertEquals(coros, [0, 5_000, 10_000, 15_000, 20_000, 25_000].map((i) => `coro ${i}`));
    // Let the last callbacks run.
    await loop.runUntilComplete(() => sleep(0.05));
  }, { virtual: false });
  const calls = seen.filter((x: unknown) => typeof x !== "string" || x.startsWith("map"));
  assertEquals(
    calls,
    Array.from({ length: 30_000 }, (_, i) => i % 1_000 === 0 ? `map ${i}` : i),
  );
  // As CPython's run_coroutine_threadsafe: the task starts an iteration
  // after its call came, so after the call made just before it.
  for (const i of [5_000, 10_000, 15_000, 20_000, 25_000]) {
    const at = seen.indexOf(`coro ${i}`);
    assert(at > seen.indexOf(i - 1), `coro ${i} ran after call ${i - 1}`);
  }
});

Deno.test("errors of the coroutine, a missing export and unclonable arguments reach the Worker", () =>
  withLoop(async (loop) => {
    const log = await loop.runUntilComplete(() => wrapFuture(workerScenario(loop, "errors")));
    assertEquals(log, [
      "RangeError: no",
      `TypeError: ${THREADSAFE_WORK} has no exported function named 'missing'`,
      "unclonable: DataCloneError",
    ]);
  }, { virtual: false }));

Deno.test("runCoroutineThreadsafe on the loop's own thread: awaitable, result() refuses to block", () =>
  withLoop(async (loop) => {
    const fut = runCoroutineThreadsafe<number>(
      { module: THREADSAFE_WORK, name: "double" },
      loop,
      4,
    );
    assertThrows(() => fut.result(), RuntimeError, "would wait forever");
    assertEquals(await loop.runUntilComplete(() => wrapFuture(fut)), 8);
    assertEquals(fut.result(), 8);
    const sleeping = runCoroutineThreadsafe({ module: THREADSAFE_WORK, name: "sleeper" }, loop, 10);
    const wrapped = wrapFuture(sleeping, { loop });
    await loop.runUntilComplete(() => sleep(0));
    wrapped.cancel(); // cancelling the loop future cancels the concurrent one, and its task
    await loop.runUntilComplete(() => sleep(0));
    assert(sleeping.cancelled());
  }, { virtual: false }));

Deno.test("callSoonThreadsafe() takes a loopPort: an EventLoop is a TypeError, so is a closure", () =>
  withLoop((loop) => {
    const record = { module: THREADSAFE_WORK, name: "record" };
    assertThrows(() => callSoonThreadsafe(loop as never, record), TypeError, "takes a loopPort");
    const port = loopPort(loop);
    assertThrows(() => callSoonThreadsafe(port, (() => 1) as never), TypeError, "closure");
    port.close();
  }, { virtual: false }));

Deno.test("ConcurrentFuture: state, callbacks at once when done, InvalidStateError", () => {
  const fut = new ConcurrentFuture<number>();
  const seen: string[] = [];
  fut.addDoneCallback((f) => seen.push(`cb ${f.result()}`));
  assertEquals([fut.done(), fut.running(), fut.cancelled()], [false, false, false]);
  assertThrows(() => fut.result(0), TimeoutError);
  fut.setResult(3);
  fut.addDoneCallback((f) => seen.push(`late ${f.result()}`));
  assertEquals(seen, ["cb 3", "late 3"]);
  assertEquals([fut.exception(), fut.cancel()], [null, false]);
  assertThrows(() => fut.setResult(4), InvalidStateError);
  const failed = new ConcurrentFuture();
  failed.setException(new RangeError("x"));
  assertThrows(() => failed.result(), RangeError, "x");
  const cancelled = new ConcurrentFuture();
  assert(cancelled.cancel());
  assertThrows(() => cancelled.result(), CancelledError);
});

Deno.test("wrapFuture() of a promise settles on the loop; of a Future returns it", () =>
  withLoop(async (loop) => {
    const fut = loop.createFuture<number>();
    assert(wrapFuture(fut) === fut);
    const wrapped = wrapFuture(Promise.reject(new RangeError("no")), { loop });
    await assertRejects(() => loop.runUntilComplete(() => wrapped), RangeError, "no");
    fut.cancel();
  }, { virtual: false }));
