// callSoonThreadsafe and worker threads. Peer: threadsafe.py.
//
// - threadsafe_wake: an idle loop (nothing ready, no timers) is woken by
//   callSoonThreadsafe from outside; latency from that call to the callback
//   running on the loop, p50 (p99 in extra). Here the caller is a host
//   timer callback; in extra, a Worker: its postMessage to a handler that
//   calls loop.callSoonThreadsafe, and its own callSoonThreadsafe through a
//   loopPort (the latency measured from the Worker's call). In the peer, a
//   Python thread.
// - threadsafe_flood: a Worker calls callSoonThreadsafe(port, tick) 100,000
//   times; the callbacks run on the loop per second, from the Worker's
//   start signal to the last callback. In the peer, a thread calling
//   call_soon_threadsafe.
// - executor_roundtrip: `await loop.runInExecutor(null, noop, i)` in
//   sequence; round trips per second, beside run_in_executor on a
//   ThreadPoolExecutor.
// - executor_inflight: 100,000 runInExecutor calls made at once on a pool
//   of 2, then awaited in order; calls per second.
// - executor_1mib: round trips of a 1 MiB Uint8Array that the function
//   touches and returns, moved both ways with transfer() (extra: copied
//   both ways); in the peer, a 1 MiB bytearray passed to a thread.
import { EventLoop, loopPort, transfer, WorkerExecutor } from "../mod.ts";
import { emit } from "./_common.ts";
import { expect } from "./_threadsafe_tick.ts";

const WAKES = 1000;
const FLOOD = 100_000;
const TRIPS = 10_000;
const INFLIGHT = 100_000;
const MIB_TRIPS = 500;

const WORK = new URL("./_executor_work.ts", import.meta.url).href;
const noop = { module: WORK, name: "noop" };

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

/** `rounds` wake-ups by a Worker's own callSoonThreadsafe: latencies in µs. */
async function workerCallWakes(loop: EventLoop, rounds: number): Promise<number[]> {
  const lat: number[] = [];
  const stamp = {
    module: "data:text/javascript,export const stamp = (t0) => globalThis.onStamp(t0);",
    name: "stamp",
  };
  const worker = new Worker(
    `data:text/javascript,import { callSoonThreadsafe } from "${import.meta.resolve("../mod.ts")}";
    let port; onmessage = (e) => { if (e.data instanceof MessagePort) { port = e.data; return; }
    setTimeout(() => callSoonThreadsafe(port, ${JSON.stringify(stamp)},
      performance.timeOrigin + performance.now()), 1); };`,
    { type: "module" },
  );
  await loop.runUntilComplete(async () => {
    const port = loopPort(loop);
    worker.postMessage(port, [port]);
    const g = globalThis as { onStamp?: (t0: number) => void };
    for (let i = 0; i < rounds; i++) {
      const fut = loop.createFuture<void>();
      g.onStamp = (t0) => {
        lat.push((now() - t0) * 1000);
        fut.setResult();
      };
      worker.postMessage(0);
      await fut;
    }
  });
  worker.terminate();
  return lat.sort((a, b) => a - b);
}

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
  const workerCalls = await workerCallWakes(loop, WAKES);
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
      worker_callsoon_p50_us: percentile(workerCalls, 0.5),
      worker_callsoon_p99_us: percentile(workerCalls, 0.99),
    },
  });
}

async function flood(): Promise<void> {
  const loop = new EventLoop();
  const worker = new Worker(new URL("./_threadsafe_worker.ts", import.meta.url), {
    type: "module",
  });
  const ready = new Promise((resolve) => worker.onmessage = resolve);
  const port = loopPort(loop);
  worker.postMessage(port, [port]);
  await ready;
  /** `n` calls from the Worker; the seconds from its start signal to the last callback. */
  const round = async (n: number) => {
    expect(n, () => loop.stop());
    const t0 = performance.now();
    worker.postMessage(n);
    await loop.runForever();
    return (performance.now() - t0) / 1000;
  };
  await round(FLOOD / 10); // warm-up: the loop imports the callback's module
  const seconds = await round(FLOOD);
  worker.terminate();
  loop.close();
  emit({
    bench: "threadsafe_flood",
    ops: FLOOD,
    seconds,
    unit: "calls/s",
    target: { uvloop: 1 },
    extra: { producer: "Worker callSoonThreadsafe(port, fn)" },
  });
}

async function roundtrip(): Promise<void> {
  const loop = new EventLoop();
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
  emit({
    bench: "executor_roundtrip",
    ops: TRIPS,
    seconds,
    unit: "calls/s",
    target: { asyncio: 1.5, uvloop: 1 },
  });
}

async function inflight(): Promise<void> {
  const loop = new EventLoop();
  const pool = new WorkerExecutor({ maxWorkers: 2 });
  const burst = (n: number) =>
    loop.runUntilComplete(async () => {
      const futures = Array.from(
        { length: n },
        (_, i) => loop.runInExecutor<number>(pool, noop, i),
      );
      for (let i = 0; i < n; i++) if ((await futures[i]) !== i) throw new Error("wrong result");
    });
  await burst(INFLIGHT / 10);
  const t0 = performance.now();
  await burst(INFLIGHT);
  const seconds = (performance.now() - t0) / 1000;
  await pool.shutdown();
  loop.close();
  emit({
    bench: "executor_inflight",
    ops: INFLIGHT,
    seconds,
    unit: "calls/s",
    extra: { pool: 2 },
  });
}

async function mib(): Promise<void> {
  const loop = new EventLoop();
  const pool = new WorkerExecutor({ maxWorkers: 1 });
  const touch = { module: WORK, name: "touch" };
  const touchCopy = { module: WORK, name: "touchCopy" };
  let bytes: Uint8Array = new Uint8Array(1 << 20);
  const moved = (n: number) =>
    loop.runUntilComplete(async () => {
      for (let i = 0; i < n; i++) {
        bytes = await loop.runInExecutor<Uint8Array>(pool, touch, transfer(bytes));
      }
    });
  const copied = (n: number) =>
    loop.runUntilComplete(async () => {
      for (let i = 0; i < n; i++) {
        bytes = await loop.runInExecutor<Uint8Array>(pool, touchCopy, bytes);
      }
    });
  await moved(MIB_TRIPS / 10);
  let t0 = performance.now();
  await moved(MIB_TRIPS);
  const seconds = (performance.now() - t0) / 1000;
  await copied(MIB_TRIPS / 10);
  t0 = performance.now();
  await copied(MIB_TRIPS);
  const copiedSeconds = (performance.now() - t0) / 1000;
  if (bytes[0] !== (2 * MIB_TRIPS / 10 + 2 * MIB_TRIPS) % 256) throw new Error("lost a touch");
  await pool.shutdown();
  loop.close();
  emit({
    bench: "executor_1mib",
    ops: MIB_TRIPS,
    seconds,
    unit: "round trips/s",
    extra: { moved: "transfer() both ways", copied_round_trips_per_s: MIB_TRIPS / copiedSeconds },
  });
}

await wake();
await flood();
await roundtrip();
await inflight();
await mib();
