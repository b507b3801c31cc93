// Bytes per pending task: 100,000 tasks blocked on one Future, then on one
// Event; V8 heap growth after a full GC (run with --v8-flags=--expose-gc).
// Peer: task_memory.py.
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
    target: { asyncio: 0.5 },
    extra: { heap_bytes: bytes },
  });
}
