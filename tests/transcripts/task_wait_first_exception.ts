import {
  createTask,
  FIRST_EXCEPTION,
  type Future,
  getRunningLoop,
  run,
  RuntimeError,
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
  async function fail(delay: number): Promise<string> {
    await sleep(delay);
    print("fail raises");
    throw new RuntimeError("boom");
  }
  const names = (tasks: Set<Future<string>>) =>
    [...tasks].map((t) => (t as Task<string>).getName()).sort().join(",") || "-";

  await run(async () => {
    const loop = getRunningLoop();
    const t0 = loop.time();
    const at = () => (loop.time() - t0).toFixed(1);
    const a = createTask(() => work("a", 0.1), { name: "a" });
    const f = createTask(() => fail(0.2), { name: "f" });
    const c = createTask(() => work("c", 0.3), { name: "c" });
    let [done, pending] = await wait([a, f, c], { returnWhen: FIRST_EXCEPTION });
    print(`done ${names(done)} pending ${names(pending)} at ${at()}`);
    print(`f error: ${(f.exception() as Error).message}`);
    const d = createTask(() => work("d", 0.1), { name: "d" });
    [done, pending] = await wait([c, d], { returnWhen: FIRST_EXCEPTION });
    print(`done ${names(done)} pending ${names(pending)} at ${at()}`);
  }, { clock: new VirtualClock() });
}
