import { CancelledError, createTask, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const t = createTask(async () => {
      try {
        await sleep(1);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        print(`caught CancelledError: ${e.message}`);
        return "recovered";
      }
    });
    await sleep(0);
    print(`cancel returns ${py(t.cancel("please stop"))}`);
    print(`result ${await t}`);
    print(`cancelled ${py(t.cancelled())} cancelling ${t.cancelling()}`);
    print(`uncancel ${t.uncancel()} cancelling ${t.cancelling()}`);
    print(`cancel of a done task returns ${py(t.cancel())}`);
  }, { clock: new VirtualClock() });
}

const py = (b: boolean) => b ? "True" : "False";
