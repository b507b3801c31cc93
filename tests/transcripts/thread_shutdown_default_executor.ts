// loop.shutdownDefaultExecutor(): waits for the default executor's work;
// with a timeout (3.12+), warns past it and returns, the work still
// finishing; later runInExecutor(null) throws RuntimeError; run() calls it
// again at the end. As thread_shutdown_default_executor.py (its warning is
// Python's RuntimeWarning; ours goes to console.warn).
import { getRunningLoop, run, RuntimeError, sleep } from "../../mod.ts";
import { Flags } from "./thread_flags.ts";
import { py } from "./loop_fmt.ts";

const WORK = import.meta.resolve("./thread_work.ts");
const job = { module: WORK, name: "job" };
const work = { module: WORK, name: "work" };
const hold = { module: WORK, name: "hold" };

export default async function (print: (line: string) => void): Promise<void> {
  const log = new SharedArrayBuffer(4 * 64);
  await run(async () => {
    const loop = getRunningLoop();
    print(`job: ${await loop.runInExecutor(null, job, 1)}`);
    const quick = loop.runInExecutor(null, work, "waited for", 0.05, log);
    await sleep(0.01);
    await loop.shutdownDefaultExecutor();
    print(`after shutdown_default_executor(): ${py(quick.done())} ${await quick}`);
    try {
      loop.runInExecutor(null, job, 2);
    } catch (e) {
      if (e instanceof RuntimeError) print(`RuntimeError: ${e.message}`);
    }
  });

  const warn = console.warn;
  console.warn = (message: string) => print(`RuntimeWarning: ${message}`);
  try {
    await run(async () => {
      const loop = getRunningLoop();
      const flags = new Flags();
      const slow = loop.runInExecutor(null, hold, flags.buffer, "finished anyway");
      await flags.waitStarted(1);
      await loop.shutdownDefaultExecutor(0.1);
      print(`slow done after the timeout: ${py(slow.done())}`);
      flags.release();
      print(`slow: ${await slow}`);
    });
  } finally {
    console.warn = warn;
  }
  print("run returned");
}
