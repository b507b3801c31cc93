// Self-rescheduling callbacks take turns: one step each per iteration.
import { EventLoop, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const chain = (name: string, i: number, n: number) => {
    print(`${name} ${i}`);
    if (i + 1 < n) loop.callSoon(chain, name, i + 1, n);
  };
  const fanOut = () => {
    print("fan-out schedules x, y");
    loop.callSoon(print, "x");
    loop.callSoon(print, "y");
  };
  loop.callSoon(chain, "A", 0, 3);
  loop.callSoon(chain, "B", 0, 2);
  loop.callSoon(fanOut);
  loop.callSoon(chain, "C", 0, 3);
  loop.callLater(0.1, () => loop.stop());
  await loop.runForever();
  loop.close();
}
