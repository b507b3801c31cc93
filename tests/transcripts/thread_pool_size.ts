// A pool's size: the default, Workers started only for work no idle Worker
// can take, at most maxWorkers of them, and the check of maxWorkers; as
// thread_pool_size.py with threads. `workers` is what Python's
// `len(pool._threads)` counts.
import { gather, getRunningLoop, run, sleep, WorkerExecutor } from "../../mod.ts";
import { Flags } from "./thread_flags.ts";
import { py } from "./loop_fmt.ts";
import { list } from "./net_fmt.ts";

const WORK = import.meta.resolve("./thread_work.ts");
const job = { module: WORK, name: "job" };
const hold = { module: WORK, name: "hold" };

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const pool = new WorkerExecutor();
    print(
      `default max_workers is min(32, cpus + 4): ${
        py(pool.maxWorkers === Math.min(32, navigator.hardwareConcurrency + 4))
      }`,
    );
    print(`threads before any work: ${pool.workers}`);
    print(`job: ${await loop.runInExecutor(pool, job, 1)}`);
    await sleep(0.05); // the Worker is idle again
    print(`job: ${await loop.runInExecutor(pool, job, 2)}`);
    print(`threads after two jobs, one after the other: ${pool.workers}`);
    let flags = new Flags();
    let held = [0, 1, 2].map((i) => loop.runInExecutor(pool, hold, flags.buffer, i));
    await flags.waitStarted(3);
    print(`threads with three jobs running at once: ${pool.workers}`);
    flags.release();
    print(`results: ${list(await gather(...held))}`);
    await pool.shutdown();

    const small = new WorkerExecutor({ maxWorkers: 2 });
    flags = new Flags();
    held = [0, 1, 2, 3, 4].map((i) => loop.runInExecutor(small, hold, flags.buffer, i));
    await flags.waitStarted(2);
    await sleep(0.05);
    print(`max_workers=2, five jobs: threads ${small.workers} started ${flags.started}`);
    flags.release();
    print(`results: ${list(await gather(...held))}`);
    await small.shutdown();
    try {
      new WorkerExecutor({ maxWorkers: 0 });
    } catch (e) {
      print(`max_workers=0: ${(e as Error).message}`);
    }
  });
}
