// Is the server fair between connections under wrk -c1000? One HTTP server
// of bench/_http_servers.ts in this process, wrk as a child, and every
// Deno.Conn read instrumented (issue 15; bench/README.md, "Fairness at 1,000
// connections").
//
//   sh -c 'ulimit -n 8192; deno run -A bench/_fair_probe.ts protocol|streams|raw [--conns 1000] [--seconds 3]'
//
// Prints one JSON object:
// - requestsPerConn: reads completed per connection over the run
//   (percentiles): far apart when some connections starve;
// - gapsMs: time between two reads of one connection completing;
// - servedPer100ms: how many distinct connections were served in each 100 ms;
// - eagerShare: reads that completed when issued (Deno polls an op once at
//   dispatch: a read whose data has arrived, and whose socket Deno has seen
//   readable since, completes there and then);
// - batches: the reads Deno completes together in one call into JavaScript
//   (the size is capped by tokio's budget of 128 per poll);
// - earlyShare: reads issued before the reply to the connection's last
//   request was written (its client cannot have sent the next one yet);
// - laterMs: dispatch-to-completion of the other reads.
import { startProtocolServer, startRawServer, startStreamsServer } from "./_http_servers.ts";
import { run } from "../mod.ts";
import { wrk } from "./http_wrk.ts";

const args = Deno.args;
const impl = args[0] ?? "protocol";
const opt = (name: string, dflt: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt;
const conns = opt("--conns", 1000);
const seconds = opt("--seconds", 3);

// Deno does not export its Conn class: find the prototype that owns read().
async function connPrototype(): Promise<{ read: Deno.Conn["read"] }> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const c = await Deno.connect({ hostname: "127.0.0.1", port: (l.addr as Deno.NetAddr).port });
  const s = await l.accept();
  let p = Object.getPrototypeOf(c);
  while (!Object.hasOwn(p, "read")) p = Object.getPrototypeOf(p);
  c.close();
  s.close();
  l.close();
  return p;
}

const proto = await connPrototype() as { read: Deno.Conn["read"]; write: Deno.Conn["write"] };
const realRead = proto.read;
const realWrite = proto.write;
// Reads issued before the reply to the last request was written: the
// client cannot have sent the next one yet.
let early = 0;
let issued = 0;
const owesReply = new WeakSet<object>();
proto.write = function (this: Deno.Conn, buf: Uint8Array) {
  owesReply.delete(this);
  return realWrite.call(this, buf);
};
const ids = new WeakMap<object, number>();
let nextId = 0;
const perConn: { reads: number; last: number }[] = [];
const gaps: number[] = [];
const eagerMs: number[] = [];
const laterMs: number[] = [];
const WINDOW_MS = 100;
const windows: Set<number>[] = [];
let t0 = 0;
let measuring = false;
// A batch: the reads Deno resolves in one call (before any reaction runs);
// the first reaction of a batch queues a microtask, which runs after them.
let batchOpen = false;
let inBatch = 0;
const batchSizes: number[] = [];
function closeBatch() {
  batchOpen = false;
  batchSizes.push(inBatch);
  inBatch = 0;
}

proto.read = function (this: Deno.Conn, buf: Uint8Array) {
  let id = ids.get(this);
  if (id === undefined) {
    ids.set(this, id = nextId++);
    perConn[id] = { reads: 0, last: NaN };
  }
  const c = perConn[id];
  const start = performance.now();
  if (measuring) {
    issued++;
    if (owesReply.has(this)) early++;
  }
  const p = realRead.call(this, buf);
  // An op that completed at dispatch settles within the microtask
  // checkpoint that issued it, before this chain of microtasks runs out; a
  // pending one completes in a later call from Rust.
  let chainDone = false;
  let hops = 0;
  const chain = () => {
    if (++hops > 50) chainDone = true;
    else queueMicrotask(chain);
  };
  queueMicrotask(chain);
  return p.then((n) => {
    if (!measuring) return n;
    const now = performance.now();
    if (n !== null && n > 0) {
      owesReply.add(this);
      c.reads++;
      if (!Number.isNaN(c.last)) gaps.push(now - c.last);
      c.last = now;
      (windows[Math.floor((now - t0) / WINDOW_MS)] ??= new Set()).add(id);
    }
    if (!chainDone) eagerMs.push(now - start);
    else {
      if (!batchOpen) {
        batchOpen = true;
        queueMicrotask(closeBatch);
      }
      inBatch++;
      laterMs.push(now - start);
    }
    return n;
  });
};

function pct(xs: number[], ps = [0, 10, 50, 90, 99, 100]): Record<string, number> {
  const v = xs.slice().sort((a, b) => a - b);
  const out: Record<string, number> = { n: v.length };
  for (const p of ps) {
    const x = v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))];
    out[`p${p}`] = v.length === 0 ? NaN : +x.toFixed(3);
  }
  return out;
}

async function load(port: number) {
  await wrk(port, 50, 1); // warm-up, not measured
  t0 = performance.now();
  measuring = true;
  const w = await wrk(port, conns, seconds);
  measuring = false;
  const elapsed = performance.now() - t0;
  const served = perConn.filter((c) => c !== undefined && c.reads > 0);
  const result = {
    impl,
    conns,
    wrk: { rps: w.rps, p50Ms: w.p50Ms, p99Ms: w.p99Ms, errors: w.errors },
    requestsPerConn: pct(served.map((c) => c.reads)),
    gapsMs: pct(gaps, [50, 90, 99, 99.9, 100]),
    servedPer100ms: Array.from(
      { length: Math.ceil(elapsed / WINDOW_MS) },
      (_, i) => windows[i]?.size ?? 0,
    ).join(" "),
    earlyShare: +(early / issued).toFixed(3),
    eagerShare: +(eagerMs.length / (eagerMs.length + laterMs.length)).toFixed(3),
    batches: pct(batchSizes),
    laterMs: pct(laterMs),
  };
  console.log(JSON.stringify(result, null, 1));
}

if (impl === "raw") {
  const { listener } = startRawServer();
  await load((listener.addr as Deno.NetAddr).port);
  listener.close();
} else {
  await run(async () => {
    const server = impl === "streams" ? await startStreamsServer() : await startProtocolServer();
    await load((server.sockets[0] as Deno.NetAddr).port);
    server.close();
  });
}
Deno.exit(0); // the raw server's connections are not closed by anyone
