import { CancelledError, createTask, run, sleep, TaskGroup, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function child(name: string, delay: number) {
    try {
      await sleep(delay);
    } catch (e) {
      if (e instanceof CancelledError) print(`${name} cancelled`);
      throw e;
    }
  }
  async function parent() {
    try {
      await TaskGroup.run(async (tg) => {
        tg.createTask(() => child("a", 0.5));
        await sleep(1);
      });
    } catch (e) {
      if (e instanceof CancelledError) print("parent sees CancelledError");
      throw e;
    }
  }
  async function parentWaiting() {
    try {
      await TaskGroup.run((tg) => {
        tg.createTask(() => child("c", 0.5));
        print("body done, group waits");
      });
    } catch (e) {
      if (e instanceof CancelledError) print("parent (waiting in exit) sees CancelledError");
      throw e;
    }
  }

  await run(async () => {
    for (const fn of [parent, parentWaiting]) {
      const p = createTask(fn);
      await sleep(0.1);
      p.cancel();
      try {
        await p;
      } catch (e) {
        if (e instanceof CancelledError) {
          print(`task cancelled: ${p.cancelled() ? "True" : "False"}`);
        }
      }
    }
  }, { clock: new VirtualClock() });
}
