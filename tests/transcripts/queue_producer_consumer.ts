// A bounded Queue(2) between two producers and two consumers: put() blocks
// while full, get() while empty, each in arrival order; join() returns once
// every item is marked done.
import { createTask, getRunningLoop, Queue, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const py = (b: boolean) => (b ? "True" : "False");
  const at = (t0: number) => (getRunningLoop().time() - t0).toFixed(1);
  async function producer(q: Queue<string>, name: string, t0: number) {
    for (let i = 0; i < 3; i++) {
      const item = `${name}${i}`;
      await q.put(item);
      print(`${at(t0)} ${name} put ${item} (qsize ${q.qsize()}, full ${py(q.full())})`);
    }
  }
  async function consumer(q: Queue<string>, name: string, t0: number) {
    for (;;) {
      const item = await q.get();
      print(`${at(t0)} ${name} got ${item}`);
      await sleep(0.1);
      q.taskDone();
    }
  }
  await run(async () => {
    const t0 = getRunningLoop().time();
    const q = new Queue<string>(2);
    print(`maxsize ${q.maxsize} empty ${py(q.empty())}`);
    const consumers = ["c1", "c2"].map((n) => createTask(() => consumer(q, n, t0)));
    const producers = ["p", "q"].map((n) => createTask(() => producer(q, n, t0)));
    for (const p of producers) await p;
    await q.join();
    print(`${at(t0)} joined, empty ${py(q.empty())}`);
    for (const c of consumers) c.cancel();
  }, { clock: new VirtualClock() });
}
