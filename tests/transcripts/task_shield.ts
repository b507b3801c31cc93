import { CancelledError, createTask, gather, run, shield, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const inner = createTask(async () => {
      await sleep(0.2);
      print("inner finished");
      return "inner result";
    });
    const w = createTask(async () => {
      try {
        return await shield(inner);
      } catch (e) {
        if (e instanceof CancelledError) print("waiter cancelled");
        throw e;
      }
    });
    await sleep(0.1);
    w.cancel();
    const r = await gather(w, { returnExceptions: true });
    print(`waiter got ${(r[0] as Error).name} ; inner cancelled: ${py(inner.cancelled())}`);
    print(`inner result: ${await inner}`);

    const inner2 = createTask(() => sleep(1));
    const s = shield(inner2);
    await sleep(0);
    inner2.cancel();
    try {
      await s;
    } catch (e) {
      if (e instanceof CancelledError) {
        print(`shield cancelled because inner was: ${py(s.cancelled())}`);
      }
    }
    print(`shield of a done task is the task: ${py(shield(inner) === inner)}`);
  }, { clock: new VirtualClock() });
}

const py = (b: boolean) => b ? "True" : "False";
