// What the monitor (lib/monitor.ts) costs the loop, on callsoon_bulk,
// callsoon_chain, task_steps and echo (the work of bench/callsoon.ts,
// bench/task_steps.ts, and bench/stream_echo.ts's lines64_c50 load: a
// stream server with 50 clients, each sending 2,000 lines of 64 bytes and
// waiting for each echo; on one loop made before the monitor starts):
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
// prints a JSON line per run (wall seconds; the CPU seconds of the process,
// all its threads: the monitor's Worker and V8's GC helpers count; and the
// loop thread's own, from /proc/thread-self/schedstat where Linux has it;
// for echo, the server process's, the load client runs apart), then per
// work and mode the median and range of each as ratios to `off`'s median.
// CPU time is the steadier figure on a shared machine, the loop thread's
// the one that says what the hooks cost the loop.
// `--alternate` instead runs each work in one process on two loops, one
// watched (no client) and one not, 15 times each in turns: the hooks'
// cost without the noise of separate processes.
//
//   deno run -A bench/monitor_cost.ts [--reps N] [--modes off,on,top] [WORK…]
//   deno run -A bench/monitor_cost.ts --alternate [WORK…]
// (WORK: callsoon_bulk, callsoon_chain, task_steps, echo; --alternate has no echo)
import {
  type EventLoop,
  gather,
  Runner,
  sleep,
  startMonitor,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../mod.ts";
import { MonitorClient, parseAddress } from "../monitor/client.ts";
import { cpuSeconds } from "./_common.ts";
import { runLoad } from "./stream_echo_load.ts";

const MODES = ["off", "loaded", "on", "top", "inspect"] as const;
type Mode = typeof MODES[number];
const WORKS = ["callsoon_bulk", "callsoon_chain", "task_steps", "echo"] as const;
type Work = typeof WORKS[number];
const CALLS = 1_000_000, TASKS = 100_000, STEPS = 10, ECHO_COUNT = 2_000;

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

async function echoLines(reader: StreamReader, writer: StreamWriter): Promise<void> {
  for (;;) {
    const line = await reader.readline();
    if (line.length === 0) break;
    writer.write(line);
    await writer.drain();
  }
  writer.close();
}

/** The lines64_c50 load of bench/stream_echo.ts, `count` lines per client. */
async function echo(count: number): Promise<number> {
  const server = await startServer(echoLines, "127.0.0.1", 0);
  const port = (server.sockets[0] as Deno.NetAddr).port;
  const t0 = performance.now();
  await runLoad(port, { name: "lines64_c50", mode: "lines", conns: 50, count, size: 64 });
  const seconds = (performance.now() - t0) / 1000;
  server.close();
  await server.waitClosed();
  return seconds;
}

/** One run of `work` on `runner`'s loop (after its warm-up), in seconds. */
function measure(runner: Runner, work: Work, n: number): Promise<number> {
  if (work === "task_steps") return runner.run(() => steps(n));
  if (work === "echo") return runner.run(() => echo(n));
  return (work === "callsoon_bulk" ? bulk : chain)(runner.getLoop(), n);
}

async function alternate(work: Work): Promise<void> {
  const plain = new Runner(), watched = new Runner();
  await startMonitor(watched.getLoop(), { print: false });
  const n = work === "task_steps" ? TASKS : work === "echo" ? ECHO_COUNT : CALLS;
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
  let seconds: number, cpu: number, loopCpu: number;
  if (work === "task_steps") {
    await runner.run(() => steps(TASKS / 10)); // warm-up, as bench/task_steps.ts
    cpu = cpuSeconds();
    loopCpu = threadSeconds();
    seconds = await runner.run(() => steps(TASKS));
  } else if (work === "echo") {
    await runner.run(() => echo(ECHO_COUNT / 10));
    cpu = cpuSeconds();
    loopCpu = threadSeconds();
    seconds = await runner.run(() => echo(ECHO_COUNT));
  } else {
    const run = work === "callsoon_bulk" ? bulk : chain;
    await run(loop, CALLS / 10);
    cpu = cpuSeconds();
    loopCpu = threadSeconds();
    seconds = await run(loop, CALLS);
  }
  cpu = cpuSeconds() - cpu;
  loopCpu = threadSeconds() - loopCpu;
  await runner.close();
  console.log(JSON.stringify({ work, mode, seconds, cpu, loopCpu }));
}

// ---- The driver ---------------------------------------------------------------------

/** CPU seconds of the calling thread (Linux), or NaN. */
function threadSeconds(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/thread-self/schedstat").split(" ")[0]) / 1e9;
  } catch {
    return NaN;
  }
}

interface Sample {
  seconds: number;
  cpu: number;
  loopCpu: number;
}

async function once(mode: Mode, work: Work): Promise<Sample> {
  // -A: reading /proc/thread-self (the loop thread's CPU) needs every permission.
  const flags = ["-A"];
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
  let result: Sample | null = null;
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
        const { seconds, cpu, loopCpu } = JSON.parse(line);
        result = { seconds, cpu, loopCpu };
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
  let modes: readonly Mode[] = MODES;
  const works: Work[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--reps") reps = Number(args[++i]);
    else if (args[i] === "--modes") modes = args[++i].split(",") as Mode[];
    else works.push(args[i] as Work);
  }
  if (!modes.includes("off")) modes = ["off", ...modes];
  const chosen = works.length > 0 ? works : [...WORKS];
  const samples = new Map<string, Sample[]>();
  for (let rep = 0; rep < reps; rep++) {
    for (const work of chosen) {
      // A different mode goes first in each repetition.
      const order = modes.map((_, i) => modes[(i + rep) % modes.length]);
      for (const mode of order) {
        const key = `${work} ${mode}`;
        samples.set(key, [...(samples.get(key) ?? []), await once(mode, work)]);
      }
    }
  }
  const titles = { loopCpu: "loop thread CPU", cpu: "process CPU", seconds: "wall" };
  for (const figure of ["loopCpu", "cpu", "seconds"] as const) {
    console.log(
      `\n${titles[figure]} seconds, median of ${reps}` +
        ` (ratio to off's median: median, min–max):`,
    );
    console.log("work".padEnd(16) + modes.map((c) => c.padEnd(28)).join(""));
    for (const work of chosen) {
      const off = median(samples.get(`${work} off`)!.map((s) => s[figure]));
      const cells = modes.map((mode) => {
        const values = samples.get(`${work} ${mode}`)!.map((s) => s[figure] / off);
        const m = median(values) * off;
        const range = `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
        return `${m.toFixed(3)} ${(m / off).toFixed(3)} ${range}`.padEnd(28);
      });
      console.log(work.padEnd(16) + cells.join(""));
    }
  }
}

if (Deno.args[0] === "--child") await child(Deno.args[1] as Mode, Deno.args[2] as Work);
else if (Deno.args[0] === "--alternate") {
  const works = Deno.args.slice(1).filter((w) => w !== "echo") as Work[];
  for (const work of works.length > 0 ? works : WORKS.filter((w) => w !== "echo")) {
    await alternate(work);
  }
} else await driver(Deno.args);
