// The load client shared by every stream_echo bench: C connections, each
// sending N messages of M bytes and waiting for each echo before the next.
// It uses raw Deno.Conn so that it costs the servers under test the same.
// Usage: deno run --allow-net=127.0.0.1 bench/stream_echo_load.ts PORT C N M
// Prints {"roundTrips", "bytes", "seconds"} as JSON. Imported, it gives the
// configurations and `runLoad`, which runs it as a separate process.
import { cpuSeconds, type Target } from "./_common.ts";

/** One load: a name, the server's mode, C connections × N messages of M bytes. */
export interface LoadConfig {
  name: string;
  mode: "lines" | "bulk";
  conns: number;
  count: number;
  size: number;
}

/** What the load client measured. */
export interface LoadResult {
  roundTrips: number;
  bytes: number;
  seconds: number;
}

/** The loads every stream_echo bench runs (shared with the Python peer). */
export function configs(): LoadConfig[] {
  const all: LoadConfig[] = JSON.parse(
    Deno.readTextFileSync(new URL("./stream_echo_configs.json", import.meta.url)),
  );
  // STREAM_ECHO_ONLY=bulk64k_c10,... picks some (for profiling).
  const only = Deno.env.get("STREAM_ECHO_ONLY")?.split(",");
  return only === undefined ? all : all.filter((c) => only.includes(c.name));
}

/**
 * Run the load client against `port` in its own process; `serverCpu` is
 * the CPU seconds this (the server's) process spent meanwhile, a figure
 * less shaken by a busy machine than the wall-clock rate.
 */
export async function runLoad(
  port: number,
  cfg: LoadConfig,
): Promise<LoadResult & { serverCpu: number }> {
  const cpu0 = cpuSeconds();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      new URL(import.meta.url).pathname,
      ...[port, cfg.conns, cfg.count, cfg.size].map(String),
    ],
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`load client failed for ${cfg.name}`);
  return { ...JSON.parse(new TextDecoder().decode(out.stdout)), serverCpu: cpuSeconds() - cpu0 };
}

/**
 * Print one result line in bench/README.md's format, as bench
 * `<prefix>_<load>` (the Python peers name theirs the same way).
 */
export function emitLoad(
  impl: string,
  cfg: LoadConfig,
  r: LoadResult & { serverCpu: number },
  prefix = "stream_echo",
  target?: Target,
): void {
  const bulk = cfg.mode === "bulk";
  console.log(JSON.stringify({
    bench: `${prefix}_${cfg.name}`,
    impl,
    ops: bulk ? r.bytes / 2 ** 20 : r.roundTrips,
    seconds: r.seconds,
    unit: bulk ? "MiB/s" : "round trips/s",
    extra: {
      conns: cfg.conns,
      count: cfg.count,
      size: cfg.size,
      serverCpuUsPerRoundTrip: (r.serverCpu / r.roundTrips) * 1e6,
      target,
    },
  }));
}

function message(size: number, seed: number): Uint8Array {
  // Printable bytes ending with a newline, so line servers can echo them.
  const msg = new Uint8Array(size);
  for (let i = 0; i < size - 1; i++) msg[i] = 97 + ((i + seed) % 26);
  msg[size - 1] = 10;
  return msg;
}

async function client(port: number, count: number, size: number, id: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const msg = message(size, id);
  const got = new Uint8Array(size);
  const buf = new Uint8Array(Math.max(size, 65536));
  for (let i = 0; i < count; i++) {
    await conn.write(msg);
    let have = 0;
    while (have < size) {
      const n = await conn.read(buf);
      if (n === null) throw new Error(`server closed after ${have} bytes`);
      got.set(buf.subarray(0, n), have);
      have += n;
    }
    if (i === 0 && got.some((b, j) => b !== msg[j])) throw new Error("echo corrupted");
  }
  conn.close();
}

if (import.meta.main) {
  const [port, conns, count, size] = Deno.args.map(Number);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conns }, (_, i) => client(port, count, size, i)));
  const seconds = (performance.now() - t0) / 1000;
  const bytes = 2 * conns * count * size;
  console.log(JSON.stringify({ roundTrips: conns * count, bytes, seconds }));
}
