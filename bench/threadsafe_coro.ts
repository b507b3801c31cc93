// runCoroutineThreadsafe from a Worker. Peer: threadsafe_coro.py (a thread
// calling asyncio.run_coroutine_threadsafe).
//
// - threadsafe_coro_sync: the Worker makes 5,000 calls one after another,
//   each `runCoroutineThreadsafe(noop, port, i).result()` (a blocking wait:
//   Atomics.wait on the shared Int32, then receiveMessageOnPort); round
//   trips per second, timed inside the Worker (the thread in the peer).
// - threadsafe_coro_pipelined: the Worker submits 20,000 calls at once,
//   then takes each result in order; calls per second.
//
// The coroutine returns its argument without awaiting, as the peer's
// `async def noop(x): return x`: what is measured is the crossing.
import { EventLoop, loopPort } from "../mod.ts";
import { emit } from "./_common.ts";

const SYNC = 5_000;
const PIPELINED = 20_000;

/** Run `mode` with `n` calls in a Worker against `loop`; the seconds it measured. */
async function inWorker(loop: EventLoop, mode: string, n: number): Promise<number> {
  const worker = new Worker(new URL("./_threadsafe_coro_worker.ts", import.meta.url), {
    type: "module",
  });
  const seconds = new Promise<number>((resolve) => {
    worker.onmessage = (e) => {
      resolve(e.data);
      loop.stop();
    };
  });
  const port = loopPort(loop);
  worker.postMessage({ port, mode, n }, [port]);
  await loop.runForever();
  worker.terminate();
  return await seconds;
}

const loop = new EventLoop();
await inWorker(loop, "sync", SYNC / 10); // warm-up
emit({
  bench: "threadsafe_coro_sync",
  ops: SYNC,
  seconds: await inWorker(loop, "sync", SYNC),
  unit: "round trips/s",
  extra: { caller: "Worker, result() on Atomics.wait" },
});
await inWorker(loop, "pipelined", PIPELINED / 10);
emit({
  bench: "threadsafe_coro_pipelined",
  ops: PIPELINED,
  seconds: await inWorker(loop, "pipelined", PIPELINED),
  unit: "calls/s",
  extra: { caller: "Worker, all submitted, then result() in order" },
});
loop.close();
