// Bytes per pending task: 100,000 tasks blocked on one Future, then on one
// Event; V8 heap growth after a full GC (run with --v8-flags=--expose-gc).
// Peer: task_memory.py.
//
// First, in a fresh process of its own, the floor (`deno-raw`): 100,000 bare
// async functions, each suspended on a thenable that keeps both of its
// resolving functions (as a future keeps a waiting task's, to resume it or
// throw into it), with nothing of ours.
import { Event, getRunningLoop, run, sleep, type Task } from "../mod.ts";
import { emit, heapAfterGc } from "./_common.ts";

const N = 100_000;

/** A thing 100,000 tasks wait on: `block` is what each task awaits. */
interface Gate {
  block(): PromiseLike<unknown>;
  open(): void;
}

function futureGate(): Gate {
  const fut = getRunningLoop().createFuture<void>();
  return { block: () => fut, open: () => fut.setResult() };
}

function eventGate(): Gate {
  const event = new Event();
  return { block: () => event.wait(), open: () => event.set() };
}

async function waiter(gate: Gate): Promise<void> {
  await gate.block();
}

async function pendingTaskBytes(n: number, gate: Gate): Promise<number> {
  const loop = getRunningLoop();
  const tasks: Task<void>[] = new Array(n);
  const before = heapAfterGc();
  for (let i = 0; i < n; i++) tasks[i] = loop.createTask(() => waiter(gate));
  await sleep(0); // every task runs its first step and blocks
  const bytes = heapAfterGc() - before;
  if (tasks.some((t) => t.done())) throw new Error("a task did not block");
  gate.open();
  for (const task of tasks) await task;
  return bytes;
}

const resolves: Array<(value: unknown) => void> = new Array(N);
const rejects: Array<(reason: unknown) => void> = new Array(N);
let parked = 0;
const thenable = {
  then(resolve: (value: unknown) => void, reject: (reason: unknown) => void) {
    resolves[parked] = resolve;
    rejects[parked++] = reject;
  },
};

async function bare(): Promise<void> {
  await thenable;
}

/** Bytes per suspended bare async function (the arrays that keep them are made beforehand). */
async function floorBytes(n: number): Promise<number> {
  parked = 0;
  const all: Promise<void>[] = new Array(n);
  const before = heapAfterGc();
  for (let i = 0; i < n; i++) all[i] = bare();
  await new Promise((resolve) => setTimeout(resolve, 0)); // every then() has been called
  const bytes = heapAfterGc() - before;
  if (parked !== n) throw new Error("a function did not suspend");
  for (let i = 0; i < n; i++) resolves[i](undefined);
  await Promise.all(all);
  return bytes / n;
}

if (Deno.args.includes("--floor")) {
  await floorBytes(N / 10);
  const value = await floorBytes(N);
  for (const name of ["future", "event"]) {
    emit({
      bench: `task_memory_${name}`,
      ops: N,
      seconds: 0,
      unit: "B/task",
      value,
      lower: true,
    }, "deno-raw");
  }
  Deno.exit(0);
}

const floorRun = await new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--allow-env",
    "--allow-read",
    "--v8-flags=--expose-gc",
    import.meta.filename!,
    "--floor",
  ],
  stdout: "piped",
  stderr: "inherit",
}).output();
if (!floorRun.success) throw new Error("the floor run failed");
const floorLines = new TextDecoder().decode(floorRun.stdout);
console.log(floorLines.trimEnd());
const floor = JSON.parse(floorLines.split("\n")[0]).value as number;

for (const [name, makeGate] of [["future", futureGate], ["event", eventGate]] as const) {
  const bytes = await run(async () => {
    await pendingTaskBytes(N / 10, makeGate()); // warm-up, as the peer does
    return await pendingTaskBytes(N, makeGate());
  });
  emit({
    bench: `task_memory_${name}`,
    ops: N,
    seconds: 0,
    unit: "B/task",
    value: bytes / N,
    lower: true,
    // Issue 16: at most CPython's bytes, and at most 250 B over the floor.
    target: { asyncio: 1, max: Math.round(floor + 250) },
    extra: { heap_bytes: bytes },
  });
}
