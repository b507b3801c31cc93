// Shared helpers of the bench/*.ts files (see bench/README.md for the
// line format that bench/run.ts reads).
import process from "node:process";

/** What a bench must reach; ratios are ours / peer (see bench/README.md). */
export interface Target {
  /** Ratio to CPython asyncio (both interpreters): at least this, or at most if `lower`. */
  asyncio?: number;
  /** Ratio to uvloop: at least this, or at most if `lower`. */
  uvloop?: number;
  /** Our value must stay under this (with `lower`), e.g. bytes. */
  max?: number;
  /**
   * Ratio to the raw Deno ceiling: the row `<rawBench> (deno-raw)` (a line
   * with impl "deno-raw" from the same run); at least this.
   */
  raw?: number;
  /** The bench whose "deno-raw" row is the ceiling; this bench's own if unset. */
  rawBench?: string;
}

/** One result line. */
export interface BenchLine {
  bench: string;
  ops: number;
  seconds: number;
  unit: string;
  /** The figure compared, when it is not `ops / seconds` (e.g. bytes per timer). */
  value?: number;
  /** True when a smaller value is better (memory). */
  lower?: boolean;
  target?: Target;
  extra?: Record<string, unknown>;
}

/**
 * Print one result line, as the Python peers' `emit`. `impl` other than
 * "deno" (e.g. "deno-floor", a ceiling) makes a row of its own.
 */
export function emit(line: BenchLine, impl = "deno"): void {
  const { target, extra, ...rest } = line;
  console.log(JSON.stringify({ ...rest, impl, extra: { ...extra, target } }));
}

/** CPU time of this process (user + system), in seconds. */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Bytes in use after a full collection (needs `--v8-flags=--expose-gc`):
 * V8's heap and the memory outside it that V8 accounts for (typed arrays'
 * buffers, where the loop keeps its timers).
 */
export function heapAfterGc(): number {
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  for (let i = 0; i < 3; i++) gc();
  const { heapUsed, external } = Deno.memoryUsage();
  return heapUsed + external;
}

/** A seeded pseudo-random generator in [0, 1) (mulberry32), so runs are comparable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
