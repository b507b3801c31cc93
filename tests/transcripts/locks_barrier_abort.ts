// Barrier: reset() makes the tasks waiting now throw BrokenBarrierError and
// leaves the barrier usable; abort() breaks it for good.
import { Barrier, BrokenBarrierError, createTask, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const py = (b: boolean) => (b ? "True" : "False");
  async function party(barrier: Barrier, name: string) {
    try {
      const index = await barrier.wait();
      print(`${name} passed with index ${index}`);
    } catch (e) {
      if (!(e instanceof BrokenBarrierError)) throw e;
      print(`${name}: ${e.name}: ${e.message}`);
    }
  }
  await run(async () => {
    const barrier = new Barrier(3);
    let tasks = ["a", "b"].map((n) => createTask(() => party(barrier, n)));
    await sleep(0);
    print(`waiting before reset: ${barrier.nWaiting}`);
    await barrier.reset();
    for (const t of tasks) await t;
    print(`after reset: broken ${py(barrier.broken)} n_waiting ${barrier.nWaiting}`);
    tasks = ["c", "d", "e"].map((n) => createTask(() => party(barrier, n)));
    for (const t of tasks) await t;

    tasks = ["f", "g"].map((n) => createTask(() => party(barrier, n)));
    await sleep(0);
    await barrier.abort();
    for (const t of tasks) await t;
    print(`after abort: broken ${py(barrier.broken)}`);
    await party(barrier, "h");
  }, { clock: new VirtualClock() });
}
