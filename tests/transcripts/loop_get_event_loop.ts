// get_event_loop() outside a running loop, from a fresh process on (CPython 3.13).
// The scenario needs a process whose current loop was never set, so the test runs this file in one.
import {
  type EventLoop,
  Future,
  getEventLoop,
  getRunningLoop,
  newEventLoop,
  run,
  RuntimeError,
  setEventLoop,
  VirtualClock,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";

function scenario(print: (line: string) => void): Promise<void> {
  const attempt = (what: string, fn: () => EventLoop) => {
    try {
      print(line(what, "->", fn().isClosed() ? "a closed loop" : "an open loop"));
    } catch (e) {
      if (!(e instanceof RuntimeError)) throw e;
      print(line(what, "-> RuntimeError:", e.message));
    }
  };
  attempt("fresh process", getEventLoop);
  const first = getEventLoop();
  print(line("the same loop again:", getEventLoop() === first));
  first.close();
  print(line("a closed current loop is returned:", getEventLoop() === first));
  setEventLoop(null);
  attempt("after set_event_loop(None)", getEventLoop);
  attempt("a Future without a loop", () => new Future().getLoop());
  const loop = newEventLoop();
  setEventLoop(loop);
  print(line("after set_event_loop(loop):", getEventLoop() === loop));
  return run(() => {
    print(line("inside run(), the running loop:", getEventLoop() === getRunningLoop()));
  }, { clock: new VirtualClock() }).then(() => {
    attempt("after run()", getEventLoop);
    print(line("run() left the loop it replaced open:", !loop.isClosed()));
    loop.close();
  });
}

if (import.meta.main) await scenario(console.log);

export default async function (print: (line: string) => void): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", import.meta.url],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  for (const l of new TextDecoder().decode(out.stdout).split("\n").slice(0, -1)) print(l);
  if (!out.success) throw new Error(`the scenario's process exited with ${out.code}`);
}
