// run() and Runner (lib/runners.ts): SPEC rule 8. A loop per run, main to
// completion, leftovers cancelled and awaited, the loop closed. Compared with
// CPython in tests/transcripts/task_run_leftovers.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import {
  allTasks,
  CancelledError,
  createTask,
  type EventLoop,
  type ExceptionContext,
  getRunningLoop,
  run,
  Runner,
  RuntimeError,
  sleep,
  type Task,
  VirtualClock,
} from "../mod.ts";

Deno.test("run() returns main's result and closes its loop", async () => {
  let loop!: EventLoop;
  const result = await run(async () => {
    loop = getRunningLoop();
    await sleep(0.01);
    return "hello";
  });
  assertEquals(result, "hello");
  assert(loop.isClosed() && !loop.isRunning());
});

Deno.test("run() throws main's error, and still closes the loop", async () => {
  let loop!: EventLoop;
  await assertRejects(
    () =>
      run(async () => {
        loop = getRunningLoop();
        await sleep(0);
        throw new RangeError("main failed");
      }),
    RangeError,
    "main failed",
  );
  assert(loop.isClosed());
});

Deno.test("run() cancels the tasks main left behind and awaits their cleanup", async () => {
  const log: string[] = [];
  const clock = new VirtualClock();
  await run(async () => {
    for (const name of ["x", "y"]) {
      createTask(async () => {
        try {
          await sleep(100);
        } catch (e) {
          log.push(`${name} got ${(e as Error).name} at ${clock.now()}`);
          await sleep(1); // cleanup that takes time still finishes
          log.push(`${name} cleaned up at ${clock.now()}`);
          throw e;
        }
      });
    }
    await sleep(0);
    log.push("main returns");
  }, { clock });
  assertEquals(log, [
    "main returns",
    "x got CancelledError at 0",
    "y got CancelledError at 0",
    "x cleaned up at 1",
    "y cleaned up at 1",
  ]);
});

Deno.test("a leftover that fails while cancelled is reported, not thrown", async () => {
  const reported: ExceptionContext[] = [];
  const result = await run(async () => {
    getRunningLoop().setExceptionHandler((_loop, context) => reported.push(context));
    createTask(async () => {
      try {
        await sleep(100);
      } catch {
        throw new RangeError("failed during shutdown");
      }
    });
    await sleep(0);
    return "main result";
  }, { clock: new VirtualClock() });
  assertEquals(result, "main result");
  assertEquals(reported.map((c) => [c.message, (c.exception as Error).message]), [
    ["unhandled exception during asyncio.run() shutdown", "failed during shutdown"],
  ]);
});

Deno.test("run() inside a running loop is an error", async () => {
  await run(async () => {
    await assertRejects(
      () => run(() => sleep(0)),
      RuntimeError,
      "asyncio.run() cannot be called from a running event loop",
    );
    const runner = new Runner();
    await assertRejects(
      () => runner.run(() => sleep(0)),
      RuntimeError,
      "Runner.run() cannot be called from a running event loop",
    );
    await runner.close();
  });
});

Deno.test("run() options: debug mode and the clock reach the loop", async () => {
  const clock = new VirtualClock();
  const [debug, elapsed] = await run(async () => {
    const loop = getRunningLoop();
    await sleep(3600);
    return [loop.getDebug(), loop.time()];
  }, { debug: true, clock });
  assertEquals([debug, elapsed], [true, 3600]);
});

Deno.test("a Runner reuses one loop across run() calls until close()", async () => {
  const runner = new Runner({ clock: new VirtualClock() });
  const loop = runner.getLoop();
  assertEquals(await runner.run(() => sleep(1, "first")), "first");
  let background!: Task<void>;
  await runner.run(() => {
    background = createTask(() => sleep(10));
  });
  assertEquals(await runner.run(() => getRunningLoop()), loop);
  assert(!loop.isClosed() && !background.done(), "tasks survive between runs");
  await runner.close();
  assert(loop.isClosed() && background.cancelled(), "close() cancels what is left");
  await runner.close(); // idempotent
  assertThrows(() => runner.getLoop(), RuntimeError, "Runner is closed");
  await assertRejects(() => runner.run(() => sleep(0)), RuntimeError, "Runner is closed");
});

Deno.test("await using closes a Runner at the end of the block", async () => {
  let loop!: EventLoop;
  {
    await using runner = new Runner();
    loop = runner.getLoop();
    await runner.run(() => sleep(0));
  }
  assert(loop.isClosed());
});

Deno.test("Runner.run(): the main task's cancellation is a CancelledError", async () => {
  await using runner = new Runner();
  await assertRejects(
    () =>
      runner.run(async () => {
        getRunningLoop().callSoon(() => {
          for (const t of allTasks()) t.cancel("stop main");
        });
        await sleep(1);
      }),
    CancelledError,
    "stop main",
  );
});
