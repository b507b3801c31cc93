// Lock: a waiter cancelled while waiting leaves the queue; a waiter cancelled
// after release() woke it passes the lock on to the next waiter.
import { CancelledError, createTask, Lock, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const py = (b: boolean) => (b ? "True" : "False");
  async function waiter(lock: Lock, name: string) {
    try {
      await lock.acquire();
    } catch (e) {
      if (e instanceof CancelledError) print(`${name} cancelled, locked=${py(lock.locked())}`);
      throw e;
    }
    print(`${name} got the lock`);
    await sleep(0);
    lock.release();
    print(`${name} released`);
  }
  await run(async () => {
    const lock = new Lock();
    await lock.acquire();
    const tasks = new Map(["a", "b", "c", "d"].map((n) => [n, createTask(() => waiter(lock, n))]));
    await sleep(0);
    tasks.get("b")!.cancel(); // cancelled while waiting
    await sleep(0);
    lock.release(); // wakes a...
    tasks.get("a")!.cancel(); // ...which is cancelled before it runs
    print("released; a cancelled after being woken");
    for (const [name, t] of tasks) {
      try {
        await t;
        print(`${name} finished`);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        print(`${name} was cancelled`);
      }
    }
    print(`locked at the end: ${py(lock.locked())}`);
  }, { clock: new VirtualClock() });
}
