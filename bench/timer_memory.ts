// Bytes per pending TimerHandle: 100,000 callLater timers, V8 heap growth
// after a full GC (run with --v8-flags=--expose-gc). Peer: timer_memory.py.
import { EventLoop } from "../mod.ts";
import { emit, heapAfterGc } from "./_common.ts";

const N = 100_000;

function noop(): void {}

function pendingTimerBytes(n: number): number {
  const loop = new EventLoop();
  const before = heapAfterGc();
  for (let i = 0; i < n; i++) loop.callLater(1 + i / n, noop);
  const bytes = heapAfterGc() - before;
  if (loop.scheduledHandles().length !== n) throw new Error("timers went missing");
  loop.close();
  return bytes;
}

pendingTimerBytes(N / 10); // warm-up (compiled code lands on the heap), as the peer does
const bytes = pendingTimerBytes(N);
emit({
  bench: "timer_memory",
  ops: N,
  seconds: 0,
  unit: "B/timer",
  value: bytes / N,
  lower: true,
  target: { max: 200 },
  extra: { heap_bytes: bytes },
});
