// Timers run in deadline order; equal deadlines in scheduling order.
import { EventLoop, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const t0 = loop.time();
  const show = (name: string) => print(`${name} at ${(loop.time() - t0).toFixed(1)}`);
  loop.callLater(0.4, show, "later 0.4");
  loop.callLater(0.1, show, "later 0.1");
  loop.callAt(t0 + 0.3, show, "at 0.3");
  loop.callAt(t0 + 0.2, show, "at 0.2 first");
  loop.callAt(t0 + 0.2, show, "at 0.2 second");
  loop.callLater(0.2, show, "later 0.2");
  loop.callSoon(show, "soon");
  loop.callLater(0.5, () => loop.stop());
  await loop.runForever();
  show("stopped");
  loop.close();
}
