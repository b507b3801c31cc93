// Producer/consumer: 1,000,000 items through a Queue(100) between 10
// producers and 10 consumers (sentinel-terminated, as the peer). Peer:
// queue_pc.py.
import { createTask, Queue, run } from "../mod.ts";
import { emit } from "./_common.ts";

const N = 1_000_000;
const PRODUCERS = 10, CONSUMERS = 10, MAXSIZE = 100;
const TARGET = { asyncio: 5 };

async function producer(queue: Queue<number | null>, start: number, count: number) {
  for (let i = start; i < start + count; i++) await queue.put(i);
}

async function consumer(queue: Queue<number | null>, totals: [number, number][]) {
  let count = 0, total = 0;
  for (;;) {
    const item = await queue.get();
    if (item === null) break;
    count++;
    total += item;
  }
  totals.push([count, total]);
}

async function main(n: number): Promise<[number, number, number]> {
  const queue = new Queue<number | null>(MAXSIZE);
  const totals: [number, number][] = [];
  const share = n / PRODUCERS;
  const t0 = performance.now();
  const consumers = Array.from(
    { length: CONSUMERS },
    () => createTask(() => consumer(queue, totals)),
  );
  const producers = Array.from(
    { length: PRODUCERS },
    (_, p) => createTask(() => producer(queue, p * share, share)),
  );
  for (const p of producers) await p;
  for (let i = 0; i < CONSUMERS; i++) await queue.put(null);
  for (const c of consumers) await c;
  const seconds = (performance.now() - t0) / 1000;
  const count = totals.reduce((s, [c]) => s + c, 0);
  if (count !== n || totals.reduce((s, [, t]) => s + t, 0) !== n * (n - 1) / 2) {
    throw new Error(`moved ${count} of ${n} items`);
  }
  const counts = totals.map(([c]) => c);
  return [seconds, Math.max(...counts), Math.min(...counts)];
}

await run(() => main(N / 10)); // warm-up, as the peer does
const [seconds, most, least] = await run(() => main(N));
emit({
  bench: "queue_pc",
  ops: N,
  seconds,
  unit: "items/s",
  target: TARGET,
  extra: {
    producers: PRODUCERS,
    consumers: CONSUMERS,
    maxsize: MAXSIZE,
    most_per_consumer: most,
    least_per_consumer: least,
  },
});
