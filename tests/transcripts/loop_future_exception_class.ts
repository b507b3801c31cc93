// set_exception() given an exception class stores an instance of it.
import { getRunningLoop, run, VirtualClock } from "../../mod.ts";
import { py, ValueError } from "./loop_fmt.ts";

class KeyError extends Error {
  override name = "KeyError";
}

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const fut = loop.createFuture();
    fut.setException(ValueError);
    const exc = fut.exception() as Error;
    print(`is the class: ${py((exc as unknown) === ValueError)}`);
    print(`is an instance: ${py(exc instanceof ValueError)} ${exc.name} '${exc.message}'`);
    const other = loop.createFuture();
    loop.callSoon((e: unknown) => other.setException(e), KeyError);
    try {
      await other;
    } catch (e) {
      if (!(e instanceof KeyError)) throw e;
      print(`await raises an instance: ${e.name} ${py(e === other.exception())}`);
    }
  }, { clock: new VirtualClock() });
}
