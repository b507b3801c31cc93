// An exception in a callback goes to the exception handler; the loop goes on.
import { EventLoop, type ExceptionContext, VirtualClock } from "../../mod.ts";
import { line, ValueError } from "./loop_fmt.ts";

class KeyError extends Error {
  override name = "KeyError";
}

export default async function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const handler = (_loop: EventLoop, context: ExceptionContext) => {
    const exc = context.exception as Error;
    const keys = Object.keys(context).sort().map((k) => `'${k}'`).join(", ");
    print(`handler: ${context.message} | ${exc.name}: ${exc.message} | [${keys}]`);
  };
  function boom(n: number): never {
    throw new ValueError(`boom ${n}`);
  }
  loop.setExceptionHandler(handler);
  print(line("handler set:", loop.getExceptionHandler() === handler));
  loop.callSoon(boom, 1);
  loop.callSoon(print, "after boom 1");
  loop.callLater(0.1, boom, 2);
  loop.callLater(0.1, print, "after boom 2");
  loop.callLater(0.2, () => loop.stop());
  await loop.runForever();
  // Python's str(KeyError('k')) is "'k'".
  loop.callExceptionHandler({ message: "by hand", exception: new KeyError("'k'") });
  loop.close();
}
