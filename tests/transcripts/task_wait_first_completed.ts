import {
  createTask,
  FIRST_COMPLETED,
  type Future,
  getRunningLoop,
  run,
  sleep,
  type Task,
  VirtualClock,
  wait,
} from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function work(name: string, delay: number) {
    await sleep(delay);
    print(`end ${name}`);
    return name;
  }
  const names = (tasks: Set<Future<string>>) =>
    [...tasks].map((t) => (t as Task<string>).getName()).sort().join(",") || "-";

  await run(async () => {
    const loop = getRunningLoop();
    const t0 = loop.time();
    const at = () => (loop.time() - t0).toFixed(1);
    const tasks = ([["a", 0.3], ["b", 0.1], ["c", 0.2]] as const).map(([n, d]) =>
      createTask(() => work(n, d), { name: n })
    );
    let [done, pending] = await wait(tasks, { returnWhen: FIRST_COMPLETED });
    print(`done ${names(done)} pending ${names(pending)} at ${at()}`);
    [done, pending] = await wait(pending, { timeout: 0.15 });
    print(`done ${names(done)} pending ${names(pending)} at ${at()}`);
    [done, pending] = await wait(tasks);
    print(`done ${names(done)} pending ${names(pending)} at ${at()}`);
  }, { clock: new VirtualClock() });
}
