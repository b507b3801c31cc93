// What a timer callback schedules: its callSoon runs in the next iteration,
// a callLater(0) after that, a callLater(0.1) later.
import { EventLoop, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const t0 = loop.time();
  const show = (name: string) => print(`${name} at ${(loop.time() - t0).toFixed(1)}`);
  const timer = () => {
    show("timer");
    loop.callLater(0.1, show, "its call_later(0.1)");
    loop.callLater(0, show, "its call_later(0)");
    loop.callSoon(show, "its call_soon");
  };
  const chain = (i: number) => {
    show(`chain ${i}`);
    if (i < 2) loop.callSoon(chain, i + 1);
  };
  loop.callAt(t0 + 0.1, timer);
  loop.callAt(t0 + 0.1, chain, 0);
  loop.callLater(0.3, () => loop.stop());
  await loop.runForever();
  loop.close();
}
