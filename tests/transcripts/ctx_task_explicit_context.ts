// createTask({ context }) runs the task in that context itself: what it sets
// is in the context afterwards, and tasks sharing it see each other's
// values. Task.getContext() and Handle.getContext() return the context.
import {
  CallbackOptions,
  Context,
  ContextVar,
  createTask,
  gather,
  getRunningLoop,
  run,
  sleep,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";

const counter = new ContextVar<number>("counter", { default: 0 });

export default async function (print: (line: string) => void): Promise<void> {
  async function bump(name: string) {
    counter.set(counter.get() + 1);
    await sleep(0);
    print(`${name} sees ${counter.get()}`);
  }

  await run(async () => {
    const loop = getRunningLoop();
    const ctx = new Context();
    const t1 = createTask(() => bump("t1"), { context: ctx });
    const t2 = loop.createTask(() => bump("t2"), { context: ctx });
    print(line("get_context is ctx:", t1.getContext() === ctx, t2.getContext() === ctx));
    const t3 = createTask(() => bump("t3"));
    print(line("own context is not ctx:", t3.getContext() !== ctx));
    await gather(t1, t2, t3);
    print(line("ctx counter", ctx.get(counter), "main counter", counter.get()));
    const h = loop.callSoon(print, "handle ran", new CallbackOptions({ context: ctx }));
    print(line("handle context is ctx:", h.getContext() === ctx));
    await sleep(0);
  });
}
