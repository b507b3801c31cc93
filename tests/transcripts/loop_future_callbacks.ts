// Done callbacks are scheduled with callSoon, in registration order, never
// called inside setResult; on a done future, addDoneCallback schedules.
import { EventLoop, type Future, VirtualClock } from "../../mod.ts";
import { line } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const fut = loop.createFuture<number>();
  const one = (f: Future<number>) => print(line("one got", f.result()));
  const two = (f: Future<number>) => print(line("two got", f.result()));
  const three = () => print("three (removed: never printed)");
  const late = (f: Future<number>) => print(line("late got", f.result()));
  const setter = () => {
    print("set_result");
    fut.setResult(7);
    print(line("after set_result, done:", fut.done()));
    loop.callSoon(print, "soon after set_result");
  };
  fut.addDoneCallback(one);
  fut.addDoneCallback(three);
  fut.addDoneCallback(two);
  fut.addDoneCallback(three);
  print(line("removed", fut.removeDoneCallback(three)));
  loop.callSoon(setter);
  loop.callSoon(print, "queued before set_result ran");
  loop.callLater(0.1, (cb: typeof late) => fut.addDoneCallback(cb), late);
  loop.callLater(0.1, print, "queued after add_done_callback");
  loop.callLater(0.2, () => loop.stop());
  await loop.runForever();
  loop.close();
}
