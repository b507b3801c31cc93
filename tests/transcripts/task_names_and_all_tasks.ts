import {
  allTasks,
  createTask,
  currentTask,
  run,
  RuntimeError,
  sleep,
  VirtualClock,
} from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  async function named() {
    await sleep(0.1);
    return currentTask()!.getName();
  }
  const list = (names: string[]) => `[${names.sort().map((n) => `'${n}'`).join(", ")}]`;

  await run(async () => {
    const me = currentTask()!;
    me.setName("main");
    const t = createTask(named, { name: "worker" });
    const u = createTask(named);
    print(`default name starts with Task-: ${py(u.getName().startsWith("Task-"))}`);
    print(`all tasks: ${list([...allTasks()].filter((x) => x !== u).map((x) => x.getName()))}`);
    print(`worker says ${await t}`);
    await u;
    print(`after: ${list([...allTasks()].map((x) => x.getName()))}`);
    print(`current is main: ${py(currentTask() === me)}`);
  }, { clock: new VirtualClock() });
  try {
    allTasks();
  } catch (e) {
    if (e instanceof RuntimeError) print(`outside a loop all_tasks raises: ${e.message}`);
  }
}

const py = (b: boolean) => b ? "True" : "False";
