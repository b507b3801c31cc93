// 200,000 callLater timers with random delays in [0, 1) s, all firing, in
// deadline order; rate in timers per CPU-second. Peer: timers.py.
//
// Then, in a fresh process of its own (so that neither inherits the other's
// grown heap), a floor ("deno-floor", its own row): the same work with no
// event loop at all, the cheapest way Deno can do it as our loop does it:
// the callbacks and their arguments kept in arrays, one handle-sized object
// per timer made and dropped (as `callLater` returns one), one sort of the
// deadlines, one host timer per wake-up, the same clock reads.
import { EventLoop } from "../mod.ts";
import { sortTimers } from "../lib/_heap.ts";
import { cpuSeconds, emit, seededRandom } from "./_common.ts";

const N = 200_000;

async function timers(n: number) {
  const loop = new EventLoop();
  const random = seededRandom(42);
  const deadlines = new Float64Array(n);
  let fired = 0;
  let disorder = 0;
  let last = -Infinity;
  let lateMax = 0;
  const fire = (i: number) => {
    const when = deadlines[i];
    if (when < last) disorder++;
    last = Math.max(last, when);
    lateMax = Math.max(lateMax, loop.time() - when);
    if (++fired === n) loop.stop();
  };
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) deadlines[i] = loop.callLater(random(), fire, i).when();
  await loop.runForever();
  const cpu = cpuSeconds() - cpu0;
  const wall = (performance.now() - t0) / 1000;
  loop.close();
  if (fired !== n) throw new Error(`${fired} of ${n} timers fired`);
  if (disorder > 0) throw new Error(`${disorder} timers fired out of deadline order`);
  return { cpu, wall, lateMax };
}

/** A handle's worth of object: three references and four small integers. */
class FloorHandle {
  constructor(
    readonly callback: (i: number) => void,
    readonly arg: number,
    readonly owner: unknown,
    readonly a: number,
    readonly b: number,
    readonly c: number,
    readonly d: number,
  ) {}
}

let dropped: FloorHandle | undefined;

async function floor(n: number) {
  const random = seededRandom(42);
  const deadlines = new Float64Array(n);
  const callbacks: Array<((i: number) => void) | undefined> = new Array(n);
  const args: Array<number | undefined> = new Array(n);
  let fired = 0;
  let last = -Infinity;
  const fire = (i: number) => {
    if (deadlines[i] < last) throw new Error("floor: out of order");
    last = deadlines[i];
    performance.now(); // the bench's callback reads the clock too
    fired++;
  };
  const now = () => performance.now() / 1000;
  const cpu0 = cpuSeconds();
  for (let i = 0; i < n; i++) {
    deadlines[i] = now() + random();
    callbacks[i] = fire;
    args[i] = i;
    dropped = new FloorHandle(fire, i, callbacks, i, i, i, i);
  }
  const ids = Int32Array.from({ length: n }, (_, i) => i);
  const sorted = { ids, whens: deadlines.slice(), seqs: Float64Array.from(ids) };
  sortTimers(sorted);
  const order = sorted.ids;
  let next = 0;
  while (next < n) {
    const t = now();
    while (next < n && deadlines[order[next]] <= t) {
      const i = order[next++];
      const callback = callbacks[i]!, arg = args[i]!;
      callbacks[i] = args[i] = undefined;
      callback(arg);
    }
    if (next < n) {
      const ms = Math.max(0, Math.ceil((deadlines[order[next]] - now()) * 1000));
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
  }
  const cpu = cpuSeconds() - cpu0;
  if (fired !== n || dropped === undefined) throw new Error(`floor: ${fired} of ${n} fired`);
  return cpu;
}

if (Deno.args.includes("--floor")) {
  await floor(N / 10);
  emit({ bench: "timers", ops: N, seconds: await floor(N), unit: "timers/CPU-s" }, "deno-floor");
} else {
  await timers(N / 10); // warm-up, as the peer does
  const { cpu, wall, lateMax } = await timers(N);
  emit({
    bench: "timers",
    ops: N,
    seconds: cpu,
    unit: "timers/CPU-s",
    target: { asyncio: 5, uvloop: 1 },
    extra: { wall_s: wall, late_max_ms: lateMax * 1000 },
  });
  const self = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-run", "--allow-env", import.meta.filename!, "--floor"],
    stdout: "inherit",
    stderr: "inherit",
  });
  if (!(await self.output()).success) throw new Error("the floor run failed");
}
