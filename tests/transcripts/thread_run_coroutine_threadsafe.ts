// runCoroutineThreadsafe from a Worker (thread_worker.ts), as
// thread_run_coroutine_threadsafe.py with its thread. The coroutines are
// this module's exports: the loop's thread imports this same module, so
// `cancelledOnLoop` is the one the test prints.
import { CancelledError, loopPort, run, RuntimeError, sleep } from "../../mod.ts";
import { list } from "./net_fmt.ts";

const cancelledOnLoop: string[] = [];

/** One iteration, then twice `x`. */
export async function double(x: number): Promise<number> {
  await sleep(0);
  return 2 * x;
}

/** Fails after one iteration. */
export async function fail(message: string): Promise<never> {
  await sleep(0);
  throw new RuntimeError(message);
}

/** Sleeps; records a cancel that reaches it. */
export async function sleeper(seconds: number): Promise<void> {
  try {
    await sleep(seconds);
  } catch (e) {
    if (e instanceof CancelledError) cancelledOnLoop.push("sleeper");
    throw e;
  }
}

/** How many cancels reached the loop. */
export function cancelledCount(): Promise<number> {
  return Promise.resolve(cancelledOnLoop.length);
}

export default async function (print: (line: string) => void): Promise<void> {
  cancelledOnLoop.length = 0;
  const log = await run(async () => {
    const worker = new Worker(new URL("./thread_worker.ts", import.meta.url), { type: "module" });
    try {
      const done = new Promise<string[]>((resolve) => worker.onmessage = (e) => resolve(e.data));
      const port = loopPort();
      worker.postMessage({ port, work: import.meta.url }, [port]);
      return await done;
    } finally {
      worker.terminate();
    }
  });
  for (const entry of log) print(entry);
  print(`on the loop: ${list(cancelledOnLoop)}`);
}
