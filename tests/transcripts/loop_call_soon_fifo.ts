// callSoon is FIFO; what a callback schedules waits for the next iteration;
// stop() ends the run after the current iteration.
import { EventLoop, VirtualClock } from "../../mod.ts";
import { line } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const cb = (...values: unknown[]) => print(line(...values));
  loop.callSoon(cb, "a", 1);
  loop.callSoon(cb, "b", 2, 3);
  loop.callSoonThreadsafe(cb, "c");
  loop.callSoon(() => {
    print("d schedules e");
    loop.callSoon(cb, "e");
  });
  loop.callSoon(() => loop.stop());
  loop.callSoon(cb, "f runs: stop() lets the iteration finish");
  await loop.runForever();
  print("stopped");
  loop.callSoon(cb, "g");
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  print("stopped again");
  loop.close();
}
