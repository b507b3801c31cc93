// The seed's blocking printer; blockingSleep advances the virtual clock.
import { blockingSleep, EventLoop, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const t = loop.time();
  const printer = (name: string) => {
    print(`Started ${name} at ${(loop.time() - t).toFixed(1)}`);
    blockingSleep(0.2);
    print(`Finished ${name} at ${(loop.time() - t).toFixed(1)}`);
  };
  loop.callAt(loop.time() + .2, printer, "call_at");
  loop.callLater(.1, printer, "call_later");
  loop.callSoon(printer, "call_soon");
  loop.callSoonThreadsafe(printer, "call_soon_threadsafe");
  loop.callLater(1, () => loop.stop());
  await loop.runForever();
  print(`Stopped at ${(loop.time() - t).toFixed(1)}`);
  loop.close();
}
