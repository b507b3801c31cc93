import {
  asCompleted,
  createTask,
  getRunningLoop,
  run,
  sleep,
  TimeoutError,
  VirtualClock,
} from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function work(name: string, delay: number) {
    await sleep(delay);
    return name;
  }

  await run(async () => {
    const loop = getRunningLoop();
    let t0 = loop.time();
    const at = () => (loop.time() - t0).toFixed(1);
    for (
      const aw of asCompleted([() => work("a", 0.3), () => work("b", 0.1), () => work("c", 0.2)])
    ) {
      print(`got ${await aw} at ${at()}`);
    }
    t0 = loop.time();
    const slow = createTask(() => work("slow", 1));
    const fast = createTask(() => work("fast", 0.1));
    try {
      for (const aw of asCompleted([slow, fast], { timeout: 0.2 })) {
        print(`got ${await aw} at ${at()}`);
      }
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      print(`TimeoutError at ${at()}; slow done: ${slow.done() ? "True" : "False"}`);
    }
    slow.cancel();
  }, { clock: new VirtualClock() });
}
