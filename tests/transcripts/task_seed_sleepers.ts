import { EventLoop, sleep, VirtualClock, wait } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function sleeper(delay: number) {
    await sleep(delay);
    print(`Finished sleeper with delay: ${delay}`);
  }

  const loop = new EventLoop({ clock: new VirtualClock() });
  const t0 = loop.time();
  const [done, pending] = await loop.runUntilComplete(() =>
    wait([
      loop.createTask(() => sleeper(1)),
      loop.createTask(() => sleeper(3)),
      loop.createTask(() => sleeper(2)),
    ])
  );
  print(`done ${done.size} pending ${pending.size} after ${(loop.time() - t0).toFixed(1)} s`);
  loop.close();
}
