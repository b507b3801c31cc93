import { gather, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function ticker(name: string, n: number) {
    for (let i = 0; i < n; i++) {
      print(`${name} ${i}`);
      await sleep(0);
    }
  }

  await run(async () => {
    await gather(() => ticker("a", 3), () => ticker("b", 2), () => ticker("c", 3));
    print(`sleep(0, value) returns ${await sleep(0, "v")}`);
  }, { clock: new VirtualClock() });
}
