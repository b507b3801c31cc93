// callSoon dispatch: "bulk" schedules N callbacks then runs them; "chain"
// has each callback schedule the next. Peer: callsoon.py. Then bulk again
// with a context variable set ("callsoon_bulk_ctxvar"): each callback then
// keeps a copy of the context and runs in it, as asyncio's always do.
import { ContextVar, EventLoop } from "../mod.ts";
import { emit } from "./_common.ts";

const N = 1_000_000;
const TARGET = { asyncio: 10, uvloop: 1 };

type Result = { seconds: number; extra: Record<string, number> };

async function bulk(n: number): Promise<Result> {
  const loop = new EventLoop();
  let count = 0;
  const tick = () => {
    count++;
  };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) loop.callSoon(tick);
  loop.callSoon(() => loop.stop());
  const t1 = performance.now();
  await loop.runForever();
  const t2 = performance.now();
  loop.close();
  if (count !== n) throw new Error(`bulk ran ${count} of ${n}`);
  return { seconds: (t2 - t0) / 1000, extra: { schedule_s: (t1 - t0) / 1000 } };
}

async function chain(n: number): Promise<Result> {
  const loop = new EventLoop();
  let count = 0;
  const tick = () => {
    if (++count < n) loop.callSoon(tick);
    else loop.stop();
  };
  const t0 = performance.now();
  loop.callSoon(tick);
  await loop.runForever();
  const seconds = (performance.now() - t0) / 1000;
  loop.close();
  if (count !== n) throw new Error(`chain ran ${count} of ${n}`);
  return { seconds, extra: {} };
}

for (const [name, fn] of [["callsoon_bulk", bulk], ["callsoon_chain", chain]] as const) {
  await fn(N / 10); // warm-up, as the peer does
  const { seconds, extra } = await fn(N);
  emit({ bench: name, ops: N, seconds, unit: "calls/s", target: TARGET, extra });
}

// Last: once a variable is set, the loop carries contexts for the rest of the process.
new ContextVar<string>("requestId").set("bench");
await bulk(N / 10);
const { seconds, extra } = await bulk(N);
emit({ bench: "callsoon_bulk_ctxvar", ops: N, seconds, unit: "calls/s", extra });
