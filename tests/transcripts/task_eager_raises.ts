// An eager task that throws before suspending is done, failed, when
// createTask returns; the error is the task's (createTask does not throw).
// One whose error nobody retrieves reaches the exception handler.
import { createTask, eagerTaskFactory, getRunningLoop, run, sleep } from "../../mod.ts";
import { line, ValueError } from "./loop_fmt.ts";

class KeyError extends Error {
  override name = "KeyError";
}

export default async function (print: (line: string) => void): Promise<void> {
  const messages: string[] = [];
  const repr = (e: unknown) => `${(e as Error).name}('${(e as Error).message}')`;
  // deno-lint-ignore require-await
  async function boom(label: string): Promise<never> {
    throw new ValueError(label);
  }
  async function boomLater(): Promise<never> {
    await sleep(0);
    throw new KeyError("later");
  }

  await run(async () => {
    const loop = getRunningLoop();
    loop.setExceptionHandler((_loop, ctx) => {
      const e = ctx.exception as Error;
      messages.push(`${ctx.message}: ${e.name} ${e.message}`);
    });
    loop.setTaskFactory(eagerTaskFactory);
    const t = createTask(() => boom("seen"));
    print(line("done", t.done(), "exception", repr(t.exception())));
    try {
      await t;
    } catch (e) {
      print(`await raises ${repr(e)}`);
    }
    createTask(() => boom("never retrieved"));
    const later = createTask(boomLater);
    print(line("later done at once?", later.done()));
    try {
      await later;
    } catch (e) {
      print(`later raised ${repr(e)}`);
    }
  });
  for (const m of messages) print(`handler: ${m}`);
}
