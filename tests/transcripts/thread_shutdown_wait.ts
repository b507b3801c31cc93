// Executor.shutdown({ wait: true }) resolves once the running and queued
// work is done; shutdown({ wait: false }) at once, and the queued work
// still runs; after either, submit throws RuntimeError. As
// thread_shutdown_wait.py (its threads append to `log`; here the Workers,
// in shared memory).
import { gather, getRunningLoop, run, RuntimeError, sleep, WorkerExecutor } from "../../mod.ts";
import { Log } from "./thread_flags.ts";
import { list } from "./net_fmt.ts";

const work = { module: import.meta.resolve("./thread_work.ts"), name: "work" };

export default async function (print: (line: string) => void): Promise<void> {
  const log = new Log();
  await run(async () => {
    const loop = getRunningLoop();
    let pool = new WorkerExecutor({ maxWorkers: 1 });
    let futures = [..."abc"].map((name) => loop.runInExecutor(pool, work, name, 0.05, log.buffer));
    await sleep(0.01);
    await pool.shutdown({ wait: true });
    print(`after shutdown(wait=True): ${log}`);
    print(`results: ${list(await gather(...futures))}`);
    try {
      pool.submit(work, "d", 0, log.buffer);
    } catch (e) {
      if (e instanceof RuntimeError) print(`RuntimeError: ${e.message}`);
    }

    log.clear();
    pool = new WorkerExecutor({ maxWorkers: 1 });
    futures = [..."xyz"].map((name) => loop.runInExecutor(pool, work, name, 0.05, log.buffer));
    await sleep(0.01);
    await pool.shutdown({ wait: false });
    print(`after shutdown(wait=False): ${log} done: ${list(futures.map((f) => f.done()))}`);
    try {
      loop.runInExecutor(pool, work, "w", 0, log.buffer);
    } catch (e) {
      if (e instanceof RuntimeError) print(`RuntimeError: ${e.message}`);
    }
    print(`results: ${list(await gather(...futures))}`);
    print(`log: ${log}`);
  });
}
