// A task's first step is scheduled with callSoon; sleep(0) gives the loop
// exactly one iteration, so tasks and callbacks take turns.
import { EventLoop, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const worker = async (name: string) => {
    for (let i = 0; i < 3; i++) {
      print(`${name} ${i}`);
      await sleep(0);
    }
    print(`${name} done`);
  };
  const ticker = (i: number) => {
    print(`tick ${i}`);
    if (i < 3) loop.callSoon(ticker, i + 1);
  };
  loop.createTask(() => worker("A"));
  print("task created, not started");
  loop.callSoon(ticker, 0);
  loop.createTask(() => worker("B"));
  loop.callLater(0.1, () => loop.stop());
  await loop.runForever();
  loop.close();
}
