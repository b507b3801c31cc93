// LifoQueue hands out the newest item first. putNowait() on a full queue
// throws QueueFull, getNowait() on an empty one QueueEmpty; taskDone() once
// too often is an error (Python's ValueError is our RangeError).
import {
  createTask,
  LifoQueue,
  QueueEmpty,
  QueueFull,
  run,
  sleep,
  VirtualClock,
} from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const q = new LifoQueue<number | string>(3);
    for (let i = 0; i < 3; i++) q.putNowait(i);
    try {
      q.putNowait(3);
    } catch (e) {
      if (!(e instanceof QueueFull)) throw e;
      print(`QueueFull at qsize ${q.qsize()}`);
    }
    print(`got [${[0, 1, 2].map(() => q.getNowait()).join(", ")}]`);
    try {
      q.getNowait();
    } catch (e) {
      if (!(e instanceof QueueEmpty)) throw e;
      print("QueueEmpty");
    }
    const getter = createTask(() => q.get());
    await sleep(0);
    q.putNowait("a");
    q.putNowait("b");
    print(`waiting getter got ${await getter} then ${q.getNowait()}`);
    for (let i = 0; i < 5; i++) q.taskDone();
    try {
      q.taskDone();
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      print(`task_done: ${e.message}`);
    }
    await q.join();
    print("joined");
  }, { clock: new VirtualClock() });
}
