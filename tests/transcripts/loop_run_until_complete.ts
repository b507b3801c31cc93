// runUntilComplete: a future, a coroutine, a done future, a failure, and a
// run that stop() ends before the future completes.
import { EventLoop, RuntimeError, sleep, VirtualClock } from "../../mod.ts";
import { line, ValueError } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const t0 = loop.time();
  const at = () => `at ${(loop.time() - t0).toFixed(1)}`;

  const fut = loop.createFuture<number>();
  loop.callLater(0.1, (v: number) => fut.setResult(v), 42);
  print(line("result", await loop.runUntilComplete(fut), at()));

  const main = async () => {
    await sleep(0.1);
    return "main done";
  };
  print(line(await loop.runUntilComplete(main), at()));

  const ready = loop.createFuture<string>();
  ready.setResult("ready");
  print(await loop.runUntilComplete(ready));

  const failing = loop.createFuture();
  loop.callSoon((e: Error) => failing.setException(e), new ValueError("bad"));
  try {
    await loop.runUntilComplete(failing);
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    print(`ValueError: ${e.message}`);
  }

  const never = loop.createFuture();
  loop.callLater(0.1, () => loop.stop());
  try {
    await loop.runUntilComplete(never);
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    print(`RuntimeError: ${e.message} ${at()}`);
  }
  print(line("never done:", never.done()));
  loop.close();
}
