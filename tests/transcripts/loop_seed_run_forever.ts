// The seed's "event loops" example: a callback creates a task, a timer
// stops the loop later.
import { EventLoop, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const t = loop.time();
  const sleeper = async (delay: number) => {
    await sleep(delay);
    print(`Finished sleeper with delay: ${delay.toFixed(1)} at ${(loop.time() - t).toFixed(1)}`);
  };
  loop.callSoon(() => loop.createTask(() => sleeper(0.1)));
  loop.callLater(0.2, () => loop.stop());
  await loop.runForever();
  print(`Stopped at ${(loop.time() - t).toFixed(1)}`);
  loop.close();
}
