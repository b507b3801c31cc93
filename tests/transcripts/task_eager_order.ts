// Eager and lazy tasks side by side: an eager task's first step runs before
// createTask returns, a lazy one's on the next iteration, behind the
// callbacks already queued. Also from a plain callback.
import { eagerTaskFactory, gather, getRunningLoop, run, sleep, Task } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function step(name: string) {
    print(`${name} first step`);
    await sleep(0);
    print(`${name} second step`);
  }

  await run(async () => {
    const loop = getRunningLoop();
    loop.callSoon(print, "cb 1");
    const lazy = loop.createTask(() => step("lazy"));
    const eager = new Task(() => step("eager"), { loop, eagerStart: true });
    loop.callSoon(print, "cb 2");
    print("main after creating both");
    loop.setTaskFactory(eagerTaskFactory);
    loop.callSoon(() => {
      print("callback creates a task");
      loop.createTask(() => step("from callback"));
      print("callback ends");
    });
    await gather(lazy, eager);
    await sleep(0);
    await sleep(0);
  });
}
