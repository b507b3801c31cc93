import {
  CancelledError,
  createTask,
  currentTask,
  getRunningLoop,
  run,
  sleep,
  VirtualClock,
  waitFor,
} from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function stubborn() {
    try {
      await sleep(1);
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print("stubborn ignores the cancel");
    }
    await sleep(0.1);
    print("stubborn returns");
    return "stubborn result";
  }

  await run(async () => {
    const loop = getRunningLoop();
    const t0 = loop.time();
    const t = createTask(stubborn);
    const r = await waitFor(t, 0.2);
    print(`wait_for returned ${r} at ${(loop.time() - t0).toFixed(1)}`);
    print(`task cancelled: ${py(t.cancelled())} task cancelling: ${t.cancelling()}`);
    print(`main cancelling: ${currentTask()!.cancelling()}`);
  }, { clock: new VirtualClock() });
}

const py = (b: boolean) => b ? "True" : "False";
