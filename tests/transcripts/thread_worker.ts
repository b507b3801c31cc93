// The Worker of thread_run_coroutine_threadsafe.ts: what the Python
// scenario's thread does, blocking on result() as it does.
import { CancelledError, runCoroutineThreadsafe, TimeoutError } from "../../mod.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<{ port: MessagePort; work: string }>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event) => {
  const { port, work } = event.data;
  const fn = (name: string) => ({ module: work, name });
  const py = (b: boolean) => (b ? "True" : "False");
  const log: string[] = [];
  const futures = [0, 1, 2, 3, 4].map((i) => runCoroutineThreadsafe<number>(fn("double"), port, i));
  log.push(`results [${futures.map((f) => f.result(5)).join(", ")}]`);
  let f = runCoroutineThreadsafe(fn("fail"), port, "no luck");
  try {
    f.result(5);
  } catch (e) {
    log.push(`error ${(e as Error).name}: ${(e as Error).message}`);
  }
  f = runCoroutineThreadsafe(fn("sleeper"), port, 30);
  try {
    f.result(0.05);
  } catch (e) {
    if (e instanceof TimeoutError) log.push(`timed out, done: ${py(f.done())}`);
  }
  log.push(`cancel: ${py(f.cancel())}`);
  log.push(`cancelled: ${py(f.cancelled())}, done: ${py(f.done())}`);
  try {
    f.result();
  } catch (e) {
    if (e instanceof CancelledError) log.push("result: CancelledError");
  }
  const count = runCoroutineThreadsafe<number>(fn("cancelledCount"), port).result(5);
  log.push(`cancels seen on the loop: ${count}`);
  scope.postMessage(log);
};
