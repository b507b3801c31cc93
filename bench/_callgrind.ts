// Callgrind's counts per function, with V8's compiled JavaScript named.
//
// A callgrind dump names machine code it has no symbols for by its address
// (V8's compiled functions, and all of the stripped `deno` binary). Run
// with `--v8-flags=--perf-basic-prof`, V8 writes `/tmp/perf-PID.map`: the
// address range and name of each function it compiles. This sums a dump's
// own (exclusive) instruction counts per function, naming the addresses
// that fall in a range of that map; the rest keep their address (V8's
// builtins and runtime, the collector, Deno's Rust code).

/** Instructions (`Ir`) per function of one callgrind dump. */
export function functionCounts(dumpPath: string, perfMapPath: string): Map<string, number> {
  const name = jitNamer(perfMapPath);
  const names = new Map<string, string>();
  const counts = new Map<string, number>();
  let current = "";
  let afterCalls = false;
  for (const line of Deno.readTextFileSync(dumpPath).split("\n")) {
    // `fn=(7) name` defines a compressed name, `fn=(7)` reuses it; a
    // callee line (`cfn=`) defines names too.
    const fn = line.match(/^(c?)fn=\((\d+)\)(?: (.*))?$/);
    if (fn !== null) {
      if (fn[3] !== undefined) names.set(fn[2], name(fn[3]));
      if (fn[1] === "") current = names.get(fn[2]) ?? fn[2];
      continue;
    }
    if (line.startsWith("calls=")) {
      afterCalls = true; // the next cost line is the call's inclusive cost
      continue;
    }
    if (!/^[\d+*-]/.test(line)) continue;
    if (afterCalls) {
      afterCalls = false;
      continue;
    }
    const ir = Number(line.split(" ")[1] ?? 0);
    counts.set(current, (counts.get(current) ?? 0) + ir);
  }
  return counts;
}

/** Names an address (`0x…`) by the perf map, without V8's tier marks; other names as they are. */
function jitNamer(perfMapPath: string): (raw: string) => string {
  const starts: number[] = [], ends: number[] = [], labels: string[] = [];
  const rows = Deno.readTextFileSync(perfMapPath).split("\n").map((l) => l.split(" "))
    .filter((r) => r.length >= 3)
    .map((r) => ({
      start: parseInt(r[0], 16),
      size: parseInt(r[1], 16),
      label: r.slice(2).join(" "),
    }))
    .sort((a, b) => a.start - b.start);
  for (const r of rows) {
    starts.push(r.start);
    ends.push(r.start + r.size);
    // "JS:*'name file:///…/lib/x.ts:1:2": the tier (*+^~) and the checkout's path dropped.
    labels.push(
      r.label.replace(/^JS:[*+^~']*/, "").replace(/file:\/\/\/\S*?\/(lib|bench)\//, "$1/"),
    );
  }
  return (raw) => {
    const hex = raw.match(/^0x([0-9a-fA-F]+)/);
    if (hex === null) return raw;
    const address = parseInt(hex[1], 16);
    let lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && address < ends[found] ? labels[found] : raw;
  };
}

/** The functions whose counts differ most from `base` to `other`, as table lines (millions). */
export function countDifferences(
  base: Map<string, number>,
  other: Map<string, number>,
  most: number,
): string[] {
  const names = new Set([...base.keys(), ...other.keys()]);
  const rows = [...names].map((n) => ({ n, a: base.get(n) ?? 0, b: other.get(n) ?? 0 }))
    .sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a))
    .slice(0, most);
  const m = (v: number) => (v / 1e6).toFixed(2).padStart(9);
  return rows.map((r) =>
    `${m(r.a)} ${m(r.b)} ${(r.b >= r.a ? "+" : "") + ((r.b - r.a) / 1e6).toFixed(2)}  ${r.n}`
  );
}
