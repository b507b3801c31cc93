// Cancelling eager tasks: right after createTask (it waits on its first
// future, which is cancelled; in JavaScript the task reaches that await
// only in a microtask, so the future is cancelled then); from inside its own
// first step (the cancel lands at its first await); before it returns
// without awaiting (it ends cancelled); and once it is done (cancel()
// returns false).
import {
  CancelledError,
  createTask,
  currentTask,
  eagerTaskFactory,
  type Future,
  getRunningLoop,
  run,
  sleep,
  type Task,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const args = (e: CancelledError) => (e.message ? `('${e.message}',)` : "()");

  async function waiter(fut: Future<void>) {
    try {
      await fut;
    } catch (e) {
      if (e instanceof CancelledError) print(`waiter cancelled with ${args(e)}`);
      throw e;
    }
  }

  async function cancelsItself() {
    print(line("cancelling myself; cancelling() =", currentTask()!.cancel("self")));
    print("still running the first step");
    await sleep(0);
    print("never printed");
  }

  // deno-lint-ignore require-await
  async function cancelsThenReturns() {
    currentTask()!.cancel();
    return "ignored";
  }

  await run(async () => {
    const loop = getRunningLoop();
    loop.setTaskFactory(eagerTaskFactory);
    const fut = loop.createFuture<void>();
    const w = createTask(() => waiter(fut));
    print(line("cancel waiter:", w.cancel("stop")));
    const s = createTask(cancelsItself);
    print(line("self-cancelled task: done", s.done(), "cancelling", s.cancelling()));
    const r = createTask(cancelsThenReturns);
    print(line("returned after cancel: done", r.done(), "cancelled", r.cancelled()));
    // deno-lint-ignore require-await
    const q = createTask(async () => "quick");
    print(line("cancel a finished eager task:", q.cancel()));
    for (const [label, t] of [["waiter", w], ["self-cancelled", s]] as [string, Task<void>][]) {
      try {
        await t;
      } catch (e) {
        if (e instanceof CancelledError) print(`${label} ended cancelled ${args(e)}`);
      }
    }
    print(line("the future it awaited is cancelled:", fut.cancelled()));
  });
}
