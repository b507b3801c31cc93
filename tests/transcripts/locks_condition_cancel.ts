// Condition.wait() cancelled, either while waiting for a notification or
// after one while it waits to take the lock back: in both cases the
// CancelledError comes only once the task holds the lock again.
import { CancelledError, Condition, createTask, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const py = (b: boolean) => (b ? "True" : "False");
  async function waiter(cond: Condition, name: string) {
    using _ = await cond.acquireScope();
    try {
      await cond.wait();
      print(`${name} woke`);
    } catch (e) {
      if (e instanceof CancelledError) {
        print(`${name} cancelled, holding the lock: ${py(cond.locked())}`);
      }
      throw e;
    }
  }
  async function scenario(notifyFirst: boolean) {
    const cond = new Condition();
    const task = createTask(() => waiter(cond, notifyFirst ? "notified" : "waiting"));
    await sleep(0);
    await cond.acquire();
    if (notifyFirst) {
      cond.notify();
      await sleep(0);
    }
    task.cancel();
    for (let i = 0; i < 3; i++) await sleep(0);
    print(`task done while we hold the lock? ${py(task.done())}`);
    cond.release();
    try {
      await task;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print(`task cancelled; lock free: ${py(!cond.locked())}`);
    }
  }
  await run(async () => {
    await scenario(false);
    await scenario(true);
  }, { clock: new VirtualClock() });
}
