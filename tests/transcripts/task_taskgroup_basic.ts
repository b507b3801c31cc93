import { getRunningLoop, run, RuntimeError, sleep, TaskGroup, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function work(name: string, delay: number) {
    print(`start ${name}`);
    await sleep(delay);
    print(`end ${name}`);
    return name;
  }

  await run(async () => {
    const loop = getRunningLoop();
    const t0 = loop.time();
    const tg = new TaskGroup();
    const [a, b] = await tg.run((tg) => {
      const a = tg.createTask(() => work("a", 0.2), { name: "A" });
      const b = tg.createTask(() => work("b", 0.1));
      print(`body done; task name: ${a.getName()}`);
      return [a, b];
    });
    print(`group done at ${(loop.time() - t0).toFixed(1)}: ${a.result()} ${b.result()}`);
    try {
      tg.createTask(() => work("late", 0));
    } catch (e) {
      if (e instanceof RuntimeError) print(`RuntimeError: ${e.message}`);
    }

    await TaskGroup.run((tg) => {
      tg.createTask(async () => {
        await sleep(0.1);
        tg.createTask(() => work("grandchild", 0.1));
      });
    });
    print(
      `a task may add tasks while the group waits; done at ${(loop.time() - t0).toFixed(1)}`,
    );
  }, { clock: new VirtualClock() });
}
