import {
  CancelledError,
  ExceptionGroup,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  TaskGroup,
  VirtualClock,
} from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function child(name: string, delay: number) {
    try {
      await sleep(delay);
      print(`${name} done`);
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print(`${name} cancelled`);
      await sleep(0.1);
      print(`${name} cleaned up`);
      throw e;
    }
  }

  await run(async () => {
    const loop = getRunningLoop();
    const t0 = loop.time();
    try {
      await TaskGroup.run(async (tg) => {
        tg.createTask(() => child("a", 0.2));
        tg.createTask(() => child("b", 0.05));
        await sleep(0.1);
        print("body raises");
        throw new RuntimeError("body failed");
      });
    } catch (e) {
      if (!(e instanceof ExceptionGroup)) throw e;
      print(`${e.message} at ${(loop.time() - t0).toFixed(1)}`);
      for (const x of e.exceptions as Error[]) print(`  ${x.name}: ${x.message}`);
    }
  }, { clock: new VirtualClock() });
}
