// The seed's "event loop usage" example: four printers scheduled with
// `callAt(+0.2)`, `callLater(0.1)`, `callSoon` and `callSoonThreadsafe`,
// each blocking the thread for 0.2 s as `time.sleep(0.2)` does. A blocking
// callback blocks the whole loop, so they run one after another, 0.2 s
// apart, in the order soon, threadsafe, later, at:
//
//   Started call_soon at 0.0 / Finished call_soon at 0.2
//   Started call_soon_threadsafe at 0.2 / … / Finished call_at at 0.8
//
//   deno run examples/printers_blocking.ts             (real time: 1 s)
//   deno run examples/printers_blocking.ts --virtual   (virtual clock: exact, instant)
import { blockingSleep, EventLoop, getEventLoop, setEventLoop, VirtualClock } from "../mod.ts";

if (Deno.args.includes("--virtual")) setEventLoop(new EventLoop({ clock: new VirtualClock() }));

const loop = getEventLoop();
const t = loop.time();
const at = () => (loop.time() - t).toFixed(1);

function printer(name: string): void {
  console.log(`Started ${name} at ${at()}`);
  blockingSleep(0.2);
  console.log(`Finished ${name} at ${at()}`);
}

loop.callAt(loop.time() + .2, printer, "call_at");
loop.callLater(.1, printer, "call_later");
loop.callSoon(printer, "call_soon");
loop.callSoonThreadsafe(printer, "call_soon_threadsafe");

// Make sure we stop after a second
loop.callLater(1, () => loop.stop());
await loop.runForever();
loop.close();
