// Event: set() wakes every waiter in the order they began waiting; wait() on
// a set event returns at once; clear() makes later waits block again.
import { createTask, Event, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const py = (b: boolean) => (b ? "True" : "False");
  async function waiter(ev: Event, name: string) {
    print(`${name} waits`);
    await ev.wait();
    print(`${name} woke, is_set=${py(ev.isSet())}`);
  }
  await run(async () => {
    const ev = new Event();
    const tasks = ["a", "b", "c"].map((n) => createTask(() => waiter(ev, n)));
    await sleep(0);
    print("setting");
    ev.set();
    print(`set; is_set = ${py(ev.isSet())}`);
    for (const t of tasks) await t;
    print(`wait on a set event: ${py(await ev.wait())}`);
    ev.clear();
    const late = createTask(() => waiter(ev, "late"));
    await sleep(0.1);
    print(`late done after 0.1 s? ${py(late.done())}`);
    ev.set();
    await late;
  }, { clock: new VirtualClock() });
}
