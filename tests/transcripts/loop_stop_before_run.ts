// stop() before runForever(): the run does exactly one iteration.
import { EventLoop, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  loop.callSoon(() => {
    print("first schedules second");
    loop.callSoon(print, "second");
  });
  loop.callLater(0.1, print, "timer 0.1");
  loop.stop();
  await loop.runForever();
  print("one iteration done");
  loop.callLater(0.2, () => loop.stop());
  await loop.runForever();
  print("done");
  loop.close();
}
