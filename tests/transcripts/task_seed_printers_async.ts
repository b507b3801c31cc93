import { EventLoop, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const t = loop.time();
  async function printer(name: string) {
    print(`Started ${name} at ${(loop.time() - t).toFixed(1)}`);
    await sleep(0.2);
    print(`Finished ${name} at ${(loop.time() - t).toFixed(1)}`);
  }
  const start = (name: string) => loop.createTask(() => printer(name));

  loop.callAt(loop.time() + .2, start, "call_at");
  loop.callLater(.1, start, "call_later");
  loop.callSoon(start, "call_soon");
  loop.callSoonThreadsafe(start, "call_soon_threadsafe");
  loop.callLater(1, () => loop.stop());
  await loop.runForever();
  loop.close();
}
