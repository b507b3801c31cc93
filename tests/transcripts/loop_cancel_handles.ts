// A cancelled handle never runs, even when cancelled in the same iteration.
import { EventLoop, VirtualClock } from "../../mod.ts";
import { line } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const canceller = () => {
    print("canceller cancels h3 and t2");
    h3.cancel();
    t2.cancel();
  };
  const h1 = loop.callSoon(print, "h1 (cancelled: never printed)");
  const t1 = loop.callLater(0.1, print, "t1 (cancelled: never printed)");
  h1.cancel();
  t1.cancel();
  loop.callSoon(canceller);
  const h3 = loop.callSoon(print, "h3 (cancelled: never printed)");
  const t2 = loop.callLater(0.2, print, "t2 (cancelled: never printed)");
  const t3 = loop.callLater(0.1, print, "t3 runs");
  print(line("cancelled:", h1.cancelled(), t1.cancelled(), h3.cancelled(), t3.cancelled()));
  loop.callLater(0.3, () => loop.stop());
  await loop.runForever();
  print(line("cancelled:", h3.cancelled(), t2.cancelled(), t3.cancelled()));
  loop.close();
}
