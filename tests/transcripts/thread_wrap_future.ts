// wrapFuture of a ConcurrentFuture, as thread_wrap_future.py.
import {
  CancelledError,
  ConcurrentFuture,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  wrapFuture,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const source = new ConcurrentFuture<string>();
    const wrapped = wrapFuture(source);
    loop.callLater(0.01, () => source.setResult("from elsewhere"));
    print(line("wrapped:", await wrapped, "| source done:", source.done()));

    const failing = new ConcurrentFuture();
    loop.callLater(0.01, () => failing.setException(new RuntimeError("bad")));
    try {
      await wrapFuture(failing);
    } catch (e) {
      if (!(e instanceof RuntimeError)) throw e;
      print(line("failed:", e.name, e.message));
    }

    const pending = new ConcurrentFuture();
    let w = wrapFuture(pending);
    w.cancel();
    await sleep(0);
    print(line("cancel passes on:", pending.cancelled()));

    const other = new ConcurrentFuture();
    w = wrapFuture(other);
    other.cancel();
    try {
      await w;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print(line("cancel comes back:", w.cancelled()));
    }

    const fut = loop.createFuture();
    print(line("a loop future is its own wrap:", wrapFuture(fut) === fut));
    fut.cancel();
  });
}
