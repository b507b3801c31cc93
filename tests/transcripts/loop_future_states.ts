// Future states and the errors of a wrong-state call.
import { CancelledError, EventLoop, InvalidStateError, VirtualClock } from "../../mod.ts";
import { line, ValueError } from "./loop_fmt.ts";

export default function (print: (line: string) => void): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const attempt = (what: string, fn: () => unknown) => {
    try {
      print(line(what, "->", fn()));
    } catch (e) {
      if (
        !(e instanceof InvalidStateError || e instanceof CancelledError ||
          e instanceof ValueError)
      ) throw e;
      print(`${what} -> ${e.name}: ${e.message}`);
    }
  };
  const f = loop.createFuture<number>();
  print(
    line("pending: done", f.done(), "cancelled", f.cancelled(), "loop ok", f.getLoop() === loop),
  );
  attempt("result()", () => f.result());
  attempt("exception()", () => f.exception());
  f.setResult(1);
  print(line("finished: done", f.done(), "cancelled", f.cancelled()));
  attempt("result()", () => f.result());
  attempt("exception()", () => f.exception());
  attempt("set_result(2)", () => f.setResult(2));
  attempt("set_exception()", () => f.setException(new ValueError("late")));
  attempt("cancel()", () => f.cancel());

  const g = loop.createFuture();
  g.setException(new ValueError("bad"));
  attempt("exception()", () => {
    const e = g.exception() as Error;
    return `${e.name}: ${e.message}`;
  });
  attempt("result()", () => g.result());

  const c = loop.createFuture();
  attempt('cancel("why")', () => c.cancel("why"));
  attempt("cancel() again", () => c.cancel());
  print(line("cancelled: done", c.done(), "cancelled", c.cancelled()));
  attempt("result()", () => c.result());
  attempt("exception()", () => c.exception());
  attempt("set_result(3)", () => c.setResult(3));
  loop.close();
  return Promise.resolve();
}
