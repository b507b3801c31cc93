// What the monitor (lib/monitor.ts) costs the loop, on callsoon_bulk,
// callsoon_chain and task_steps (the work of bench/callsoon.ts and
// bench/task_steps.ts, on one loop made before the monitor starts):
//
//   off      the library alone (the monitor's modules never loaded)
//   loaded   lib/_monitor.ts imported, no monitor started
//   on       a monitor watching the loop, no client
//   top      a monitor and a client asking `top` (40 rows, sorted by busy
//            time) every second, as `deno task monitor ADDRESS top` does
//   inspect  the library alone, in a process started with --inspect (no
//            debugger attached): Deno's inspector, the other way in
//
// Each (mode, work) runs in a fresh process; the modes take turns within a
// repetition, so that the machine's noise falls on all of them alike. It
// prints a JSON line per run, then the medians and the ratios to `off`.
// `--alternate` instead runs each work in one process on two loops, one
// watched (no client) and one not, 15 times each in turns: the hooks'
// cost without the noise of separate processes.
//
//   deno run -A bench/monitor_cost.ts [--reps N | --alternate] [callsoon_bulk|callsoon_chain|task_steps…]
import { type EventLoop, gather, Runner, sleep, startMonitor } from "../mod.ts";
import { MonitorClient, parseAddress } from "../monitor/client.ts";

const MODES = ["off", "loaded", "on", "top", "inspect"] as const;
type Mode = typeof MODES[number];
const WORKS = ["callsoon_bulk", "callsoon_chain", "task_steps"] as const;
type Work = typeof WORKS[number];
const CALLS = 1_000_000, TASKS = 100_000, STEPS = 10;

// ---- One run (a child process) ---------------------------------------------------

async function bulk(loop: EventLoop, n: number): Promise<number> {
  let count = 0;
  const tick = () => {
    count++;
  };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) loop.callSoon(tick);
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  if (count !== n) throw new Error(`bulk ran ${count} of ${n}`);
  return (performance.now() - t0) / 1000;
}

async function chain(loop: EventLoop, n: number): Promise<number> {
  let count = 0;
  const tick = () => {
    if (++count < n) loop.callSoon(tick);
    else loop.stop();
  };
  const t0 = performance.now();
  loop.callSoon(tick);
  await loop.runForever();
  if (count !== n) throw new Error(`chain ran ${count} of ${n}`);
  return (performance.now() - t0) / 1000;
}

async function worker(): Promise<void> {
  for (let i = 0; i < STEPS; i++) await sleep(0);
}

async function steps(n: number): Promise<number> {
  const t0 = performance.now();
  await gather(...Array.from({ length: n }, () => () => worker()));
  return (performance.now() - t0) / 1000;
}

/** One run of `work` on `runner`'s loop (after its warm-up), in seconds. */
function measure(runner: Runner, work: Work, n: number): Promise<number> {
  if (work === "task_steps") return runner.run(() => steps(n));
  return (work === "callsoon_bulk" ? bulk : chain)(runner.getLoop(), n);
}

async function alternate(work: Work): Promise<void> {
  const plain = new Runner(), watched = new Runner();
  await startMonitor(watched.getLoop(), { print: false });
  const n = work === "task_steps" ? TASKS : CALLS;
  await measure(plain, work, n / 10);
  await measure(watched, work, n / 10);
  const off: number[] = [], on: number[] = [];
  for (let i = 0; i < 15; i++) {
    // Which goes first changes each time.
    if (i % 2 === 0) on.push(await measure(watched, work, n));
    off.push(await measure(plain, work, n));
    if (i % 2 === 1) on.push(await measure(watched, work, n));
  }
  await plain.close();
  await watched.close();
  const ratio = median(on) / median(off);
  console.log(JSON.stringify({ work, off: median(off), on: median(on), ratio }));
}

async function child(mode: Mode, work: Work): Promise<void> {
  if (mode === "loaded") await import("../lib/_monitor.ts");
  const runner = new Runner();
  const loop = runner.getLoop();
  if (mode === "on" || mode === "top") {
    const monitor = await startMonitor(loop, { print: false });
    console.log(`ADDRESS ${monitor.address}`);
    // The parent attaches its client, then says go.
    if (mode === "top") await Deno.stdin.readable.getReader().read();
  }
  let seconds: number;
  if (work === "task_steps") {
    await runner.run(() => steps(TASKS / 10)); // warm-up, as bench/task_steps.ts
    seconds = await runner.run(() => steps(TASKS));
  } else {
    const run = work === "callsoon_bulk" ? bulk : chain;
    await run(loop, CALLS / 10);
    seconds = await run(loop, CALLS);
  }
  await runner.close();
  console.log(JSON.stringify({ work, mode, seconds }));
}

// ---- The driver ---------------------------------------------------------------------

async function once(mode: Mode, work: Work): Promise<number> {
  const flags = ["--allow-net=127.0.0.1", "--allow-read"];
  if (mode === "inspect") flags.push("--inspect=127.0.0.1:0");
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, import.meta.filename!, "--child", mode, work],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let client: MonitorClient | null = null;
  let polling: Promise<void> | null = null;
  let result: number | null = null;
  for (;;) {
    const { value, done } = await lines.read();
    if (done) break;
    buffered += value;
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.startsWith("ADDRESS ") && mode === "top") {
        const c = client = await MonitorClient.connect(parseAddress(line.slice(8))!);
        polling = (async () => {
          try {
            for (;;) {
              await c.request("top", { sort: "busy", limit: 40 });
              await new Promise((r) => setTimeout(r, 1000));
            }
          } catch { /* the run ended */ }
        })();
        const writer = proc.stdin.getWriter();
        await writer.write(new TextEncoder().encode("go\n"));
        await writer.close();
      } else if (line.startsWith("{")) {
        console.log(line);
        result = JSON.parse(line).seconds;
      }
    }
  }
  client?.close();
  await polling;
  if (mode !== "top") await proc.stdin.close().catch(() => {});
  if (!(await proc.status).success || result === null) throw new Error(`${mode} ${work} failed`);
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function driver(args: string[]): Promise<void> {
  let reps = 5;
  const works: Work[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--reps") reps = Number(args[++i]);
    else works.push(args[i] as Work);
  }
  const chosen = works.length > 0 ? works : [...WORKS];
  const samples = new Map<string, number[]>();
  for (let rep = 0; rep < reps; rep++) {
    for (const work of chosen) {
      // A different mode goes first in each repetition.
      const order = MODES.map((_, i) => MODES[(i + rep) % MODES.length]);
      for (const mode of order) {
        const key = `${work} ${mode}`;
        samples.set(key, [...(samples.get(key) ?? []), await once(mode, work)]);
      }
    }
  }
  console.log(`\nmedians of ${reps} (seconds; ratio to off):`);
  console.log(["work", ...MODES].map((c) => c.padEnd(20)).join(""));
  for (const work of chosen) {
    const off = median(samples.get(`${work} off`)!);
    const cells = MODES.map((mode) => {
      const m = median(samples.get(`${work} ${mode}`)!);
      return `${m.toFixed(3)} (${(m / off).toFixed(3)})`.padEnd(20);
    });
    console.log(work.padEnd(20) + cells.join(""));
  }
}

if (Deno.args[0] === "--child") await child(Deno.args[1] as Mode, Deno.args[2] as Work);
else if (Deno.args[0] === "--alternate") {
  const works = Deno.args.slice(1) as Work[];
  for (const work of works.length > 0 ? works : WORKS) await alternate(work);
} else await driver(Deno.args);
