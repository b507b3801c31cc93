import {
  CancelledError,
  currentTask,
  getRunningLoop,
  run,
  sleep,
  TimeoutError,
  VirtualClock,
  waitFor,
} from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function slow() {
    try {
      print("slow start");
      await sleep(1);
      return "never";
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print("slow cancelled");
      await sleep(0.1);
      print("slow cleanup done");
      throw e;
    }
  }
  async function work(name: string, delay: number) {
    await sleep(delay);
    return name;
  }

  await run(async () => {
    const loop = getRunningLoop();
    const t0 = loop.time();
    try {
      await waitFor(slow, 0.2);
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      const cause = (e.cause as Error).name;
      print(`TimeoutError at ${(loop.time() - t0).toFixed(1)} caused by ${cause}`);
    }
    print(`in time: ${await waitFor(() => work("fast", 0.1), 1)}`);
    print(`no timeout: ${await waitFor(() => work("unbounded", 0.1), null)}`);
    print(`main cancelling: ${currentTask()!.cancelling()}`);
  }, { clock: new VirtualClock() });
}
