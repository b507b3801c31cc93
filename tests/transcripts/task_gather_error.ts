import { gather, getRunningLoop, run, RuntimeError, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function work(name: string, delay: number) {
    await sleep(delay);
    print(`end ${name}`);
    return name;
  }
  async function fail(delay: number) {
    await sleep(delay);
    print("failing");
    throw new RuntimeError("boom");
  }

  await run(async () => {
    const loop = getRunningLoop();
    const t0 = loop.time();
    try {
      await gather(() => work("a", 0.3), () => fail(0.1), () => work("b", 0.2));
    } catch (e) {
      const err = e as Error;
      print(`gather raised ${err.name}: ${err.message} at ${(loop.time() - t0).toFixed(1)}`);
    }
    await sleep(0.3);
    print(`main done at ${(loop.time() - t0).toFixed(1)}`);
  }, { clock: new VirtualClock() });
}
