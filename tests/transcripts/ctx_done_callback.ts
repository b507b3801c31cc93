// A done callback runs in a copy of the context it was added in (or the one
// given with { context }), not in the context of whoever finishes the future.
import {
  Context,
  ContextVar,
  createTask,
  type Future,
  getRunningLoop,
  run,
  sleep,
} from "../../mod.ts";

const trace = new ContextVar<string>("trace", { default: "-" });

export default async function (print: (line: string) => void): Promise<void> {
  const report = (fut: Future<string>) => print(`callback for ${fut.result()} sees ${trace.get()}`);

  await run(async () => {
    const loop = getRunningLoop();
    const fut = loop.createFuture<string>();
    trace.set("adder");
    fut.addDoneCallback(report);
    const ctx = new Context();
    ctx.run(() => trace.set("given"));
    fut.addDoneCallback(report, { context: ctx });
    trace.set("changed later");

    // deno-lint-ignore require-await
    await createTask(async () => {
      trace.set("finisher");
      fut.setResult("x");
    });
    await sleep(0);
    const done = loop.createFuture<string>();
    done.setResult("y");
    done.addDoneCallback(report);
    await sleep(0);
  });
}
