import { gather, getRunningLoop, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function work(name: string, delay: number) {
    print(`start ${name}`);
    await sleep(delay);
    print(`end ${name}`);
    return name.toUpperCase();
  }

  await run(async () => {
    const loop = getRunningLoop();
    const t0 = loop.time();
    const results = await gather(() => work("a", 0.3), () => work("b", 0.1), () => work("c", 0.2));
    print(`results ${results.join(" ")} at ${(loop.time() - t0).toFixed(1)}`);
    print(`empty gather ${(await gather()).length}`);
    const fut = loop.createFuture<string>();
    loop.callSoon(() => fut.setResult("F"));
    print(`duplicates ${(await gather(fut, () => work("d", 0.1), fut)).join(" ")}`);
  }, { clock: new VirtualClock() });
}
