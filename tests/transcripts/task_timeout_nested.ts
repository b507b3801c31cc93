import {
  CancelledError,
  createTask,
  gather,
  getRunningLoop,
  run,
  sleep,
  timeout,
  TimeoutError,
  VirtualClock,
} from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    let t0 = loop.time();
    const at = () => (loop.time() - t0).toFixed(1);

    const outer = timeout(0.1);
    try {
      await outer.run(async () => {
        const inner = timeout(0.3);
        try {
          await inner.run(() => sleep(1));
        } catch (e) {
          if (e instanceof CancelledError) {
            print(`inner block sees CancelledError; inner expired: ${py(inner.expired())}`);
          }
          throw e;
        }
      });
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      print(`outer TimeoutError at ${at()}; outer expired: ${py(outer.expired())}`);
    }

    t0 = loop.time();
    const outer2 = timeout(0.3);
    await outer2.run(async () => {
      try {
        await timeout(0.1, () => sleep(1));
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        print(`inner TimeoutError at ${at()}`);
      }
      await sleep(0.1);
    });
    print(`outer finished in time: expired ${py(outer2.expired())} at ${at()}`);

    let t = createTask(async () => {
      try {
        await timeout(0.2, () => sleep(1));
      } catch (e) {
        if (e instanceof TimeoutError) print("not reached: timeout");
        else if (e instanceof CancelledError) {
          print("a cancel from outside gets through as CancelledError");
        }
        throw e;
      }
    });
    await sleep(0.1);
    t.cancel();
    await gather(t, { returnExceptions: true });

    t = createTask(async () => {
      try {
        await timeout(0.1, async () => {
          try {
            await sleep(1);
          } catch (e) {
            if (!(e instanceof CancelledError)) throw e;
            print("first cancel (the timeout) swallowed");
          }
          await sleep(1);
        });
      } catch (e) {
        if (e instanceof TimeoutError) print("not reached: timeout");
        else if (e instanceof CancelledError) {
          print("timeout expired and an outside cancel: CancelledError wins");
        }
        throw e;
      }
    });
    await sleep(0.2);
    t.cancel();
    await gather(t, { returnExceptions: true });
    print(`task cancelled: ${py(t.cancelled())}`);
  }, { clock: new VirtualClock() });
}

const py = (b: boolean) => b ? "True" : "False";
