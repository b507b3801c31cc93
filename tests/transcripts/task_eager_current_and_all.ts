// During an eager task's first step, currentTask() is that task and
// allTasks() includes it; back in the creator, currentTask() is the creator
// again. A name given to createTask is set after the factory made the task
// (as CPython 3.12/3.13), so the first step still sees Task-N.
import {
  allTasks,
  createTask,
  currentTask,
  eagerTaskFactory,
  type Future,
  getRunningLoop,
  run,
  type Task,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  let mainTask: Task<unknown> | null = null;
  async function probe(label: string, fut?: Future<void>) {
    const me = currentTask();
    print(line(
      label,
      "current is me:",
      me !== null && me !== mainTask,
      "in all_tasks:",
      me !== null && allTasks().has(me),
      "name starts with Task-:",
      me!.getName().startsWith("Task-"),
    ));
    if (fut !== undefined) await fut;
    return label;
  }

  await run(async () => {
    const loop = getRunningLoop();
    loop.setTaskFactory(eagerTaskFactory);
    mainTask = currentTask();
    const t = createTask(() => probe("finishing"), { name: "named" });
    print(line("back in main:", currentTask() === mainTask, "name now", t.getName()));
    print(line("finished eager task in all_tasks:", allTasks().has(t)));
    const fut = loop.createFuture<void>();
    const s = createTask(() => probe("suspending", fut), { name: "waits" });
    print(line("suspended eager task in all_tasks:", allTasks().has(s), s.getName()));
    fut.setResult();
    await s;
    print(line("after it ended, in all_tasks:", allTasks().has(s)));
  });
}
