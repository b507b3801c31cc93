// A timer that falls due joins the ready queue behind what is there.
import { blockingSleep, EventLoop, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const t0 = loop.time();
  const show = (name: string) => print(`${name} at ${(loop.time() - t0).toFixed(1)}`);
  const blocker = () => {
    show("blocker starts");
    blockingSleep(0.2);
    loop.callSoon(show, "soon from blocker");
    show("blocker ends");
  };
  loop.callLater(0.1, show, "timer 0.1");
  loop.callSoon(blocker);
  loop.callSoon(show, "soon");
  loop.callLater(0.3, () => loop.stop());
  await loop.runForever();
  loop.close();
}
