// PriorityQueue hands out the smallest [priority, data] pair first, also to
// getters that were waiting; a bounded one blocks put() while full.
import { createTask, PriorityQueue, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const py = (b: boolean) => (b ? "True" : "False");
  await run(async () => {
    const q = new PriorityQueue<[number, unknown]>(3);
    for (const item of [[3, "low"], [1, "urgent"], [2, "normal"]] as [number, string][]) {
      q.putNowait(item);
    }
    print(`full ${py(q.full())}`);
    const blocked = createTask(() => q.put([0, "late but first"]));
    await sleep(0);
    print(`put blocked while full: ${py(!blocked.done())}`);
    while (!q.empty() || !blocked.done()) {
      const [prio, data] = await q.get();
      print(`${prio} ${data}`);
      await sleep(0);
    }

    const waiting = [0, 1].map(() => createTask(() => q.get()));
    await sleep(0);
    q.putNowait([5, "e"]);
    q.putNowait([4, "d"]);
    for (const t of waiting) {
      const [prio, data] = await t;
      print(`waiting getter got (${prio}, '${data}')`);
    }
    try {
      q.putNowait([1, {}]);
      q.putNowait([1, { a: 1 }]);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print(`incomparable: ${e.name}`);
    }
  }, { clock: new VirtualClock() });
}
