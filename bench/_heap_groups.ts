// Where the bytes of a pending task go: heap snapshots before and after
// making 10,000 pending tasks (or, for comparison, bare async functions),
// the growth grouped by V8's node type and constructor name, per task.
//   deno run -A --v8-flags=--expose-gc bench/_heap_groups.ts [future|event|floor] [top]
import v8 from "node:v8";
import { Event, getRunningLoop, run, sleep, type Task } from "../mod.ts";

const N = 10_000;
const [kind = "future", topArg = "25"] = Deno.args;

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Bytes by "type name" in a snapshot taken now. */
function take(): Map<string, number> {
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  for (let i = 0; i < 3; i++) gc();
  const path = Deno.makeTempFileSync({ suffix: ".heapsnapshot" });
  v8.writeHeapSnapshot(path);
  const snap: Snapshot = JSON.parse(Deno.readTextFileSync(path));
  Deno.removeSync(path);
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const groups = new Map<string, number>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt]];
    let name = snap.strings[snap.nodes[i + nameAt]];
    // Strings and code differ by content; group them by type only.
    if (!["object", "closure", "hidden", "native", "array"].includes(type)) name = "";
    const key = `${type} ${name}`.trim();
    groups.set(key, (groups.get(key) ?? 0) + snap.nodes[i + sizeAt]);
  }
  return groups;
}

/** Keeps what is made alive until the snapshot is taken. */
const keep: unknown[] = [];

async function pendingTasks(block: () => PromiseLike<unknown>): Promise<() => void> {
  const loop = getRunningLoop();
  const tasks: Task<unknown>[] = new Array(N);
  for (let i = 0; i < N; i++) tasks[i] = loop.createTask(() => waiter(block));
  keep.push(tasks);
  await sleep(0); // every task runs its first step and blocks
  return () => {};
}

async function waiter(block: () => PromiseLike<unknown>): Promise<void> {
  await block();
}

// The floor: bare async functions, each suspended on a thenable that keeps
// both resolving functions (as a future keeps its waiter's, to resume it or
// to throw CancelledError into it).
const resolves: Array<(value: unknown) => void> = [];
const rejects: Array<(reason: unknown) => void> = [];
const thenable = {
  then(resolve: (value: unknown) => void, reject: (reason: unknown) => void) {
    resolves.push(resolve);
    rejects.push(reject);
  },
};
async function bare(): Promise<void> {
  await thenable;
}

let before: Map<string, number>;
let after: Map<string, number>;
// A snapshot's own parse leaves strings and code behind: take one first,
// so that both measured snapshots carry that much.
take();
if (kind === "floor") {
  keep.push([]);
  before = take();
  const all = new Array(N);
  for (let i = 0; i < N; i++) all[i] = bare();
  keep.push(all);
  await new Promise((resolve) => setTimeout(resolve, 0));
  after = take();
  for (const resolve of resolves) resolve(undefined);
} else {
  await run(async () => {
    const fut = getRunningLoop().createFuture<void>();
    const event = new Event();
    keep.push([]);
    before = take();
    await pendingTasks(kind === "event" ? () => event.wait() : () => fut);
    after = take();
    fut.setResult();
    event.set();
  });
}
const rows = [...after!].map(([key, bytes]) =>
  [key, (bytes - (before!.get(key) ?? 0)) / N] as const
)
  .filter(([, b]) => Math.abs(b) >= 1)
  .sort((a, b) => b[1] - a[1]);
const total = rows.reduce((sum, [, b]) => sum + b, 0);
console.log(`${kind}: ${total.toFixed(0)} B per pending task (snapshot self sizes)`);
for (const [key, b] of rows.slice(0, Number(topArg))) {
  console.log(`${b.toFixed(1).padStart(8)} B  ${key}`);
}
