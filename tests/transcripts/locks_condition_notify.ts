// Condition: notify(n) wakes the n longest waiters, who return from wait()
// only once they hold the lock; notifyAll() wakes the rest; waitFor()
// re-checks its predicate after each wake-up.
import { Condition, createTask, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const py = (b: boolean) => (b ? "True" : "False");
  async function waiter(cond: Condition, name: string) {
    using _ = await cond.acquireScope();
    print(`${name} waits`);
    const result = await cond.wait();
    print(`${name} woke with ${py(result)}, locked=${py(cond.locked())}`);
  }
  await run(async () => {
    const cond = new Condition();
    const tasks = ["a", "b", "c", "d"].map((n) => createTask(() => waiter(cond, n)));
    await sleep(0);
    {
      using _ = await cond.acquireScope();
      print("notify(2)");
      cond.notify(2);
      await sleep(0);
      print("still holding the lock");
    }
    await sleep(0);
    {
      using _ = await cond.acquireScope();
      print("notify_all()");
      cond.notifyAll();
    }
    for (const t of tasks) await t;

    const state = { n: 0 };
    const t = createTask(async () => {
      using _ = await cond.acquireScope();
      const result = await cond.waitFor(() => state.n >= 3 && `n=${state.n}`);
      print(`wait_for returned ${result}`);
    });
    for (let i = 0; i < 4; i++) {
      await sleep(0);
      using _ = await cond.acquireScope();
      state.n++;
      print(`n is now ${state.n}`);
      cond.notify();
    }
    await t;
    try {
      cond.notify();
    } catch (e) {
      print(`notify without the lock: ${(e as Error).message}`);
    }
  }, { clock: new VirtualClock() });
}
