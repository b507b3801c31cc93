// A negative delay or a past deadline means "due now".
import { EventLoop, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock(10) });
  const now = loop.time();
  loop.callLater(0, print, "later 0");
  loop.callLater(-1, print, "later -1");
  loop.callAt(now - 5, print, "at now-5");
  loop.callSoon(print, "soon");
  loop.callLater(0.1, () => loop.stop());
  await loop.runForever();
  loop.close();
}
