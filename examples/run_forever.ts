// The seed's "event loops" example: schedule `createTask` itself with
// `callSoon`, stop the loop with `callLater(2, stop)`, and `runForever`.
// Prints "Finished sleeper with delay: 1" and returns after 2 s.
//
//   deno run examples/run_forever.ts             (real time: 2 s)
//   deno run examples/run_forever.ts --virtual   (virtual clock: instant)
import { EventLoop, getEventLoop, setEventLoop, sleep, VirtualClock } from "../mod.ts";

if (Deno.args.includes("--virtual")) setEventLoop(new EventLoop({ clock: new VirtualClock() }));

async function sleeper(delay: number): Promise<void> {
  await sleep(delay);
  console.log(`Finished sleeper with delay: ${delay}`);
}

const loop = getEventLoop();
const start = loop.time();
// As `loop.call_soon(loop.create_task, sleeper(1))`: the task is created on
// the loop's first iteration, from a callback.
loop.callSoon((coro) => loop.createTask(coro), () => sleeper(1));
loop.callLater(2, () => loop.stop());
await loop.runForever();
console.log(`Stopped at ${(loop.time() - start).toFixed(1)} s`);
loop.close();
