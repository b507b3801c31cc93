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
// cost without the noise of separate processes. How V8 compiles the loop
// differs from process to process (one gives 1.00, the next 1.10), so
// `--procs N` runs N such processes in turn and gives the median of their
// ratios, and their range.
//
//   deno run -A bench/monitor_cost.ts [--reps N] [--modes off,on,top] [WORK…]
//   deno run -A bench/monitor_cost.ts --alternate [--procs N] [WORK…]
// `--instructions` runs each child under callgrind (Debian's `valgrind`) instead and
// counts the loop thread's instructions and estimated cycles (cache misses
// simulated) in the measured stretch (the Worker's thread is not counted:
// its CPU is another core's, which the timed runs show). Counts do not
// move with the machine's load as times do, so one or two repetitions
// settle what ten timed ones cannot. They weigh what the monitor does per
// event (step, task, callback), not what it does per second: under
// callgrind the child runs ~100 times slower, so a timer's work would
// weigh 100 times more: a counted child stretches its intervals (the
// monitor's heartbeat) by that much, and the client there asks `top` once,
// before the run (steps are timed while it is attached); the heartbeat's
// and the answer's own costs are times per second, measured apart.
// `--by-function` (with `--instructions`) also names V8's compiled code
// (`--perf-basic-prof`) and prints, per run, the functions whose counts
// differ most from `off`'s run of that repetition (bench/_callgrind.ts).
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
import { countDifferences, functionCounts } from "./_callgrind.ts";
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

/** How much of `work` a measured run does. */
function countOf(work: Work): number {
  return work === "task_steps" ? TASKS : work === "echo" ? ECHO_COUNT : CALLS;
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
  const n = countOf(work);
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

/** `alternate(work)` in `procs` processes, one after another: the median of their ratios. */
async function alternateInProcesses(work: Work, procs: number): Promise<void> {
  const ratios: number[] = [];
  for (let i = 0; i < procs; i++) {
    const { success, stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", import.meta.filename!, "--alternate", work],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!success) throw new Error(`--alternate ${work} failed in process ${i + 1}`);
    ratios.push(JSON.parse(new TextDecoder().decode(stdout).trim()).ratio);
  }
  const ratio = median(ratios);
  const low = Math.min(...ratios).toFixed(3), high = Math.max(...ratios).toFixed(3);
  console.log(JSON.stringify({ work, procs, ratio, ratios }));
  console.log(
    `${work}: watched / unwatched ${ratio.toFixed(3)} (${low}–${high}, ${procs} processes)`,
  );
}

// Under callgrind a child runs 50–170 times slower than natively, while
// timers keep real time: the monitor's heartbeat (every 50 ms) would beat
// that much more often per unit of work, and its cost is a time per
// second, measured apart (bench/README.md). A counted child stretches
// intervals by this factor, before the monitor starts.
const COUNTED_SLOWDOWN = 100;

async function child(mode: Mode, work: Work): Promise<void> {
  const mark = Deno.env.get(MARK_ENV);
  if (mark !== undefined) {
    const setIntervalNow = globalThis.setInterval;
    globalThis.setInterval = ((fn: () => void, ms = 0) =>
      setIntervalNow(fn, ms * COUNTED_SLOWDOWN)) as typeof setInterval;
  }
  if (mode === "loaded") await import("../lib/_monitor.ts");
  const runner = new Runner();
  const loop = runner.getLoop();
  if (mode === "on" || mode === "top") {
    const monitor = await startMonitor(loop, { print: false });
    console.log(`ADDRESS ${monitor.address}`);
    // The parent attaches its client, then says go.
    if (mode === "top") await Deno.stdin.readable.getReader().read();
  }
  const n = countOf(work);
  await measure(runner, work, n / 10); // warm-up, as the benches do
  if (mark !== undefined) Deno.chmodSync(mark, 0o644);
  const cpu0 = cpuSeconds(), loopCpu0 = threadSeconds();
  const seconds = await measure(runner, work, n);
  const cpu = cpuSeconds() - cpu0, loopCpu = threadSeconds() - loopCpu0;
  if (mark !== undefined) Deno.chmodSync(mark, 0o644);
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

/**
 * One run's figures: times (seconds), or, under callgrind (`--instructions`),
 * the loop thread's counts of the measured stretch: instructions and
 * estimated cycles.
 */
type Sample = Record<Figure, number>;
type Figure = "seconds" | "cpu" | "loopCpu" | "loopIr" | "loopCycles";

// The child marks the measured stretch with a chmod of this file, before
// and after: callgrind (`--dump-before=chmod`) writes its counts at each.
const MARK_ENV = "MONITOR_COST_MARK";

// V8 writes a perf map of its code (and, unless told where, a log file per isolate in the working directory).
const BY_FUNCTION_FLAGS = ",--perf-basic-prof,--no-logfile-per-isolate,--logfile=/dev/null";

/** How a run is counted: not (timed), by callgrind, or by callgrind per function. */
type Counting = "timed" | "counted" | "byFunction";

/** The command that runs a child: deno, or deno under callgrind in `dir`. */
function childCommand(args: string[], dir: string | null, counting: Counting): Deno.Command {
  const options = { stdin: "piped", stdout: "piped", stderr: "null" } as const;
  if (dir === null) return new Deno.Command(Deno.execPath(), { args, ...options });
  const mark = `${dir}/mark`;
  Deno.writeTextFileSync(mark, "");
  return new Deno.Command("valgrind", {
    args: [
      "--tool=callgrind",
      "--cache-sim=yes",
      "--separate-threads=yes",
      "--dump-before=chmod",
      "--smc-check=all-non-file", // V8 writes code as it runs
      `--callgrind-out-file=${dir}/out.%p`,
      Deno.execPath(),
      // Compiled and collected on the loop thread, the same way each run.
      ...args.toSpliced(
        1,
        0,
        `--v8-flags=--single-threaded${counting === "byFunction" ? BY_FUNCTION_FLAGS : ""}`,
      ),
    ],
    env: { [MARK_ENV]: mark },
    ...options,
  });
}

/**
 * The dump of the stretch between the child's two marks (the last dump
 * made at a mark, thread 1's), and the child's pid.
 */
function stretchDump(dir: string): { path: string; pid: string } {
  const dumps = [...Deno.readDirSync(dir)].map((e) => e.name.match(/^out\.(\d+)\.(\d+)-01$/))
    .filter((m) => m !== null);
  if (dumps.length === 0) {
    throw new Error(`callgrind wrote no counts at the child's marks in ${dir}`);
  }
  const last = dumps.reduce((a, b) => Number(a![2]) > Number(b![2]) ? a : b)!;
  return { path: `${dir}/${last.input}`, pid: last[1] };
}

/**
 * The loop thread's counts in a dump. Cycles are estimated as callgrind's
 * tools do: an instruction each, 10 per first-level cache miss, 100 per
 * last-level miss.
 */
function countsIn(dump: string): Pick<Sample, "loopIr" | "loopCycles"> {
  const text = Deno.readTextFileSync(dump);
  const events = text.match(/^events: (.*)$/m)![1].split(" ");
  const values = text.match(/^summary: (.*)$/m)![1].split(" ").map(Number);
  const at = (name: string) => values[events.indexOf(name)] ?? 0;
  const l1 = at("I1mr") + at("D1mr") + at("D1mw"), ll = at("ILmr") + at("DLmr") + at("DLmw");
  return { loopIr: at("Ir"), loopCycles: at("Ir") + 10 * l1 + 100 * ll };
}

/** One run's figures, and its instructions per function if counted so. */
type Run = Sample & { functions?: Map<string, number> };

async function once(mode: Mode, work: Work, counting: Counting): Promise<Run> {
  const counted = counting !== "timed";
  // -A: reading /proc/thread-self (the loop thread's CPU) needs every permission.
  const flags = ["-A"];
  if (mode === "inspect") flags.push("--inspect=127.0.0.1:0");
  const dir = counted ? Deno.makeTempDirSync({ prefix: "monitor_cost" }) : null;
  const proc = childCommand(
    ["run", ...flags, import.meta.filename!, "--child", mode, work],
    dir,
    counting,
  ).spawn();
  const lines = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let client: MonitorClient | null = null;
  let polling: Promise<void> | null = null;
  let result: Run | null = null;
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
        const top = () => c.request("top", { sort: "busy", limit: 40 });
        // Counted: asked once, before the run (see `--instructions`).
        if (counted) await top();
        else {
          polling = (async () => {
            try {
              for (;;) {
                await top();
                await new Promise((r) => setTimeout(r, 1000));
              }
            } catch { /* the run ended */ }
          })();
        }
        const writer = proc.stdin.getWriter();
        await writer.write(new TextEncoder().encode("go\n"));
        await writer.close();
      } else if (line.startsWith("{")) {
        console.log(line);
        result = JSON.parse(line);
      }
    }
  }
  client?.close();
  await polling;
  if (mode !== "top") await proc.stdin.close().catch(() => {});
  if (!(await proc.status).success || result === null) throw new Error(`${mode} ${work} failed`);
  if (dir !== null) {
    const dump = stretchDump(dir);
    Object.assign(result, countsIn(dump.path));
    if (counting === "byFunction") {
      const perfMap = `/tmp/perf-${dump.pid}.map`;
      result.functions = functionCounts(dump.path, perfMap);
      Deno.removeSync(perfMap);
    }
    Deno.removeSync(dir, { recursive: true });
  }
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
  let counting: Counting = "timed";
  const works: Work[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--reps") reps = Number(args[++i]);
    else if (args[i] === "--modes") modes = args[++i].split(",") as Mode[];
    else if (args[i] === "--instructions") counting = counting === "timed" ? "counted" : counting;
    else if (args[i] === "--by-function") counting = "byFunction";
    else works.push(args[i] as Work);
  }
  const counted = counting !== "timed";
  if (!modes.includes("off")) modes = ["off", ...modes];
  const chosen = works.length > 0 ? works : [...WORKS];
  const samples = new Map<string, Run[]>();
  for (let rep = 0; rep < reps; rep++) {
    for (const work of chosen) {
      // A different mode goes first in each repetition.
      const order = modes.map((_, i) => modes[(i + rep) % modes.length]);
      for (const mode of order) {
        const key = `${work} ${mode}`;
        samples.set(key, [...(samples.get(key) ?? []), await once(mode, work, counting)]);
      }
    }
  }
  const titles: Partial<Record<Figure, string>> = counted
    ? {
      loopCycles: "loop thread, estimated cycles",
      loopIr: "loop thread, instructions",
    }
    : { loopCpu: "loop thread CPU seconds", cpu: "process CPU seconds", seconds: "wall seconds" };
  for (const [figure, title] of Object.entries(titles) as [Figure, string][]) {
    console.log(`\n${title}, median of ${reps} (ratio to off's median: median, min–max):`);
    console.log("work".padEnd(16) + modes.map((c) => c.padEnd(28)).join(""));
    for (const work of chosen) {
      const off = median(samples.get(`${work} off`)!.map((s) => s[figure]));
      const cells = modes.map((mode) => {
        const values = samples.get(`${work} ${mode}`)!.map((s) => s[figure] / off);
        const m = median(values) * off;
        const range = `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
        const shown = counted ? `${(m / 1e9).toFixed(3)}G` : m.toFixed(3);
        return `${shown} ${(m / off).toFixed(3)} ${range}`.padEnd(28);
      });
      console.log(work.padEnd(16) + cells.join(""));
    }
  }
  if (counting === "byFunction") printByFunction(samples, chosen, modes);
}

/** Per run, the functions whose instructions differ most from `off`'s in the same repetition. */
function printByFunction(samples: Map<string, Run[]>, works: Work[], modes: readonly Mode[]): void {
  for (const work of works) {
    const offs = samples.get(`${work} off`)!;
    for (const mode of modes.filter((m) => m !== "off")) {
      samples.get(`${work} ${mode}`)!.forEach((run, rep) => {
        console.log(`\n${work} ${mode} against off, repetition ${rep + 1} (M instructions):`);
        for (const line of countDifferences(offs[rep].functions!, run.functions!, 25)) {
          console.log(line);
        }
      });
    }
  }
}

if (Deno.args[0] === "--child") await child(Deno.args[1] as Mode, Deno.args[2] as Work);
else if (Deno.args[0] === "--alternate") {
  let procs = 1;
  const works: Work[] = [];
  for (let i = 1; i < Deno.args.length; i++) {
    if (Deno.args[i] === "--procs") procs = Number(Deno.args[++i]);
    else if (Deno.args[i] !== "echo") works.push(Deno.args[i] as Work);
  }
  for (const work of works.length > 0 ? works : WORKS.filter((w) => w !== "echo")) {
    if (procs > 1) await alternateInProcesses(work, procs);
    else await alternate(work);
  }
} else await driver(Deno.args);
