// The Worker of bench/threadsafe_coro.ts: `n` calls to the loop through the
// port it is given, timed here; it posts back the seconds.
import { runCoroutineThreadsafe } from "../mod.ts";

const NOOP = { module: "data:text/javascript,export const noop = async (x) => x;", name: "noop" };

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<{ port: MessagePort; mode: string; n: number }>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event) => {
  const { port, mode, n } = event.data;
  const t0 = performance.now();
  if (mode === "sync") {
    for (let i = 0; i < n; i++) {
      if (runCoroutineThreadsafe(NOOP, port, i).result() !== i) throw new Error("wrong result");
    }
  } else {
    const futures = Array.from({ length: n }, (_, i) => runCoroutineThreadsafe(NOOP, port, i));
    for (let i = 0; i < n; i++) if (futures[i].result() !== i) throw new Error("wrong result");
  }
  scope.postMessage((performance.now() - t0) / 1000);
};
