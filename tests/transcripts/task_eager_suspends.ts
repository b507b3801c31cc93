// An eager task runs up to its first real suspension inside createTask; from
// there on it is an ordinary task, resumed by the loop.
import {
  allTasks,
  createTask,
  eagerTaskFactory,
  type Future,
  getRunningLoop,
  run,
  sleep,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function worker(name: string, fut: Future<number>) {
    print(`${name} first step, inside create_task`);
    const value = await fut;
    print(`${name} resumed with ${value}`);
    await sleep(0);
    print(`${name} second resumption`);
    return value * 2;
  }

  await run(async () => {
    const loop = getRunningLoop();
    loop.setTaskFactory(eagerTaskFactory);
    const fut = loop.createFuture<number>();
    loop.callSoon(print, "callback before the tasks");
    const a = createTask(() => worker("a", fut));
    print(line("a created: done", a.done(), "in all_tasks", allTasks().has(a)));
    const b = createTask(() => worker("b", fut));
    loop.callSoon(print, "callback after the tasks");
    loop.callSoon((v: number) => fut.setResult(v), 21);
    print(line("results", await a, await b));
  });
}
