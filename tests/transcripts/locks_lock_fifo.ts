// Lock: a free lock is taken without waiting; waiters get it in FIFO order,
// each when the previous holder releases it.
import { createTask, getRunningLoop, Lock, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function worker(lock: Lock, name: string, t0: number) {
    const loop = getRunningLoop();
    print(`${name} wants the lock, locked=${lock.locked() ? "True" : "False"}`);
    {
      using _ = await lock.acquireScope();
      print(`${name} holds the lock at ${(loop.time() - t0).toFixed(1)}`);
      await sleep(0.1);
    }
    print(`${name} released it`);
  }
  await run(async () => {
    const lock = new Lock();
    const t0 = getRunningLoop().time();
    const tasks = ["a", "b", "c"].map((name) => createTask(() => worker(lock, name, t0)));
    for (const t of tasks) await t;
    print(`locked at the end: ${lock.locked() ? "True" : "False"}`);
    try {
      lock.release();
    } catch (e) {
      print(`release of an unlocked lock: ${(e as Error).name} ${(e as Error).message}`);
    }
  }, { clock: new VirtualClock() });
}
