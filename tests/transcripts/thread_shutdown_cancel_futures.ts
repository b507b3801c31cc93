// Executor.shutdown({ cancelFutures: true }) cancels the work no Worker has
// started; the running work finishes; the loop futures of the cancelled
// work are cancelled too. As thread_shutdown_cancel_futures.py.
import { getRunningLoop, run, sleep, WorkerExecutor } from "../../mod.ts";
import { Flags, Log } from "./thread_flags.ts";
import { py } from "./loop_fmt.ts";
import { list } from "./net_fmt.ts";

const WORK = import.meta.resolve("./thread_work.ts");
const hold = { module: WORK, name: "hold" };
const work = { module: WORK, name: "work" };

export default async function (print: (line: string) => void): Promise<void> {
  const log = new Log();
  await run(async () => {
    const loop = getRunningLoop();
    const pool = new WorkerExecutor({ maxWorkers: 1 });
    const flags = new Flags();
    const running = loop.runInExecutor(pool, hold, flags.buffer, "r", log.buffer);
    const queued = [..."pq"].map((name) => loop.runInExecutor(pool, work, name, 0, log.buffer));
    await flags.waitStarted(1);
    void pool.shutdown({ wait: false, cancelFutures: true });
    await sleep(0.01);
    print(`queued cancelled: ${list(queued.map((f) => f.cancelled()))}`);
    print(`running done: ${py(running.done())}`);
    flags.release();
    print(`running result: ${await running}`);
    print(`log: ${log}`);
  });
}
