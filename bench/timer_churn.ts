// Cancelled-timer churn: 1,000,000 callLater + cancel pairs, in batches of
// 1,000 per callback, while 10 live timers keep firing every millisecond.
// Peer: timer_churn.py.
import { EventLoop, type TimerHandle } from "../mod.ts";
import { emit } from "./_common.ts";

const N = 1_000_000;
const BATCH = 1_000;
const LIVE = 10;

function noop(): void {}

async function churn(n: number) {
  const loop = new EventLoop();
  let pairs = 0;
  let liveFired = 0;
  let done = false;
  const live: TimerHandle[] = [];
  const tick = (k: number) => {
    liveFired++;
    if (!done) live[k] = loop.callLater(0.001, tick, k);
  };
  const batch = () => {
    for (let i = 0; i < BATCH; i++, pairs++) {
      loop.callLater(1 + (pairs & 1023) / 1024, noop).cancel();
    }
    if (pairs < n) {
      loop.callSoon(batch);
    } else {
      done = true;
      for (const timer of live) timer.cancel();
      loop.stop();
    }
  };
  const t0 = performance.now();
  for (let k = 0; k < LIVE; k++) live[k] = loop.callLater(0.001, tick, k);
  loop.callSoon(batch);
  await loop.runForever();
  const seconds = (performance.now() - t0) / 1000;
  loop.close();
  return { seconds, liveFired };
}

await churn(N / 10); // warm-up, as the peer does
const { seconds, liveFired } = await churn(N);
emit({
  bench: "timer_churn",
  ops: N,
  seconds,
  unit: "pairs/s",
  extra: { live_fired: liveFired },
});
