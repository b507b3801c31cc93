// 200,000 callLater timers with random delays in [0, 1) s, all firing, in
// deadline order; rate in timers per CPU-second. Peer: timers.py.
import { EventLoop } from "../mod.ts";
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
