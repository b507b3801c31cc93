// Default task names: only a task created without a name draws the next Task-N (CPython 3.13).
import { createTask, gather, getRunningLoop, run, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const noop = async () => {};
  const number = (task: { getName(): string }) => Number(task.getName().replace(/^Task-/, ""));
  await run(async () => {
    const a = createTask(noop);
    const named = createTask(noop, { name: "named" });
    const b = createTask(noop);
    print(`named: ${named.getName()}`);
    print(`next unnamed is one after the first: ${number(b) - number(a)}`);
    named.setName("renamed");
    const c = createTask(noop, { name: null as unknown as string });
    print(`name=None draws a number: ${number(c) - number(b)}`);
    const d = getRunningLoop().createTask(noop, { name: "loop-named" });
    const e = getRunningLoop().createTask(noop);
    print(`loop.create_task too: ${d.getName()} ${number(e) - number(c)}`);
    await gather(a, named, b, c, d, e);
  }, { clock: new VirtualClock() });
}
