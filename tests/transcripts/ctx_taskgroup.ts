// TaskGroup children copy the context of the block that creates them, or
// run in the context given to createTask({ context }).
import { ContextVar, copyContext, run, sleep, TaskGroup, VirtualClock } from "../../mod.ts";

const user = new ContextVar<string>("user", { default: "anonymous" });

export default async function (print: (line: string) => void): Promise<void> {
  async function job(n: number) {
    print(`job ${n} sees ${user.get()}`);
    user.set(`job-${n}`);
    await sleep(0.01 * n);
    print(`job ${n} ends with ${user.get()}`);
  }

  await run(async () => {
    user.set("alice");
    const shared = copyContext();
    await TaskGroup.run((tg) => {
      tg.createTask(() => job(1));
      user.set("bob");
      tg.createTask(() => job(2));
      tg.createTask(() => job(3), { context: shared });
    });
    print(`main has ${user.get()} shared has ${shared.get(user)}`);
  }, { clock: new VirtualClock() });
}
