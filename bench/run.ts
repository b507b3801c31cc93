// The benchmark harness: `deno task bench [--reps N] [--write] [name...]`.
//
// Runs every bench/<name>.ts that has a bench/<name>.py peer (or the names
// given), each repetition back to back on: ours (Deno), CPython asyncio of
// pyenv (`python3`), CPython asyncio of Debian (`/usr/bin/python3`) and
// uvloop on Debian's interpreter (when it imports), and, for a peer whose
// first line says "(CPython 3.12)", pyenv's CPython 3.12. Each run prints JSON
// lines (see bench/README.md); the table shows medians over the
// repetitions and the ratios ours / peer. A run of every bench (or one with
// `--write`) writes the table to bench/results.md and into bench/README.md
// between the results markers.

const BENCH_DIR = new URL(".", import.meta.url);
const README = new URL("README.md", BENCH_DIR);
const RESULTS = new URL("results.md", BENCH_DIR);
const START = "<!-- results:start -->";
const END = "<!-- results:end -->";
const DENO_FLAGS = [
  "--allow-read",
  "--allow-write",
  "--allow-run",
  "--allow-net=127.0.0.1",
  "--allow-env",
  "--v8-flags=--expose-gc",
];
// Seconds before one bench process is killed.
const PROCESS_TIMEOUT = 600;
// CPython 3.12, for the peers that need what it added (eager tasks).
const PYTHON312 = Deno.env.get("PYTHON312") ??
  `${Deno.env.get("HOME")}/.pyenv/versions/3.12.1/bin/python3`;

/** Where a line came from: one column of the table. */
type Column = "deno" | "debian" | "pyenv" | "uvloop" | "py312";

interface Line {
  bench: string;
  impl: string;
  ops: number;
  seconds: number;
  unit: string;
  value?: number;
  lower?: boolean;
  extra?: { target?: Target; [key: string]: unknown };
}

interface Target {
  asyncio?: number;
  uvloop?: number;
  max?: number;
  raw?: number;
  rawBench?: string;
}

interface Runner {
  column: Column;
  cmd: string;
  args: (file: string) => string[];
  /** Runs only the pairs this says yes to (all when absent). */
  only?: (name: string) => boolean;
}

interface Case {
  unit: string;
  lower: boolean;
  target?: Target;
  samples: Partial<Record<Column, number[]>>;
  /** The server's CPU µs per round trip, where a line gives it (the echo benches). */
  cpu: Partial<Record<Column, number[]>>;
}

function parseArgs(args: string[]) {
  let reps = 3;
  let write = false;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--reps") reps = Number(args[++i]);
    else if (arg.startsWith("--reps=")) reps = Number(arg.slice(7));
    else if (arg === "--write") write = true;
    else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
    else names.push(arg.replace(/^bench\//, "").replace(/\.(ts|py)$/, ""));
  }
  if (!Number.isInteger(reps) || reps < 1) throw new Error("--reps wants a positive integer");
  return { reps, write, names };
}

/** Bench names: x.ts with a peer x.py, not run.ts, not private `_x`. */
async function discover(): Promise<string[]> {
  const files = new Set<string>();
  for await (const entry of Deno.readDir(BENCH_DIR)) {
    if (entry.isFile) files.add(entry.name);
  }
  return [...files]
    .filter((f) => f.endsWith(".ts") && !f.startsWith("_") && f !== "run.ts")
    .map((f) => f.slice(0, -3))
    .filter((name) => files.has(`${name}.py`))
    .sort();
}

async function output(cmd: string, args: string[]): Promise<{ ok: boolean; text: string }> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.success ? out.stdout : out.stderr).trim();
    return { ok: out.success, text };
  } catch (err) {
    return { ok: false, text: String(err) };
  }
}

/** How to get the uvloop column on Debian. */
const UVLOOP_HINT = "apt-get install python3-uvloop";

async function runners(): Promise<Runner[]> {
  const file = (name: string) => new URL(name, BENCH_DIR).pathname;
  const list: Runner[] = [
    { column: "deno", cmd: Deno.execPath(), args: (f) => ["run", ...DENO_FLAGS, file(f + ".ts")] },
    { column: "debian", cmd: "/usr/bin/python3", args: (f) => [file(f + ".py")] },
    { column: "pyenv", cmd: "python3", args: (f) => [file(f + ".py")] },
  ];
  if ((await output("/usr/bin/python3", ["-c", "import uvloop"])).ok) {
    list.push({
      column: "uvloop",
      cmd: "/usr/bin/python3",
      args: (f) => [file(f + ".py"), "--uvloop"],
    });
  } else {
    console.error(
      `uvloop does not import in /usr/bin/python3: its column stays empty (${UVLOOP_HINT})`,
    );
  }
  if ((await output(PYTHON312, ["--version"])).ok) {
    list.push({
      column: "py312",
      cmd: PYTHON312,
      args: (f) => [file(f + ".py")],
      only: (name) => {
        const head = Deno.readTextFileSync(file(name + ".py")).split("\n", 1)[0];
        return head.includes("(CPython 3.12)");
      },
    });
  } else {
    console.error(`no CPython 3.12 at ${PYTHON312}: its column stays empty`);
  }
  return list;
}

/** Run one bench process; returns its result lines (failures go to stderr). */
async function runOnce(runner: Runner, name: string): Promise<Line[]> {
  const command = new Deno.Command(runner.cmd, {
    args: runner.args(name),
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(PROCESS_TIMEOUT * 1000),
  });
  let out: Deno.CommandOutput;
  try {
    out = await command.output();
  } catch (err) {
    console.error(`  ${name} [${runner.column}]: ${err}`);
    return [];
  }
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-8);
    console.error(
      `  ${name} [${runner.column}] failed (exit ${out.code}):\n    ${stderr.join("\n    ")}`,
    );
  }
  const lines: Line[] = [];
  for (const text of stdout.split("\n")) {
    if (!text.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(text));
    } catch {
      console.error(`  ${name} [${runner.column}]: not JSON: ${text}`);
    }
  }
  return lines;
}

function valueOf(line: Line): number {
  return line.value ?? line.ops / line.seconds;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function record(cases: Map<string, Case>, column: Column, line: Line): void {
  // A Deno line with another impl (e.g. "deno-raw", a ceiling) gets its own row.
  const key = column === "deno" && line.impl !== "deno"
    ? `${line.bench} (${line.impl})`
    : line.bench;
  let c = cases.get(key);
  if (c === undefined) {
    c = { unit: line.unit, lower: line.lower === true, samples: {}, cpu: {} };
    cases.set(key, c);
  }
  if (column === "deno" && line.extra?.target !== undefined) c.target = line.extra.target;
  (c.samples[column] ??= []).push(valueOf(line));
  const cpu = line.extra?.serverCpuUsPerRoundTrip;
  if (typeof cpu === "number") (c.cpu[column] ??= []).push(cpu);
}

// A Deno ceiling's row: "timers (deno-floor)", "stream_echo_x (deno-raw)".
const CEILING_ROW = / \(deno-[\w-]+\)$/;

/** The row of the raw ceiling a case is held to: its own, or the one its target names. */
function rawRowOf(name: string, c: Case): string {
  return `${c.target?.rawBench ?? name} (deno-raw)`;
}

/**
 * The server's CPU per round trip, for the cases that report it: steadier
 * than the rates on a shared machine (a busy neighbour slows the rate, not
 * the work per round trip), and what issue 15 asks beside them.
 */
function cpuTable(cases: Map<string, Case>): string {
  const rows = [
    [
      "case",
      "ours",
      "asyncio (Debian)",
      "asyncio (pyenv)",
      "uvloop",
      "raw Deno",
      "ours/raw",
      "ours/uvloop",
    ],
  ];
  rows.push(rows[0].map(() => "---"));
  for (const [name, c] of cases) {
    if (c.cpu.deno === undefined || CEILING_ROW.test(name)) continue;
    const rawSamples = cases.get(rawRowOf(name, c))?.cpu.deno;
    const m = (xs: number[] | undefined) => xs === undefined ? undefined : median(xs);
    const ours = m(c.cpu.deno)!, raw = m(rawSamples), uvloop = m(c.cpu.uvloop);
    const us = (x: number | undefined) => x === undefined ? "–" : `${x.toFixed(2)} µs`;
    const ratio = (x: number | undefined) => x === undefined ? "–" : `${(ours / x).toFixed(2)}×`;
    rows.push([
      name,
      us(ours),
      us(m(c.cpu.debian)),
      us(m(c.cpu.pyenv)),
      us(uvloop),
      us(raw),
      ratio(raw),
      ratio(uvloop),
    ]);
  }
  if (rows.length === 2) return "";
  const body = rows.map((r) => `| ${r.join(" | ")} |`).join("\n");
  return `\n\nServer CPU per round trip (lower is better; medians; the raw ceiling's from its row):\n\n${body}`;
}

function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "–";
  const abs = Math.abs(x);
  if (abs >= 1e6) return `${(x / 1e6).toPrecision(3)} M`;
  if (abs >= 1e4) return `${(x / 1e3).toPrecision(3)} k`;
  return String(Number(x.toPrecision(3)));
}

/**
 * "met", "missed" or "" for a case, judged on the medians; `raw` is the
 * median of its raw Deno ceiling, if that ran.
 */
function verdict(c: Case, m: Partial<Record<Column, number>>, raw: number | undefined): string {
  const t = c.target;
  if (t === undefined || m.deno === undefined) return "";
  const ok = (ratio: number | undefined, want: number) =>
    ratio === undefined || (c.lower ? ratio <= want : ratio >= want);
  const checks: boolean[] = [];
  if (t.asyncio !== undefined) {
    for (const peer of ["debian", "pyenv"] as const) {
      if (m[peer] !== undefined) checks.push(ok(m.deno / m[peer]!, t.asyncio));
    }
  }
  if (t.uvloop !== undefined && m.uvloop !== undefined) {
    checks.push(ok(m.deno / m.uvloop, t.uvloop));
  }
  if (t.max !== undefined) checks.push(m.deno < t.max);
  if (t.raw !== undefined && raw !== undefined) checks.push(ok(m.deno / raw, t.raw));
  const want = [
    t.raw !== undefined ? `≥ ${t.raw}× raw${raw === undefined ? " (not measured)" : ""}` : "",
    t.asyncio !== undefined ? `${c.lower ? "≤" : "≥"} ${t.asyncio}× asyncio` : "",
    t.uvloop !== undefined ? `${c.lower ? "≤" : "≥"} ${t.uvloop}× uvloop` : "",
    t.max !== undefined ? `< ${t.max}` : "",
  ].filter((s) => s !== "").join(", ");
  return `${checks.every(Boolean) ? "met" : "**missed**"} (${want})`;
}

function table(cases: Map<string, Case>, reps: number): string {
  const head = [
    "case",
    "unit",
    "ours",
    "asyncio (Debian)",
    "asyncio (pyenv)",
    "uvloop",
    "asyncio 3.12",
    "ours/asyncio (Debian)",
    "ours/asyncio (pyenv)",
    "ours/uvloop",
    "ours/asyncio 3.12",
    "ours/raw Deno",
    "target",
  ];
  const rows = [head, head.map(() => "---")];
  for (const [name, c] of cases) {
    const m: Partial<Record<Column, number>> = {};
    // A Deno ceiling's row ("timers (deno-floor)") is compared with its case's peers.
    const base = cases.get(name.replace(CEILING_ROW, ""));
    for (const [col, xs] of Object.entries({ ...base?.samples, ...c.samples })) {
      m[col as Column] = median(xs!);
    }
    const ratio = (peer: number | undefined) =>
      m.deno !== undefined && peer !== undefined ? `${(m.deno / peer).toFixed(2)}×` : "–";
    const rawSamples = cases.get(rawRowOf(name, c))?.samples.deno;
    const raw = rawSamples === undefined ? undefined : median(rawSamples);
    rows.push([
      name,
      c.unit + (c.lower ? " (lower is better)" : ""),
      fmt(m.deno),
      fmt(m.debian),
      fmt(m.pyenv),
      fmt(m.uvloop),
      fmt(m.py312),
      ratio(m.debian),
      ratio(m.pyenv),
      ratio(m.uvloop),
      ratio(m.py312),
      ratio(raw),
      verdict(c, m, raw),
    ]);
  }
  const body = rows.map((r) => `| ${r.join(" | ")} |`).join("\n");
  return `${body}\n\nMedians of ${reps} run(s) per implementation; ratios are ours / peer ` +
    `(a "(deno-raw)" row is the raw Deno ceiling, compared with its case's peers).`;
}

async function machine(): Promise<string> {
  const deno = (await output(Deno.execPath(), ["--version"])).text.split("\n").slice(0, 2)
    .join(", ");
  const pyenv = (await output("python3", ["--version"])).text;
  const debian = (await output("/usr/bin/python3", ["--version"])).text;
  const py312 = await output(PYTHON312, ["--version"]);
  const uvloop = await output("/usr/bin/python3", [
    "-c",
    "import uvloop; print(uvloop.__version__)",
  ]);
  // Deno wants --allow-all to read /proc directly; `cat` needs only --allow-run.
  const cpuinfo = (await output("cat", ["/proc/cpuinfo"])).text;
  const cpu = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "unknown CPU";
  const load = (await output("cat", ["/proc/loadavg"])).text.split(" ").slice(0, 3).join(" ");
  return [
    `- date: ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}`,
    `- ${deno}`,
    `- python3 (pyenv): ${pyenv}; /usr/bin/python3 (Debian): ${debian}; uvloop ${
      uvloop.ok ? uvloop.text : `not available (${UVLOOP_HINT})`
    }; asyncio 3.12: ${py312.ok ? `${py312.text} (pyenv)` : "not available"}`,
    `- CPU: ${cpu}, ${navigator.hardwareConcurrency} cores; load average at start: ${load}`,
  ].join("\n");
}

async function writeResults(text: string): Promise<void> {
  await Deno.writeTextFile(RESULTS, `# Benchmark results\n\n${text}\n`);
  const readme = await Deno.readTextFile(README).catch(() => null);
  if (readme === null || !readme.includes(START) || !readme.includes(END)) {
    console.error(`bench/README.md has no ${START} … ${END} section; wrote bench/results.md only`);
    await output(Deno.execPath(), ["fmt", "--quiet", RESULTS.pathname]);
    return;
  }
  const before = readme.slice(0, readme.indexOf(START) + START.length);
  const after = readme.slice(readme.indexOf(END));
  await Deno.writeTextFile(README, `${before}\n\n${text}\n\n${after}`);
  // Keep `deno task check` (fmt --check) green after a run.
  await output(Deno.execPath(), ["fmt", "--quiet", README.pathname, RESULTS.pathname]);
}

async function main(): Promise<void> {
  const { reps, write, names } = parseArgs(Deno.args);
  const all = await discover();
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    throw new Error(`no bench pair for ${unknown.join(", ")} (have: ${all.join(", ")})`);
  }
  const chosen = names.length > 0 ? names : all;
  const header = await machine();
  console.log(header);
  const impls = await runners();
  const cases = new Map<string, Case>();
  for (const name of chosen) {
    for (let rep = 1; rep <= reps; rep++) {
      console.error(`${name}: run ${rep}/${reps}`);
      for (const runner of impls) {
        if (runner.only !== undefined && !runner.only(name)) continue;
        for (const line of await runOnce(runner, name)) record(cases, runner.column, line);
      }
    }
  }
  const tables = table(cases, reps) + cpuTable(cases);
  const text = `${header}\n\n${tables}`;
  console.log(`\n${tables}`);
  if (write || names.length === 0) await writeResults(text);
}

await main();
