// The seed's concurrency programs (../shared/seed/asyncio-notes.ko.md),
// written against our library: the sleepers under wait(), the loop driven by
// callSoon/callLater/runForever, the stack printer, and both printer
// programs, with the seed's ordering and, on the virtual clock, its times.
import { assert, assertAlmostEquals, assertEquals } from "./_assert.ts";
import {
  allTasks,
  blockingSleep,
  EventLoop,
  type Future,
  sleep,
  VirtualClock,
  wait,
} from "../mod.ts";
import { ASYNC_PRINTERS, BLOCKING_PRINTERS } from "./_seed.ts";

function virtualLoop(options: { debug?: boolean } = {}): EventLoop {
  return new EventLoop({ clock: new VirtualClock(), debug: options.debug });
}

Deno.test("seed: three sleepers under wait() print 1, 2, 3 after 3 s in all", async () => {
  const loop = virtualLoop();
  const lines: string[] = [];
  async function sleeper(delay: number) {
    await sleep(delay);
    lines.push(`Finished sleeper with delay: ${delay}`);
  }
  // The seed passes coroutines to wait(); here they are async functions.
  const [done, pending] = await loop.runUntilComplete(() =>
    wait([() => sleeper(1), () => sleeper(3), () => sleeper(2)])
  );
  assertEquals(lines, [
    "Finished sleeper with delay: 1",
    "Finished sleeper with delay: 2",
    "Finished sleeper with delay: 3",
  ]);
  assertEquals([done.size, pending.size, loop.time()], [3, 0, 3]);
  loop.close();
});

Deno.test("seed: callSoon(loop.createTask, …), callLater(2, loop.stop), runForever()", async () => {
  const loop = virtualLoop();
  const lines: string[] = [];
  async function sleeper(delay: number) {
    await sleep(delay);
    lines.push(`Finished sleeper with delay: ${delay} at ${loop.time()}`);
  }
  loop.callSoon(loop.createTask.bind(loop), () => sleeper(1));
  loop.callLater(2, loop.stop.bind(loop));
  await loop.runForever();
  assertEquals(lines, ["Finished sleeper with delay: 1 at 1"]);
  assertEquals(loop.time(), 2);
  loop.close();
});

Deno.test("seed: stack_printer lists every task with printStack() (debug mode)", async () => {
  const loop = virtualLoop({ debug: true });
  const printed: string[] = [];
  async function sleeper(delay: number) {
    await sleep(delay);
  }
  const sleeperTask = loop.createTask(() => sleeper(1), { name: "sleeper" });
  // deno-lint-ignore require-await -- async as in the seed
  await loop.runUntilComplete(async function stackPrinter() {
    for (const task of allTasks()) task.printStack({ write: (text) => printed.push(text) });
  });
  // The printer's own task and the sleeper, suspended in sleeper().
  assertEquals(printed.length, 2);
  const sleeperStack = printed.find((p) => p.includes("name='sleeper'"))!;
  assert(sleeperStack.startsWith("Stack for <Task pending name='sleeper'"), sleeperStack);
  assert(/at (async )?sleeper \(/.test(sleeperStack), sleeperStack);
  sleeperTask.cancel();
  await loop.runUntilComplete(sleeperTask).catch(() => {});
  loop.close();
});

/** The seed's four printers, scheduled in the seed's order; returns the transcript. */
async function printers(
  printer: (loop: EventLoop, t: number, name: string, lines: string[]) => unknown,
): Promise<{ lines: string[]; times: number[] }> {
  const loop = virtualLoop();
  const t = loop.time();
  const lines: string[] = [];
  const times: number[] = [];
  const log = (line: string) => {
    lines.push(line);
    times.push(loop.time() - t);
  };
  const run = (name: string) => printer(loop, t, name, log as unknown as string[]);
  loop.callAt(loop.time() + .2, run, "call_at");
  loop.callLater(.1, run, "call_later");
  loop.callSoon(run, "call_soon");
  loop.callSoonThreadsafe(run, "call_soon_threadsafe");
  // Make sure we stop after a second
  loop.callLater(1, loop.stop.bind(loop));
  await loop.runForever();
  loop.close();
  return { lines, times };
}

Deno.test("seed: blocking printers run one after another, 0.2 s apart", async () => {
  const { lines, times } = await printers((loop, t, name, log) => {
    const print = log as unknown as (line: string) => void;
    print(`Started ${name} at ${(loop.time() - t).toFixed(1)}`);
    blockingSleep(0.2); // time.sleep(0.2): blocks the whole loop
    print(`Finished ${name} at ${(loop.time() - t).toFixed(1)}`);
  });
  assertEquals(lines, BLOCKING_PRINTERS);
  const expected = [0, 0.2, 0.2, 0.4, 0.4, 0.6, 0.6, 0.8];
  times.forEach((time, i) => assertAlmostEquals(time, expected[i], 1e-9));
});

Deno.test("seed: async printers interleave: start 0.0 0.0 0.1 0.2, finish 0.2 0.2 0.3 0.4", async () => {
  const tasks: Future<void>[] = [];
  const { lines, times } = await printers((loop, t, name, log) => {
    const print = log as unknown as (line: string) => void;
    tasks.push(loop.createTask(async () => {
      print(`Started ${name} at ${(loop.time() - t).toFixed(1)}`);
      await sleep(0.2);
      print(`Finished ${name} at ${(loop.time() - t).toFixed(1)}`);
    }));
  });
  assertEquals(lines, ASYNC_PRINTERS);
  const expected = [0, 0, 0.1, 0.2, 0.2, 0.2, 0.3, 0.4];
  times.forEach((time, i) => assertAlmostEquals(time, expected[i], 1e-9));
  assert(tasks.every((task) => task.done()));
});
