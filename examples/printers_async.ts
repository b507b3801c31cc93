// The seed's second printer example: the same four printers, but each
// awaits `sleep(0.2)` instead of blocking, so they interleave:
// starts at 0.0, 0.0, 0.1, 0.2 and finishes at 0.2, 0.2, 0.3, 0.4.
//
// As written in the seed, `printer` uses `await` inside a plain function,
// which Python rejects; what it means is a coroutine run as a task, so each
// scheduled callback starts the printer as a task.
//
//   deno run examples/printers_async.ts             (real time: 1 s)
//   deno run examples/printers_async.ts --virtual   (virtual clock: exact, instant)
import { EventLoop, getEventLoop, setEventLoop, sleep, VirtualClock } from "../mod.ts";

if (Deno.args.includes("--virtual")) setEventLoop(new EventLoop({ clock: new VirtualClock() }));

const loop = getEventLoop();
const t = loop.time();
const at = () => (loop.time() - t).toFixed(1);

async function printer(name: string): Promise<void> {
  console.log(`Started ${name} at ${at()}`);
  await sleep(0.2);
  console.log(`Finished ${name} at ${at()}`);
}

const startPrinter = (name: string) => loop.createTask(() => printer(name));
loop.callAt(loop.time() + .2, startPrinter, "call_at");
loop.callLater(.1, startPrinter, "call_later");
loop.callSoon(startPrinter, "call_soon");
loop.callSoonThreadsafe(startPrinter, "call_soon_threadsafe");

// Make sure we stop after a second
loop.callLater(1, () => loop.stop());
await loop.runForever();
loop.close();
