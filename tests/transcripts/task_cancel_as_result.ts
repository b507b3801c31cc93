import { CancelledError, createTask, getRunningLoop, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const fut = loop.createFuture<number>();
    const t = createTask(async () => {
      try {
        const v = await fut;
        print(`got ${v}`);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        print(`waiter cancelled although the future has ${fut.result()}`);
        return "handled";
      }
    });
    await sleep(0);
    fut.setResult(42);
    print(`cancel returns ${py(t.cancel())}`);
    print(`task result ${await t} cancelled ${py(t.cancelled())}`);

    const fut2 = loop.createFuture<number>();
    const t2 = createTask(async () => await fut2);
    await sleep(0);
    t2.cancel();
    print(`cancelling the task cancels the future: ${py(fut2.cancelled())}`);
    try {
      await t2;
    } catch (e) {
      if (e instanceof CancelledError) print(`t2 cancelled ${py(t2.cancelled())}`);
    }
  }, { clock: new VirtualClock() });
}

const py = (b: boolean) => b ? "True" : "False";
