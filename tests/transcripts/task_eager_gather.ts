// gather of eager tasks that all finish at once is itself done when gather
// returns; with one that suspends it waits as usual, the others' results
// already in.
import {
  allTasks,
  createTask,
  eagerTaskFactory,
  gather,
  getRunningLoop,
  run,
  sleep,
  VirtualClock,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  // deno-lint-ignore require-await
  const value = async (x: number) => x * 10;
  async function slow(x: number) {
    await sleep(0.01);
    return x;
  }
  const list = (xs: unknown[]) => `[${xs.join(", ")}]`;

  await run(async () => {
    const loop = getRunningLoop();
    loop.setTaskFactory(eagerTaskFactory);
    const g = gather(...[0, 1, 2, 3].map((i) => () => value(i)));
    print(line("all eager: gather done at once", g.done(), list(g.result())));
    const h = gather(() => value(1), () => slow(2), () => value(3));
    print(line("one suspends: done", h.done()));
    print(line("results", list(await h)));
    const tasks = [0, 1, 2].map((i) => createTask(() => value(i)));
    print(
      line(
        "tasks done",
        list(tasks.map((t) => t.done() ? "True" : "False")),
        "pending tasks",
        allTasks().size,
      ),
    );
  }, { clock: new VirtualClock() });
}
