// Barrier(3): tasks wait until three are there, then all go on together,
// with their arrival index; the barrier is reused for a second round. A
// task cancelled in wait() just leaves: the barrier is not broken.
import { Barrier, CancelledError, createTask, run, sleep, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const py = (b: boolean) => (b ? "True" : "False");
  async function party(barrier: Barrier, name: string, rounds: number) {
    for (let r = 0; r < rounds; r++) {
      print(`${name} arrives (round ${r}), n_waiting=${barrier.nWaiting}`);
      const index = await barrier.wait();
      print(`${name} passes with index ${index}`);
    }
  }
  await run(async () => {
    const barrier = new Barrier(3);
    print(`parties ${barrier.parties} broken ${py(barrier.broken)}`);
    const tasks = [];
    for (const name of ["a", "b", "c"]) {
      tasks.push(createTask(() => party(barrier, name, 2)));
      await sleep(0);
    }
    for (const t of tasks) await t;

    const quitter = createTask(() => barrier.wait());
    await sleep(0);
    print(`n_waiting with the quitter: ${barrier.nWaiting}`);
    quitter.cancel();
    try {
      await quitter;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print(`quitter cancelled; n_waiting ${barrier.nWaiting} broken ${py(barrier.broken)}`);
    }
  }, { clock: new VirtualClock() });
}
