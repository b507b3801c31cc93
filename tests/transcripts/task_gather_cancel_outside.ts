import { CancelledError, createTask, gather, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function child(name: string, delay: number) {
    try {
      await sleep(delay);
      print(`${name} done`);
      return name;
    } catch (e) {
      if (e instanceof CancelledError) print(`${name} cancelled`);
      throw e;
    }
  }

  await run(async () => {
    const g = gather(() => child("a", 0.1), () => child("b", 0.3), () => child("c", 0.5));
    await sleep(0.2);
    print(`cancel returns ${py(g.cancel())}`);
    try {
      await g;
    } catch (e) {
      if (e instanceof CancelledError) print("gather raised CancelledError");
    }
    print(`cancelled: ${py(g.cancelled())} done: ${py(g.done())}`);
    print(`cancel again returns ${py(g.cancel())}`);

    const w = createTask(async () => {
      try {
        return await gather(() => child("d", 0.3), () => child("e", 0.4));
      } catch (e) {
        if (e instanceof CancelledError) print("waiter cancelled");
        throw e;
      }
    });
    await sleep(0.1);
    w.cancel();
    try {
      await w;
    } catch (e) {
      if (e instanceof CancelledError) print(`waiter task cancelled: ${py(w.cancelled())}`);
    }
  }, { clock: new VirtualClock() });
}

const py = (b: boolean) => b ? "True" : "False";
