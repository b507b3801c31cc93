// Task steps: 100,000 tasks each doing ten `await sleep(0)`, gathered;
// rate in steps (resumptions) per second. Peer: task_steps.py.
//
// Then the same with a context variable set (`task_steps_ctxvar`: every
// task copies a non-empty context), and, in a fresh process of its own (so
// that neither inherits the other's heap), the floor: the same 100,000
// async functions each doing ten awaits of a native promise, resumed in
// FIFO order with nothing of ours (no loop, no futures). Two drivers:
// `deno-raw` resumes one function at a time, each running to its next
// await before the next resumes, which is what the loop must do (the code
// after an await runs before the next handle, SPEC rule 5); `deno-batch`
// resumes every waiting function at once and lets V8 run them all, which is
// as fast as V8 goes but does not keep a step's several hops apart from the
// next step's.
import { ContextVar, gather, run, sleep } from "../mod.ts";
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

// ---- The floor ----------------------------------------------------------

// The functions waiting to be resumed, oldest first (from `head`).
let waiting: Array<(value: undefined) => void> = [];
let head = 0;
let chaining = false;

/** Each await parks its function and, while chaining, resumes the oldest waiting one. */
function park(resolve: (value: undefined) => void): void {
  waiting.push(resolve);
  if (chaining) resumeNext();
}

function resumeNext(): void {
  if (head < waiting.length) waiting[head++](undefined);
}

async function bare(): Promise<void> {
  for (let i = 0; i < STEPS; i++) await new Promise<undefined>(park);
  if (chaining) resumeNext(); // it ended: the next one goes on
}

/**
 * One function at a time, in FIFO order, with no driver of its own: the
 * function that suspends resumes the next, whose code runs only once this
 * one's has (its continuation is queued behind it), as the loop's steps.
 */
async function floorChain(n: number): Promise<number> {
  waiting = [];
  head = 0;
  const t0 = performance.now();
  const all = Array.from({ length: n }, bare);
  chaining = true;
  resumeNext();
  await Promise.all(all);
  chaining = false;
  return (performance.now() - t0) / 1000;
}

const hostTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Resume every waiting function at once, then let V8 run them all. */
async function floorBatch(n: number): Promise<number> {
  waiting = [];
  head = 0;
  const t0 = performance.now();
  const all = Array.from({ length: n }, bare);
  while (head < waiting.length) {
    const end = waiting.length;
    while (head < end) waiting[head++](undefined);
    await hostTurn(); // the microtask queue drains first
  }
  await Promise.all(all);
  return (performance.now() - t0) / 1000;
}

if (Deno.args.includes("--floor")) {
  for (const [impl, floor] of [["deno-raw", floorChain], ["deno-batch", floorBatch]] as const) {
    await floor(N / 10);
    const seconds = await floor(N);
    emit({ bench: "task_steps", ops: N * STEPS, seconds, unit: "steps/s" }, impl);
  }
} else {
  const seconds = await run(async () => {
    await steps(N / 10); // warm-up, as the peer does
    return await steps(N);
  });
  emit({
    bench: "task_steps",
    ops: N * STEPS,
    seconds,
    unit: "steps/s",
    target: { raw: 0.9, uvloop: 1.5 },
    extra: { tasks: N },
  });
  // Last: once a variable is set, the loop carries contexts for the rest of the process.
  const requestId = new ContextVar<string>("requestId");
  requestId.set("bench");
  const withVar = await run(async () => {
    await steps(N / 10);
    return await steps(N);
  });
  emit({ bench: "task_steps_ctxvar", ops: N * STEPS, seconds: withVar, unit: "steps/s" });
  const self = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-env", import.meta.filename!, "--floor"],
    stdout: "inherit",
    stderr: "inherit",
  });
  if (!(await self.output()).success) throw new Error("the floor run failed");
}
