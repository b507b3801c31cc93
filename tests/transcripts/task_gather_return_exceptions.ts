import {
  createTask,
  gather,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  VirtualClock,
} from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function work(name: string, delay: number) {
    await sleep(delay);
    return name;
  }
  async function fail(delay: number) {
    await sleep(delay);
    throw new RuntimeError("boom");
  }
  const show = (r: unknown) =>
    typeof r === "string" ? r : `${(r as Error).name}: ${(r as Error).message}`;

  await run(async () => {
    const victim = createTask(() => sleep(10));
    const fut = getRunningLoop().createFuture();
    const c = createTask(async () => {
      await sleep(0.1);
      victim.cancel();
      fut.cancel("fut message");
    });
    const results = await gather(() => work("a", 0.2), () => fail(0.1), victim, fut, {
      returnExceptions: true,
    });
    for (const r of results) print(show(r));
    await c;
  }, { clock: new VirtualClock() });
}
