// HTTP/1.1 keep-alive servers under a load client nobody here wrote: wrk
// (`wrk -t1 -cC -dD --latency`) at 1, 50 and 1,000 connections, against
// ours on streams and on protocols, CPython asyncio's and uvloop's (streams
// and protocol), raw Deno.Conn, Deno.serve and one nginx worker (the
// single-core limit). Each server is its own process (bench/_http_servers.ts,
// bench/_http_servers.py, nginx), killed at the end. Not a pair for
// bench/run.ts: see bench/README.md.
//
//   deno run -A bench/http_wrk.ts [--quick] [--duration S] [--reps N] [--conns 1,50,1000] [impl...]
//
// Prints each run as a JSON line on stderr, then (stdout) a JSON line per
// (implementation, connections) with the medians over the repetitions, and
// a markdown table. Server CPU per request is utime+stime of the server's
// processes (from /proc) over the wrk run, divided by the requests wrk
// completed; peak RSS is VmHWM after the first run at that connection count
// (so it includes the lower counts run before).

const HERE = new URL(".", import.meta.url).pathname;
const PY = "/usr/bin/python3";
// Enough descriptors for 1,000 connections on either side, whatever the
// shell that started us allows (the hard limit permitting).
const NOFILE = 8192;

interface Impl {
  /**
   * The server's command line (run under `sh` to raise the descriptor
   * limit) and, for a server that cannot announce a port-0 port, the port it
   * was given; `dir` is its temporary directory.
   */
  start(dir: string): Promise<{ cmd: string[]; port?: number }>;
}

const deno = (what: string): Impl => ({
  start: () =>
    Promise.resolve({
      cmd: [Deno.execPath(), "run", "--allow-net=127.0.0.1", `${HERE}_http_servers.ts`, what],
    }),
});

const python = (what: string, uvloop: boolean): Impl => ({
  start: () =>
    Promise.resolve({
      cmd: [PY, `${HERE}_http_servers.py`, what, ...(uvloop ? ["--uvloop"] : [])],
    }),
});

const IMPLS: Record<string, Impl> = {
  "ours-streams": deno("streams"),
  "ours-protocol": deno("protocol"),
  "asyncio-streams": python("streams", false),
  "asyncio-protocol": python("protocol", false),
  "uvloop-streams": python("streams", true),
  "uvloop-protocol": python("protocol", true),
  "deno-raw": deno("raw"),
  "deno-serve": deno("serve"),
  nginx: { start: nginxConfig },
};

/** A port nobody uses now (for nginx, which cannot listen on port 0 and tell us). */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function nginxConfig(dir: string): Promise<{ cmd: string[]; port: number }> {
  const port = freePort();
  const conf = `${dir}/nginx.conf`;
  await Deno.writeTextFile(
    conf,
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_timeout 75s;
  # The other servers never close a keep-alive connection; nginx's default
  # closes it after 1,000 requests, which would make wrk reconnect.
  keepalive_requests 1000000000;
  server {
    listen 127.0.0.1:${port};
    location / {
      default_type text/plain;
      return 200 'Hello, world!';
    }
  }
}
`,
  );
  return { cmd: ["nginx", "-e", `${dir}/error.log`, "-c", conf, "-g", "daemon off;"], port };
}

/** `sh -c 'ulimit -n N; exec "$@"'`: the command, with enough descriptors. */
function withNofile(cmd: string[]): { cmd: string; args: string[] } {
  return {
    cmd: "sh",
    args: ["-c", `ulimit -n ${NOFILE} 2>/dev/null || true; exec "$@"`, "sh", ...cmd],
  };
}

/** Servers not yet reaped, for the watchdog. */
const live = new Set<Deno.ChildProcess>();

interface Running {
  child: Deno.ChildProcess;
  port: number;
  /** Drains the server's stdout after its port line, until it exits. */
  drained: Promise<void>;
}

async function startServer(impl: Impl, dir: string): Promise<Running> {
  const { cmd, port: fixed } = await impl.start(dir);
  const { cmd: sh, args } = withNofile(cmd);
  const child = new Deno.Command(sh, { args, stdout: "piped", stderr: "inherit" }).spawn();
  live.add(child);
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let port = fixed;
  let rest = "";
  const deadline = Date.now() + 15_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), 15_000));
  while (port === undefined) {
    const got = await Promise.race([lines.read(), timeout]);
    if (got === "timeout" || got.done) {
      await stop(child, (async () => await lines.cancel())());
      throw new Error(got === "timeout" ? "no port announced in 15 s" : "exited before listening");
    }
    rest += got.value;
    const m = /\{"port":\s*(\d+)\}/.exec(rest);
    if (m !== null) port = Number(m[1]);
  }
  clearTimeout(timer);
  const drained = (async () => {
    while (!(await lines.read()).done) { /* keep its stdout from filling up */ }
  })();
  if (fixed !== undefined) await waitListening(fixed, deadline, child);
  return { child, port, drained };
}

async function waitListening(port: number, deadline: number, child: Deno.ChildProcess) {
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      if (Date.now() > deadline) {
        await stop(child, Promise.resolve());
        throw new Error(`nothing listens on ${port} after 15 s`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** SIGTERM, then SIGKILL if it lingers; always reaps it. */
async function stop(child: Deno.ChildProcess, drained: Promise<void>): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch { /* already gone */ }
  const killer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone meanwhile */ }
  }, 3000);
  await child.status;
  clearTimeout(killer);
  live.delete(child);
  await drained.catch(() => {});
}

/** The server's processes: it and its descendants (nginx's worker). */
function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      const kids = Deno.readTextFileSync(`/proc/${out[i]}/task/${out[i]}/children`).trim();
      if (kids !== "") out.push(...kids.split(/\s+/).map(Number));
    } catch { /* exited */ }
  }
  return out;
}

const TICK = 100; // USER_HZ: the unit of utime/stime in /proc/PID/stat on Linux.

function cpuSecondsOf(pid: number): number {
  let ticks = 0;
  for (const p of tree(pid)) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${p}/stat`);
      // The command name may hold spaces; the fields after it do not.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    } catch { /* exited */ }
  }
  return ticks / TICK;
}

function peakRssBytes(pid: number): number {
  let kb = 0;
  for (const p of tree(pid)) {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(Deno.readTextFileSync(`/proc/${p}/status`));
      if (m !== null) kb += Number(m[1]);
    } catch { /* exited */ }
  }
  return kb * 1024;
}

/** What one wrk run reported. */
export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: { connect: number; read: number; write: number; timeout: number };
  non2xx: number;
}

function toMs(value: string, unit: string): number {
  const scale: Record<string, number> = { us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };
  if (!(unit in scale)) throw new Error(`unknown wrk time unit ${unit}`);
  return Number(value) * scale[unit];
}

/** Parse `wrk --latency` output. */
export function parseWrk(text: string): WrkResult {
  const num = (re: RegExp) => {
    const m = re.exec(text);
    if (m === null) throw new Error(`wrk output without ${re}:\n${text}`);
    return m;
  };
  const total = num(/(\d+) requests in ([\d.]+)(us|ms|s|m|h),/);
  const p50 = num(/^\s*50%\s+([\d.]+)(us|ms|s|m|h)/m);
  const p99 = num(/^\s*99%\s+([\d.]+)(us|ms|s|m|h)/m);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const requests = Number(total[1]);
  const seconds = toMs(total[2], total[3]) / 1000;
  return {
    requests,
    seconds,
    rps: Number(num(/Requests\/sec:\s+([\d.]+)/)[1]),
    p50Ms: toMs(p50[1], p50[2]),
    p99Ms: toMs(p99[1], p99[2]),
    errors: {
      connect: Number(sock?.[1] ?? 0),
      read: Number(sock?.[2] ?? 0),
      write: Number(sock?.[3] ?? 0),
      timeout: Number(sock?.[4] ?? 0),
    },
    non2xx: Number(non2xx?.[1] ?? 0),
  };
}

/** Run wrk (one thread, `conns` connections, `seconds` long) and parse it. */
export async function wrk(port: number, conns: number, seconds: number): Promise<WrkResult> {
  const { cmd, args } = withNofile([
    "wrk",
    "-t1",
    `-c${conns}`,
    `-d${seconds}s`,
    "--latency",
    `http://127.0.0.1:${port}/`,
  ]);
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    // wrk stops itself after -d; this only guards against a wedged run.
    signal: AbortSignal.timeout((seconds + 30) * 1000),
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`wrk failed (exit ${out.code}):\n${text}`);
  return parseWrk(text);
}

interface Row extends WrkResult {
  impl: string;
  conns: number;
  cpuUsPerRequest: number;
  peakRss: number;
}

function parseArgs(argv: string[]) {
  let seconds = 10;
  let reps = 1;
  let conns = [1, 50, 1000];
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") seconds = 3;
    else if (a === "--duration") seconds = Number(argv[++i]);
    else if (a === "--conns") conns = argv[++i].split(",").map(Number);
    else if (a === "--reps") reps = Number(argv[++i]);
    else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else if (a in IMPLS) names.push(a);
    else throw new Error(`unknown implementation ${a} (have: ${Object.keys(IMPLS).join(", ")})`);
  }
  if (!(seconds > 0)) throw new Error("--duration wants seconds > 0");
  if (conns.some((c) => !Number.isInteger(c) || c < 1)) throw new Error("--conns wants counts");
  if (!Number.isInteger(reps) || reps < 1) throw new Error("--reps wants a positive integer");
  return { seconds, conns, reps, names: names.length > 0 ? names : Object.keys(IMPLS) };
}

async function nofileLimit(): Promise<number> {
  const { cmd, args } = withNofile(["sh", "-c", "ulimit -n"]);
  const out = await new Deno.Command(cmd, { args, stdout: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  return text === "unlimited" ? Infinity : Number(text);
}

interface Served {
  name: string;
  dir: string;
  server: Running | null;
}

/** Start one server and warm it up (JIT, caches, first connections); not measured. */
async function serve(name: string): Promise<Served> {
  const dir = await Deno.makeTempDir({ prefix: `http_wrk_${name}_` });
  const served: Served = { name, dir, server: null };
  try {
    served.server = await startServer(IMPLS[name], dir);
    await wrk(served.server.port, 50, 1);
  } catch (err) {
    console.error(`${name}: ${err instanceof Error ? err.message : err}`);
    if (served.server !== null) await stop(served.server.child, served.server.drained);
    served.server = null;
  }
  return served;
}

/** One wrk run against a running server, with its CPU over the run. */
async function once(s: Served, conns: number, seconds: number): Promise<Row | null> {
  if (s.server === null) return null;
  const pid = s.server.child.pid;
  try {
    const cpu0 = cpuSecondsOf(pid);
    const r = await wrk(s.server.port, conns, seconds);
    const cpu = cpuSecondsOf(pid) - cpu0;
    return {
      impl: s.name,
      conns,
      ...r,
      cpuUsPerRequest: r.requests > 0 ? (cpu / r.requests) * 1e6 : NaN,
      peakRss: peakRssBytes(pid),
    };
  } catch (err) {
    console.error(`${s.name}, ${conns} connections: ${err instanceof Error ? err.message : err}`);
    return null;
  }
}

function median(xs: number[]): number {
  const v = xs.slice().sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * Medians over the repetitions; errors summed. Peak RSS is the first
 * repetition's: VmHWM only grows, and later ones follow a 1,000-connection run.
 */
function summarise(runs: Row[]): Row {
  const m = (f: (r: Row) => number) => median(runs.map(f));
  const sum = (f: (r: Row) => number) => runs.reduce((a, r) => a + f(r), 0);
  return {
    impl: runs[0].impl,
    conns: runs[0].conns,
    requests: m((r) => r.requests),
    seconds: m((r) => r.seconds),
    rps: m((r) => r.rps),
    p50Ms: m((r) => r.p50Ms),
    p99Ms: m((r) => r.p99Ms),
    errors: {
      connect: sum((r) => r.errors.connect),
      read: sum((r) => r.errors.read),
      write: sum((r) => r.errors.write),
      timeout: sum((r) => r.errors.timeout),
    },
    non2xx: sum((r) => r.non2xx),
    cpuUsPerRequest: m((r) => r.cpuUsPerRequest),
    peakRss: runs[0].peakRss,
  };
}

function fmtRate(x: number): string {
  return x >= 1e4 ? `${(x / 1e3).toPrecision(3)} k` : String(Math.round(x));
}

function fmtMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toPrecision(3)} s`;
  if (ms >= 1) return `${ms.toPrecision(3)} ms`;
  return `${(ms * 1000).toPrecision(3)} µs`;
}

/** The markdown table: rows are connections × metric, columns implementations. */
export function table(rows: Row[], names: string[], conns: number[]): string {
  const head = ["wrk connections", ...names];
  const lines = [head, head.map(() => "---")];
  const metrics: [string, (r: Row) => string][] = [
    ["requests/s", (r) => fmtRate(r.rps)],
    ["p50", (r) => fmtMs(r.p50Ms)],
    ["p99", (r) => fmtMs(r.p99Ms)],
    ["server CPU per request", (r) => `${r.cpuUsPerRequest.toPrecision(3)} µs`],
    ["peak RSS", (r) => `${Math.round(r.peakRss / 2 ** 20)} MiB`],
    ["errors (conn/read/write/timeout, non-2xx)", (r) => {
      const e = r.errors;
      const all = [e.connect, e.read, e.write, e.timeout, r.non2xx];
      return all.every((x) => x === 0) ? "0" : `**${all.join("/")}**`;
    }],
  ];
  for (const c of conns) {
    for (const [label, show] of metrics) {
      const cells = names.map((n) => {
        const r = rows.find((x) => x.impl === n && x.conns === c);
        return r === undefined ? "–" : show(r);
      });
      lines.push([`${c.toLocaleString("en")}: ${label}`, ...cells]);
    }
  }
  return lines.map((l) => `| ${l.join(" | ")} |`).join("\n");
}

async function main(): Promise<void> {
  const { seconds, conns, reps, names } = parseArgs(Deno.args);
  const limit = await nofileLimit();
  if (limit < Math.max(...conns) + 64) {
    console.error(`warning: only ${limit} descriptors for wrk and the servers`);
  }
  // A bound on the whole run, whatever hangs: each server's start and
  // warm-up, and every wrk run (which wrk bounds itself, by -d).
  const cap = names.length * (60 + reps * conns.length * (seconds + 35));
  const watchdog = setTimeout(() => {
    console.error(`http_wrk: over its ${cap} s cap; giving up`);
    for (const child of live) {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }
    Deno.exit(2);
  }, cap * 1000);
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  const how = `wrk -t1 -d${seconds}s --latency at ${conns.join(", ")} connections, ` +
    `${reps} repetition(s); load average at start ${load}`;
  console.error(how);
  // Every server is up for the whole run (idle ones cost nothing), so that
  // the implementations take turns at each connection count: a busy
  // neighbour then shakes them alike, instead of whoever ran at the time.
  const served: Served[] = [];
  const runs = new Map<string, Row[]>();
  try {
    for (const name of names) served.push(await serve(name));
    for (let rep = 1; rep <= reps; rep++) {
      for (const c of conns) {
        for (const s of served) {
          const row = await once(s, c, seconds);
          if (row === null) continue;
          console.error(JSON.stringify({ rep, ...row }));
          const key = `${s.name} ${c}`;
          runs.set(key, [...runs.get(key) ?? [], row]);
        }
      }
    }
  } finally {
    for (const s of served) {
      if (s.server !== null) await stop(s.server.child, s.server.drained);
      await Deno.remove(s.dir, { recursive: true });
    }
  }
  clearTimeout(watchdog);
  const rows = [...runs.values()].map(summarise);
  for (const row of rows) {
    console.log(JSON.stringify({ ...row, reps: runs.get(`${row.impl} ${row.conns}`)!.length }));
  }
  console.log(`\n${table(rows, names, conns)}\n`);
  console.log(
    `${how}. Medians over the repetitions; CPU per request: the server's processes' ` +
      `utime+stime over the run / requests; peak RSS: VmHWM after the first run at that count.`,
  );
}

if (import.meta.main) await main();
