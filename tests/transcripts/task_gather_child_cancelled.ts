import {
  CancelledError,
  createTask,
  currentTask,
  gather,
  run,
  sleep,
  VirtualClock,
} from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function child(name: string, delay: number) {
    await sleep(delay);
    print(`${name} done`);
    return name;
  }

  await run(async () => {
    const a = createTask(() => child("a", 0.3));
    const b = createTask(() => child("b", 0.1));
    const g = gather(a, b);
    await sleep(0);
    a.cancel();
    try {
      await g;
    } catch (e) {
      if (e instanceof CancelledError) print("gather raised CancelledError");
    }
    print(`main cancelling: ${currentTask()!.cancelling()}`);
    print(`b result: ${await b}`);
  }, { clock: new VirtualClock() });
}
