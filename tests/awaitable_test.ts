// The loop's own waits (a queue's get, a lock's line, a stream's read...)
// register the awaiting task on their future at once and hand back a native
// promise (`awaitable` in lib/_running.ts, `Task._waitOn`). These tests pin
// what must not change when the task's code does not await that promise at
// once: the wait still completes after the task ends, a `sleep(0)` that
// follows still takes the task's wait (so a cancel lands there, as in
// CPython and as before), and an eager task that returns at once is done.
import { assert, assertEquals } from "./_assert.ts";
import { cancelled, inLoop, spin } from "./_util.ts";
import {
  CancelledError,
  createTask,
  eagerTaskFactory,
  Lock,
  Queue,
  Semaphore,
  sleep,
  StreamReader,
} from "../mod.ts";

Deno.test("a get() a task started and did not await still gets its item after the task ends", () =>
  inLoop(async () => {
    const q = new Queue<number>();
    const got: number[] = [];
    // deno-lint-ignore require-await -- a coroutine that starts a get and ends
    await createTask(async () => {
      q.get().then((v) => got.push(v));
    });
    q.putNowait(1);
    await sleep(0.001);
    assertEquals(got, [1]);
    assertEquals(q.qsize(), 0);
  }));

Deno.test("a lock's acquire(), a semaphore's and a readline() left running by an ended task complete", () =>
  inLoop(async () => {
    const log: string[] = [];
    const lock = new Lock();
    await lock.acquire();
    const sem = new Semaphore(1);
    await sem.acquire();
    const reader = new StreamReader();
    // deno-lint-ignore require-await -- a coroutine that starts the waits and ends
    await createTask(async () => {
      lock.acquire().then(() => (log.push("lock"), lock.release()));
      sem.acquire().then(() => (log.push("sem"), sem.release()));
      reader.readline().then(() => log.push("line"));
    });
    lock.release();
    sem.release();
    reader.feedData(new TextEncoder().encode("x\n"));
    await sleep(0.001);
    assertEquals(log.sort(), ["line", "lock", "sem"]);
    assertEquals(String(lock), "<Lock [unlocked]>");
    assert(!sem.locked());
  }));

Deno.test("get() then sleep(0) before awaiting it: the sleep is the task's wait, so a cancel lands at the next sleep", () =>
  inLoop(async () => {
    // CPython, with ensure_future(q.get()): CancelledError at the sleep.
    const q = new Queue<number>();
    const seen: string[] = [];
    const task = createTask(async () => {
      const next = q.get(); // prefetch
      await sleep(0);
      try {
        await sleep(0.05);
      } catch (err) {
        seen.push(`sleep: ${(err as Error).name}`);
        next.catch(() => {}); // (never settles: its getter is not cancelled)
        throw err;
      }
      return await next;
    });
    await sleep(0.01);
    task.cancel();
    assert(await cancelled(task));
    assertEquals(seen, ["sleep: CancelledError"]);
  }));

Deno.test("Promise.all of two gets in a task: both items arrive; cancelling it rejects the all", () =>
  inLoop(async () => {
    const [q1, q2] = [new Queue<number>(), new Queue<number>()];
    const both = createTask(() => Promise.all([q1.get(), q2.get()]));
    await spin();
    q2.putNowait(2);
    q1.putNowait(1);
    assertEquals(await both, [1, 2]);
    const stopped = createTask(() => Promise.all([q1.get(), q2.get()]));
    await spin();
    stopped.cancel();
    let error: unknown = null;
    try {
      await stopped;
    } catch (err) {
      error = err;
    }
    assert(error instanceof CancelledError, String(error));
  }));

Deno.test("an eager task whose body returns at once is done when createTask returns, even if it started a get()", () =>
  inLoop(async (loop) => {
    loop.setTaskFactory(eagerTaskFactory);
    const q = new Queue<number>();
    // deno-lint-ignore require-await -- returns at once, as eager tasks may
    const task = createTask(async () => {
      void q.get();
      return 1;
    });
    assert(task.done());
    assertEquals(task.result(), 1);
    q.putNowait(0);
    await spin();
  }));

Deno.test("in debug mode a task waiting in get() shows the caller's frames, not the loop's", () =>
  inLoop(async (loop) => {
    loop.setDebug(true);
    const q = new Queue<number>();
    async function consume(): Promise<number> {
      return await q.get();
    }
    const task = createTask(consume);
    await spin();
    const stack = task.getStack();
    assert(stack.some((frame) => frame.includes("Queue.get")), stack.join("\n"));
    assert(stack.some((frame) => frame.includes("consume")), stack.join("\n"));
    assert(
      !stack.some((frame) => /lib\/(_running|tasks|futures)\.ts/.test(frame)),
      stack.join("\n"),
    );
    q.putNowait(1);
    assertEquals(await task, 1);
  }));
