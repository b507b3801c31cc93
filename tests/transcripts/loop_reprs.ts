// Handle, TimerHandle, Future and Task reprs show their arguments and results
// as reprlib.repr does (asyncio's format_helpers), and so does the
// "Exception in callback" message.
import { createTask, getRunningLoop, run, RuntimeError, sleep, VirtualClock } from "../../mod.ts";

class Point {
  toString(): string {
    return "Point(1, 2)";
  }
}

// The deadline is the clock's; CPython's task repr has a coro= naming where
// the coroutine is defined (ours names only the function): print neither.
const plain = (r: string) => r.replace(/when=[0-9.]+/, "when=T").replace(/ coro=\S+/, "");

// A no-op named as the Python side's callback, so that the reprs read alike.
function print(..._args: unknown[]): void {}

function boom(..._args: unknown[]): void {
  throw new RuntimeError("boom");
}

export default async function (out: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    loop.setExceptionHandler((_loop, context) => out(`handler: ${context.message}`));
    const cases: unknown[][] = [
      [[1, 2], "x"],
      [{ b: 1, a: [null, true] }],
      [undefined, false, true, 1.5, -3, 0.1 + 0.2, Infinity, NaN],
      [[[1, [2, [3]]], []]],
      [[[[[[[[1]]]]]]]],
      ["it's", 'say "hi"', "tab\there\n", "both ' and \""],
      ["a".repeat(50)],
      [Array.from({ length: 10 }, (_, i) => i)],
      [new Map(Array.from({ length: 6 }, (_, i) => [`k${i}`, i]))],
      [new Set([3, 1, 2]), new Set()],
      [new Uint8Array([97, 98, 0, 39]), new Uint8Array(40).fill(120)],
      [new RuntimeError("bad"), new Point()],
      [2n ** 150n],
    ];
    for (const args of cases) {
      const h = loop.callSoon(print, ...args);
      out(plain(String(h)));
      h.cancel();
    }
    const t = loop.callLater(10, print, [1, 2], { a: null });
    out(plain(String(t)));
    t.cancel();

    for (const result of [[1, { a: null }], undefined, "x".repeat(40), { nested: [[1], {}] }]) {
      const f = loop.createFuture();
      f.setResult(result);
      out(String(f));
    }
    const f = loop.createFuture();
    f.setException(new RuntimeError("bad"));
    out(String(f));
    f.exception();

    async function work(x: unknown): Promise<unknown> {
      return await Promise.resolve(x);
    }
    let task = createTask(() => work([1, { a: false }]), { name: "w" });
    await task;
    out(plain(String(task)));
    task = createTask(() => work(null), { name: "n" });
    await task;
    out(plain(String(task)));

    loop.callSoon(boom, [1, 2], { a: undefined }, null, true, "x");
    loop.callLater(0.01, boom, [[1]], new Uint8Array([10]));
    await sleep(0.1);
  }, { clock: new VirtualClock() });
}
