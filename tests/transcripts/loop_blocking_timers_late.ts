// A blocking callback delays everything; timers that fell due run late, in order.
import { blockingSleep, EventLoop, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const t0 = loop.time();
  const show = (name: string) => print(`${name} at ${(loop.time() - t0).toFixed(1)}`);
  loop.callSoon(() => {
    show("blocker starts");
    blockingSleep(0.5);
    show("blocker ends");
  });
  loop.callLater(0.1, show, "timer 0.1");
  loop.callLater(0.3, show, "timer 0.3");
  loop.callLater(0.2, show, "timer 0.2");
  loop.callLater(0.7, show, "timer 0.7");
  loop.callLater(0.8, () => loop.stop());
  await loop.runForever();
  loop.close();
}
