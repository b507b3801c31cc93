// Cancelling a future that a task awaits: the await throws CancelledError
// with the message; the task may catch it and go on; done callbacks run.
import { CancelledError, EventLoop, sleep, VirtualClock } from "../../mod.ts";
import { line } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const fut = loop.createFuture();
  const waiter = async () => {
    try {
      await fut;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print(`waiter caught CancelledError: ${e.message}`);
    }
    await sleep(0.1);
    print("waiter goes on and returns");
    return "ok";
  };
  fut.addDoneCallback((f) => print(line("done callback: cancelled", f.cancelled())));
  const task = loop.createTask(waiter);
  loop.callSoon(() => print(line("cancel returns", fut.cancel("why"))));
  print(await loop.runUntilComplete(task));
  print(line("task cancelled", task.cancelled(), "/ future cancelled", fut.cancelled()));
  loop.close();
}
