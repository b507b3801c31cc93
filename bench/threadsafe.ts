// callSoonThreadsafe and worker threads. Peer: threadsafe.py.
//
// - threadsafe_wake: an idle loop (nothing ready, no timers) is woken by
//   callSoonThreadsafe from outside; latency from that call to the callback
//   running on the loop, p50 (p99 in extra). Here the caller is a host
//   timer callback (a Worker's message handler is in extra, with the
//   latency measured from the Worker's postMessage); in the peer, a Python
//   thread.
// - threadsafe_flood: a producer calls callSoonThreadsafe 100,000 times; the
//   callbacks delivered per second. Here the producer is a Worker posting
//   100,000 messages whose handler calls callSoonThreadsafe (JS shares no
//   memory between threads, so a message is what crosses); in the peer, a
//   thread calling call_soon_threadsafe directly.
// - executor_roundtrip: `await loop.runInExecutor(null, noop)` in sequence;
//   round trips per second, beside run_in_executor on a ThreadPoolExecutor.
import { EventLoop } from "../mod.ts";
import { emit } from "./_common.ts";

const WAKES = 1000;
const FLOOD = 100_000;
const TRIPS = 2000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** Latencies (µs) of `rounds` wake-ups, each started by `trigger(poke)`. */
async function wakes(
  loop: EventLoop,
  rounds: number,
  trigger: (poke: (t0: number) => void) => void,
): Promise<number[]> {
  const lat: number[] = [];
  await loop.runUntilComplete(async () => {
    for (let i = 0; i < rounds; i++) {
      const fut = loop.createFuture<void>();
      trigger((t0) =>
        loop.callSoonThreadsafe(() => {
          lat.push((performance.timeOrigin + performance.now() - t0) * 1000);
          fut.setResult();
        })
      );
      await fut;
    }
  });
  return lat.sort((a, b) => a - b);
}

const now = () => performance.timeOrigin + performance.now();

async function wake(): Promise<void> {
  const loop = new EventLoop();
  const t0 = performance.now();
  const timer = await wakes(loop, WAKES, (poke) => setTimeout(() => poke(now()), 1));
  const seconds = (performance.now() - t0) / 1000;
  // From a Worker: it stamps the time and posts; the handler calls in.
  const worker = new Worker(
    "data:text/javascript,onmessage = () => setTimeout(() => " +
      "postMessage(performance.timeOrigin + performance.now()), 1);",
    { type: "module" },
  );
  const fromWorker = await wakes(loop, WAKES, (poke) => {
    worker.onmessage = (e) => poke(e.data);
    worker.postMessage(0);
  });
  worker.terminate();
  loop.close();
  emit({
    bench: "threadsafe_wake",
    ops: WAKES,
    seconds,
    unit: "µs p50",
    value: percentile(timer, 0.5),
    lower: true,
    extra: {
      caller: "host timer callback",
      p50_us: percentile(timer, 0.5),
      p99_us: percentile(timer, 0.99),
      worker_postmessage_p50_us: percentile(fromWorker, 0.5),
      worker_postmessage_p99_us: percentile(fromWorker, 0.99),
    },
  });
}

async function flood(): Promise<void> {
  const loop = new EventLoop();
  const worker = new Worker(
    `data:text/javascript,onmessage = (e) => { for (let i = 0; i < e.data; i++) postMessage(i); };`,
    { type: "module" },
  );
  let count = 0;
  const tick = () => {
    if (++count === FLOOD) loop.stop();
  };
  worker.onmessage = () => loop.callSoonThreadsafe(tick);
  const t0 = performance.now();
  worker.postMessage(FLOOD);
  await loop.runForever();
  const seconds = (performance.now() - t0) / 1000;
  worker.terminate();
  loop.close();
  emit({
    bench: "threadsafe_flood",
    ops: FLOOD,
    seconds,
    unit: "calls/s",
    extra: { producer: "Worker postMessage -> callSoonThreadsafe" },
  });
}

async function roundtrip(): Promise<void> {
  const loop = new EventLoop();
  const noop = { module: "data:text/javascript,export const noop = (x) => x;", name: "noop" };
  const trips = (n: number) =>
    loop.runUntilComplete(async () => {
      for (let i = 0; i < n; i++) await loop.runInExecutor(null, noop, i);
    });
  await trips(100); // warm-up: start the Worker
  const t0 = performance.now();
  await trips(TRIPS);
  const seconds = (performance.now() - t0) / 1000;
  await loop.runUntilComplete(() => loop.shutdownDefaultExecutor());
  loop.close();
  emit({ bench: "executor_roundtrip", ops: TRIPS, seconds, unit: "calls/s" });
}

await wake();
await flood();
await roundtrip();
