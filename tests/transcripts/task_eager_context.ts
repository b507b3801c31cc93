// An eager task runs its first step in its own copy of the creator's
// context, even though that step runs inside createTask: what it sets there
// is not the creator's.
import {
  ContextVar,
  copyContext,
  createTask,
  eagerTaskFactory,
  type Future,
  getRunningLoop,
  run,
} from "../../mod.ts";

const variable = new ContextVar<string>("var", { default: "default" });

export default async function (print: (line: string) => void): Promise<void> {
  async function child(name: string, fut?: Future<void>) {
    print(`${name} sees ${variable.get()}`);
    variable.set(name);
    if (fut !== undefined) {
      await fut;
      print(`${name} after await still has ${variable.get()}`);
    }
    return variable.get();
  }

  await run(async () => {
    const loop = getRunningLoop();
    loop.setTaskFactory(eagerTaskFactory);
    variable.set("parent");
    const t = createTask(() => child("eager-a"));
    print(`parent after eager-a: ${variable.get()} result ${t.result()}`);
    const ctx = copyContext();
    createTask(() => child("eager-ctx"), { context: ctx });
    print(`given context holds ${ctx.get(variable)} parent ${variable.get()}`);
    const fut = loop.createFuture<void>();
    const w = createTask(() => child("eager-w", fut));
    variable.set("parent-2");
    fut.setResult();
    print(`w result ${await w} parent ${variable.get()}`);
  });
}
