// Task steps: 100,000 tasks each doing ten `await sleep(0)`, gathered;
// rate in steps (resumptions) per second. Peer: task_steps.py.
import { gather, run, sleep } from "../mod.ts";
import { emit } from "./_common.ts";

const N = 100_000;
const STEPS = 10;

async function worker(): Promise<void> {
  for (let i = 0; i < STEPS; i++) await sleep(0);
}

async function steps(n: number): Promise<number> {
  const t0 = performance.now();
  // A distinct function per task: gather, as asyncio, runs one task for a repeated coroutine.
  await gather(...Array.from({ length: n }, () => () => worker()));
  return (performance.now() - t0) / 1000;
}

const seconds = await run(async () => {
  await steps(N / 10); // warm-up, as the peer does
  return await steps(N);
});
emit({
  bench: "task_steps",
  ops: N * STEPS,
  seconds,
  unit: "steps/s",
  target: { asyncio: 5, uvloop: 1 },
  extra: { tasks: N },
});
