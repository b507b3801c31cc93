// The seed's "simple example of single-threaded parallel processing": three
// sleepers awaited together with `wait`. They finish in the order 1, 2, 3,
// about 3 s after the start in total, on one thread.
//
//   deno run examples/sleepers.ts             (real time: ~3 s)
//   deno run examples/sleepers.ts --virtual   (virtual clock: instant)
import { EventLoop, getEventLoop, setEventLoop, sleep, VirtualClock, wait } from "../mod.ts";

if (Deno.args.includes("--virtual")) setEventLoop(new EventLoop({ clock: new VirtualClock() }));

async function sleeper(delay: number): Promise<void> {
  await sleep(delay); // a plain busy wait would hold the thread; this lets others run
  console.log(`Finished sleeper with delay: ${delay}`);
}

const loop = getEventLoop();
const start = loop.time();
await loop.runUntilComplete(() => wait([1, 3, 2].map((d) => loop.createTask(() => sleeper(d)))));
console.log(`Total: ${(loop.time() - start).toFixed(1)} s`);
loop.close();
