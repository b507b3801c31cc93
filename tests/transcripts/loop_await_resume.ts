// A task resumes on the loop after the future it awaits is done; the code
// after the await runs as part of that step, before the next handle.
import { EventLoop, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const fut = loop.createFuture<string>();
  const inner = async (name: string) => {
    const done = loop.createFuture<null>();
    done.setResult(null);
    await done; // a done future does not suspend the task
    print(`${name} inner ran without suspending`);
  };
  const waiter = async (name: string) => {
    print(`${name} waits`);
    const value = await fut;
    print(`${name} resumed with ${value}`);
    await inner(name);
    loop.callSoon(print, `${name} scheduled after resuming`);
    print(`${name} ends its step`);
  };
  const setter = () => {
    fut.setResult("x");
    print("setter set the result");
    loop.callSoon(print, "scheduled after set_result");
  };
  loop.createTask(() => waiter("w1"));
  loop.callSoon(print, "cb between tasks");
  loop.createTask(() => waiter("w2"));
  loop.callSoon(setter);
  loop.callLater(0.1, () => loop.stop());
  await loop.runForever();
  loop.close();
}
