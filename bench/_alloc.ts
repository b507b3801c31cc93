// Bytes allocated (garbage included, not only what stays alive) per task
// and per task step, against V8's floor: the young generation is made too
// big to be collected during a measurement, so the heap's growth is what
// was allocated. Runs `task_steps`' work (tasks of `sleep(0)` steps,
// gathered) with 10 and with 30 steps a task; the difference gives the
// bytes per step, the rest the bytes per task. The floor is the bare async
// functions of `task_steps (deno-raw)`, resumed the same way.
//   deno run --v8-flags=--max-semi-space-size=1024,--min-semi-space-size=1024 bench/_alloc.ts
import { gather, run, sleep } from "../mod.ts";

const N = 20_000;
const used = () => Deno.memoryUsage().heapUsed;

async function worker(steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await sleep(0);
}

/** Bytes allocated for `N` tasks of `steps` steps each (a warm-up round first). */
async function ours(steps: number): Promise<number> {
  let bytes = 0;
  for (const n of [N / 10, N]) {
    const before = used();
    await gather(...Array.from({ length: n }, () => () => worker(steps)));
    bytes = used() - before;
  }
  return bytes;
}

// The floor's driver, as in task_steps.ts: each await parks its function,
// which resumes the oldest parked one.
let waiting: Array<(value: undefined) => void> = [];
let head = 0;
function park(resolve: (value: undefined) => void): void {
  waiting.push(resolve);
  if (head < waiting.length) waiting[head++](undefined);
}

async function bare(steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await new Promise<undefined>(park);
  if (head < waiting.length) waiting[head++](undefined);
}

async function floor(steps: number): Promise<number> {
  let bytes = 0;
  for (const n of [N / 10, N]) {
    waiting = new Array(n * steps); // its growth is not the functions' work
    waiting.length = 0;
    head = 0;
    const before = used();
    const all = Array.from({ length: n }, () => bare(steps));
    await Promise.all(all);
    bytes = used() - before;
  }
  return bytes;
}

/** Bytes per step and per task, from runs of 10 and 30 steps a task. */
function split(ten: number, thirty: number): [number, number] {
  const step = (thirty - ten) / (20 * N);
  return [step, ten / N - 10 * step];
}

const [oursStep, oursTask] = split(await run(() => ours(10)), await run(() => ours(30)));
const [floorStep, floorTask] = split(await floor(10), await floor(30));
console.log(`ours:  ${oursStep.toFixed(0)} B a step, ${oursTask.toFixed(0)} B a task`);
console.log(`floor: ${floorStep.toFixed(0)} B a step, ${floorTask.toFixed(0)} B a task`);
