// A get() cancelled after a put() woke it loses no item: the item goes to
// the next getter, or stays in the queue. A put() cancelled while waiting
// adds nothing; one cancelled after a get() woke it passes the slot on.
import { CancelledError, createTask, Queue, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const py = (b: boolean) => (b ? "True" : "False");
  async function getter(q: Queue<string>, name: string) {
    try {
      print(`${name} got ${await q.get()}`);
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print(`${name} cancelled, qsize ${q.qsize()}`);
    }
  }
  async function putter(q: Queue<string>, name: string, item: string) {
    try {
      await q.put(item);
      print(`${name} put ${item}`);
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print(`${name} cancelled, qsize ${q.qsize()}`);
    }
  }
  await run(async () => {
    let q = new Queue<string>();
    const a = createTask(() => getter(q, "a"));
    const b = createTask(() => getter(q, "b"));
    await sleep(0);
    q.putNowait("x"); // wakes a...
    a.cancel(); // ...cancelled before it runs
    await a;
    await b;
    const c = createTask(() => getter(q, "c"));
    await sleep(0);
    q.putNowait("y");
    c.cancel();
    await c;
    print(`left in the queue: ${q.getNowait()}`);

    q = new Queue<string>(1);
    q.putNowait("first");
    const p1 = createTask(() => putter(q, "p1", "one"));
    const p2 = createTask(() => putter(q, "p2", "two"));
    const p3 = createTask(() => putter(q, "p3", "three"));
    await sleep(0);
    p3.cancel(); // cancelled while waiting
    print(`got ${q.getNowait()}`); // wakes p1...
    p1.cancel(); // ...cancelled before it runs
    for (const t of [p1, p2, p3]) await t;
    print(`queue now holds ${q.getNowait()} empty ${py(q.empty())}`);
  }, { clock: new VirtualClock() });
}
