// With the eager task factory, a task whose coroutine returns without
// suspending runs inside createTask and is done when it returns: never
// scheduled, never in allTasks(); its done callbacks still go through
// callSoon.
import { allTasks, createTask, eagerTaskFactory, getRunningLoop, run, sleep } from "../../mod.ts";
import { line } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const cache = new Map([["a", 1]]);
  // deno-lint-ignore require-await
  async function lookup(key: string) {
    print(`lookup ${key} runs inside create_task`);
    return cache.get(key)!;
  }

  await run(async () => {
    const loop = getRunningLoop();
    loop.setTaskFactory(eagerTaskFactory);
    loop.callSoon(print, "a callback scheduled before");
    const t = createTask(() => lookup("a"));
    print(line("after create_task: done", t.done(), "result", t.result()));
    print(line("in all_tasks:", allTasks().has(t), "tasks:", allTasks().size));
    t.addDoneCallback(() => print("done callback, via call_soon"));
    print(line("await a done eager task:", await t));
    print("main goes on before anything else ran");
    await sleep(0);
    print("after one iteration");
  });
}
