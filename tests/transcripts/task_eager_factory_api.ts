// setTaskFactory/getTaskFactory, createEagerTaskFactory with a Task
// subclass, new Task(coro, { eagerStart: true }) on a loop that is not
// running (scheduled as usual), and a factory that is not a function.
import { createEagerTaskFactory, newEventLoop, Task, type TaskFactory } from "../../mod.ts";
import { line } from "./loop_fmt.ts";

class TracedTask<T> extends Task<T> {}

export default async function (print: (line: string) => void): Promise<void> {
  // deno-lint-ignore require-await
  async function hello(name: string) {
    print(`hello from ${name}`);
    return name;
  }

  const loop = newEventLoop();
  print(line("default factory:", loop.getTaskFactory()));
  const factory = createEagerTaskFactory(TracedTask);
  loop.setTaskFactory(factory);
  print(line("get returns it:", loop.getTaskFactory() === factory));
  try {
    loop.setTaskFactory(42 as unknown as TaskFactory);
  } catch (e) {
    if (e instanceof TypeError) print(`TypeError: ${e.message}`);
  }
  const t = loop.createTask(() => hello("not running"));
  print(line("loop not running: done", t.done(), "class", t.constructor.name));
  const eager = new Task(() => hello("Task(eager_start=True)"), { loop, eagerStart: true });
  print(line("eager_start on a stopped loop: done", eager.done()));

  await loop.runUntilComplete(async () => {
    const u = loop.createTask(() => hello("running"));
    print(line("running loop: done", u.done(), "class", u.constructor.name));
    loop.setTaskFactory(null);
    const v = loop.createTask(() => hello("default again"));
    print(line("default factory again: done", v.done(), "class", v.constructor.name));
    const w = new Task(() => hello("Task(eager_start=True) running"), { loop, eagerStart: true });
    print(line("eager_start on a running loop: done", w.done()));
    await v;
  });
  print(line("results", t.result(), eager.result()));
  loop.close();
}
