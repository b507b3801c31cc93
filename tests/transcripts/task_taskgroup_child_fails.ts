import {
  CancelledError,
  currentTask,
  ExceptionGroup,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  type Task,
  TaskGroup,
  VirtualClock,
} from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function crash(delay: number, msg: string) {
    await sleep(delay);
    print(`crash: ${msg}`);
    throw new RuntimeError(msg);
  }
  async function sibling() {
    try {
      await sleep(1);
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print("sibling cancelled; its cleanup fails");
      throw new RuntimeError("cleanup failed");
    }
  }

  await run(async () => {
    const loop = getRunningLoop();
    const t0 = loop.time();
    let quiet: Task<void> | null = null;
    try {
      await TaskGroup.run(async (tg) => {
        tg.createTask(sibling);
        tg.createTask(() => crash(0.1, "first"));
        quiet = tg.createTask(() => sleep(1));
        try {
          await sleep(1);
        } catch (e) {
          if (e instanceof CancelledError) print("body cancelled");
          throw e;
        }
      });
    } catch (e) {
      if (!(e instanceof ExceptionGroup)) throw e;
      print(`${e.name}: ${e.message} at ${(loop.time() - t0).toFixed(1)}`);
      for (const x of e.exceptions as Error[]) print(`  ${x.name}: ${x.message}`);
    }
    print(`quiet sibling cancelled: ${quiet!.cancelled() ? "True" : "False"}`);
    print(`main cancelling: ${currentTask()!.cancelling()}`);
  }, { clock: new VirtualClock() });
}
