// Semaphore(2): at most two holders; the others wait and enter in FIFO
// order as slots come back. A waiter cancelled after being woken gives its
// slot to the next. BoundedSemaphore refuses a release above its bound
// (Python's ValueError is our RangeError; the message is the same).
import {
  BoundedSemaphore,
  CancelledError,
  createTask,
  getRunningLoop,
  run,
  Semaphore,
  sleep,
  VirtualClock,
} from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const py = (b: boolean) => (b ? "True" : "False");
  async function worker(sem: Semaphore, name: string, t0: number) {
    const loop = getRunningLoop();
    {
      using _ = await sem.acquireScope();
      print(`${name} in at ${(loop.time() - t0).toFixed(1)}, locked=${py(sem.locked())}`);
      await sleep(0.1);
    }
    print(`${name} out`);
  }
  await run(async () => {
    const t0 = getRunningLoop().time();
    let sem = new Semaphore(2);
    const tasks = ["a", "b", "c", "d", "e"].map((n) => createTask(() => worker(sem, n, t0)));
    for (const t of tasks) await t;

    sem = new Semaphore(0);
    const a = createTask(() => sem.acquire());
    const b = createTask(() => sem.acquire());
    await sleep(0);
    sem.release(); // wakes a...
    a.cancel(); // ...which gives the slot to b
    for (const [name, t] of [["a", a], ["b", b]] as const) {
      try {
        print(`${name} acquired: ${py(await t)}`);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        print(`${name} cancelled`);
      }
    }
    print(`locked: ${py(sem.locked())}`);

    const bounded = new BoundedSemaphore(1);
    await bounded.acquire();
    bounded.release();
    try {
      bounded.release();
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      print(`over-release: ${e.message}`);
    }
  }, { clock: new VirtualClock() });
}
