import { CancelledError, createTask, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function leftover(name: string) {
    try {
      await sleep(10);
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print(`${name} cancelled at shutdown`);
      await sleep(0.1);
      print(`${name} cleaned up`);
      throw e;
    }
  }

  const result = await run(async () => {
    createTask(() => leftover("x"));
    await sleep(0);
    print("main returns");
    return "result";
  }, { clock: new VirtualClock() });
  print(`run returned ${result}`);
}
