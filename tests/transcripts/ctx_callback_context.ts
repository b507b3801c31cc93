// A callback runs in a copy of the context it was scheduled in, made when it
// was scheduled; with a context (CPython's context=, here a trailing
// CallbackOptions), in that context, where what it sets stays.
import {
  CallbackOptions,
  Context,
  ContextVar,
  copyContext,
  getRunningLoop,
  run,
  sleep,
  VirtualClock,
} from "../../mod.ts";

const variable = new ContextVar<string>("var", { default: "unset" });

export default async function (print: (line: string) => void): Promise<void> {
  const show = (label: string) => print(`${label} sees ${variable.get()}`);
  const setIt = (value: string) => {
    variable.set(value);
    print(`set ${value}`);
  };

  await run(async () => {
    const loop = getRunningLoop();
    variable.set("before");
    loop.callSoon(show, "soon");
    variable.set("after");
    loop.callSoon(setIt, "in callback");
    loop.callSoon(show, "next callback");
    const ctx = copyContext();
    ctx.run(() => variable.set("ctx"));
    const inCtx = new CallbackOptions({ context: ctx });
    loop.callSoon(show, "soon in ctx", inCtx);
    loop.callSoon(setIt, "callback in ctx", inCtx);
    loop.callLater(0.01, show, "later in ctx", inCtx);
    loop.callAt(loop.time() + 0.02, show, "at", new CallbackOptions({ context: new Context() }));
    loop.callSoonThreadsafe(show, "threadsafe in ctx", inCtx);
    await sleep(0.05);
    print(`ctx holds ${ctx.get(variable)} main holds ${variable.get()}`);
  }, { clock: new VirtualClock() });
}
