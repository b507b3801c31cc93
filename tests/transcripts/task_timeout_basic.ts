import {
  CancelledError,
  currentTask,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  timeout,
  timeoutAt,
  TimeoutError,
  VirtualClock,
} from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    let t0 = loop.time();
    const at = () => (loop.time() - t0).toFixed(1);
    let cm = timeout(0.2);
    try {
      await cm.run(() => sleep(1));
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      const cause = (e.cause as Error).name;
      print(`TimeoutError at ${at()}; expired: ${py(cm.expired())}; cause: ${cause}`);
    }
    print(`cancelling after: ${currentTask()!.cancelling()}`);

    cm = timeout(1);
    await cm.run(() => sleep(0.1));
    print(`in time; expired: ${py(cm.expired())}`);

    t0 = loop.time();
    cm = timeout(null);
    try {
      await cm.run(async (cm) => {
        print(`when is None: ${py(cm.when() === null)}`);
        cm.reschedule(loop.time() + 0.3);
        try {
          await sleep(1);
        } catch (e) {
          if (e instanceof CancelledError) print(`body sees CancelledError at ${at()}`);
          throw e;
        }
      });
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      print(`rescheduled timeout expired: ${py(cm.expired())}`);
    }
    try {
      cm.reschedule(null);
    } catch (e) {
      if (e instanceof RuntimeError) print(`RuntimeError: ${e.message}`);
    }

    try {
      await timeoutAt(loop.time() - 1, async () => {
        await sleep(0);
        print("not reached");
      });
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      print("timeout_at in the past expires at the first await");
    }

    cm = timeout(0.1);
    await cm.run(async () => {
      try {
        await sleep(1);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        print("body swallows the CancelledError");
      }
    });
    print(
      `no TimeoutError; expired: ${py(cm.expired())} cancelling: ${currentTask()!.cancelling()}`,
    );
  }, { clock: new VirtualClock() });
}

const py = (b: boolean) => b ? "True" : "False";
