// The js prompt (section 3 of issue 18): variables stay from line to line,
// a line runs as if inside the loop, an await at the prompt runs the loop,
// and what js code schedules is named as it was written.
import { assert, assertEquals } from "./_assert.ts";
import { drive, open, within } from "./_repl.ts";
import { compileLine } from "../repl/js_compile.ts";

Deno.test("js: what a line declares is there on the next (const, let, destructuring, function, class)", async () => {
  const { out, session } = await drive(
    "js const x = 5",
    "js x",
    "js let { a, b: [c] } = { a: 1, b: [2] }",
    "js a + c",
    "js function twice(n: number): number { return 2 * n }",
    "js twice(x)",
    "js class Greeter { hi() { return 'hi' } }",
    "js new Greeter().hi()",
    // Declared again, as deno repl allows: the new value.
    "js const x = 6",
    "js x",
    "js let unset",
    "js unset === undefined",
  );
  assertEquals(out, ["5", "3", "10", '"hi"', "6", "true"]);
  assertEquals(session.errors, 0);
});

Deno.test("js: a closure one line made reads the variable live on later lines", async () => {
  const { out } = await drive(
    "js let count = 0",
    "js loop.callSoon(function bump() { count++ }); loop.callSoon(function bump() { count++ })",
    "run",
    "js count",
    "js count = 10",
    "js const read = () => count",
    "js count++",
    "js read()",
  );
  assertEquals(out.slice(1), ["2", "10", "10", "11"]);
});

Deno.test("js: a name of the REPL's cannot be declared; an unknown name is a ReferenceError; the host's globals stay", async () => {
  const { out } = await drive(
    "js const loop = 1",
    "js nothingHere",
    "js const Map = 'mine'",
    "js Map",
    "js typeof globalThis.Map",
    // An assignment to a global's name shadows it in the scope; the host keeps its own.
    "js Set = 1",
    "js [Set, typeof globalThis.Set]",
  );
  assertEquals(out, [
    "error: js: loop is the REPL's (loop, asyncio, console, $, lecture, setTimeout, " +
    "setInterval, clearTimeout, clearInterval): choose another name",
    "error: js: ReferenceError: nothingHere is not defined",
    '"mine"',
    '"function"',
    "1",
    '[ 1, "function" ]',
  ]);
});

Deno.test("js: after reset, loop is the new loop and the variables are still there", async () => {
  const { out } = await drive(
    "js const first = loop",
    "reset",
    "js first === loop",
    "js first.isClosed()",
  );
  assertEquals(out.slice(1), ["false", "true"]);
});

Deno.test("js: asyncio.createTask at the prompt makes the task on the REPL's loop; its step waits for run", async () => {
  const { out } = await drive(
    "js const t = asyncio.createTask(async function hello() { console.log('hello') })",
    "js asyncio.getRunningLoop() === loop",
    "queue",
    "run",
    "js t.done()",
  );
  assertEquals(out.map((line) => line.replace(/Task-\d+/, "Task-N")), [
    "true",
    "ready queue: 1 (runs in this order)",
    "  #1 Task-N hello (task step)",
    "timer heap: 0",
    "hello",
    "— nothing left to run at t=0.000: 0 callbacks and 1 task step ran in 1 iteration; " +
    "left 0 ready, 0 timers, 0 tasks",
    "true",
  ]);
});

Deno.test("js: await asyncio.gather(...) at the prompt runs the loop until it is done, recorded for timeline", async () => {
  const { out } = await drive(
    "js await asyncio.gather(asyncio.sleep(1, 'a'), asyncio.sleep(2, 'b'))",
    "timeline last",
  );
  assertEquals(out.slice(0, 3), [
    "— stopped: what the js line awaits is done at t=2.000: 5 callbacks and 0 task steps ran in " +
    "5 iterations; left 0 ready, 0 timers, 0 tasks",
    '[ "a", "b" ]',
    "timeline of js await asyncio.gather(asyncio.sleep(1, '…: t=0.000 → 2.000 (2.000 s), 5 rows " +
    "(0 with tasks), 5 iterations; one column = 0.033 s",
  ]);
  // The library's own callbacks, in words: gather hearing of a child, the line resuming.
  const rows = out.slice(5, -1).map((line) => line.replace(/\s+[█·─]+$/, ""));
  assertEquals(rows, [
    "#1 sleep(1)",
    "#3 gather: child done",
    "#2 sleep(2)",
    "#4 gather: child done",
    "#5 await resumes",
  ]);
});

Deno.test("js: an await at the prompt that the loop cannot finish stops with the run, and says so", async () => {
  const { out } = await drive("call_later 1 a", "js await loop.createFuture()", "js 'after'");
  assertEquals(out.slice(1), [
    "Started a at 1.0",
    "Finished a at 1.0",
    "— nothing left to run, so the REPL stopped the loop (as run does) at t=1.000: 1 callback " +
    "and 0 task steps ran in 1 iteration; left 0 ready, 0 timers, 0 tasks",
    "js: the loop stopped before what the line awaits was done (its code goes on when that is " +
    "done, in a later run or step)",
    '"after"',
  ]);
});

Deno.test("js: queue and tasks name what was written: a callback's source, a task's coroutine, a gather's children", async () => {
  const { out } = await drive(
    "js loop.callLater(1, () => console.log('hi'))",
    "js loop.createTask(async () => { await asyncio.gather(asyncio.sleep(2), asyncio.sleep(3)) })",
    "step",
    "queue",
    "tasks",
  );
  // (Task numbers count the process's tasks.)
  assertEquals(out.slice(3).map((line) => line.replace(/Task-\d+/, "Task-N")), [
    "ready queue: 0",
    "timer heap: 3 (in firing order)",
    "  t=1.000 (+1.000)  #1 () => console.log('hi')",
    "  t=2.000 (+2.000)  #3 sleep(2) [task #2 Task-N async () => { await asyncio.gather(asyn…]",
    "  t=3.000 (+3.000)  #4 sleep(3) [task #2 Task-N async () => { await asyncio.gather(asyn…]",
    "tasks: 1 pending",
    "  #2 Task-N async () => { aw…  awaiting gather(#3 sleep(2), #4 sleep(3))",
  ]);
});

Deno.test("js: await loop.runForever() without a stop runs until interrupted; the REPL goes on", async () => {
  const repl = open({ virtual: false });
  // Ctrl-C in a terminal is interrupt() (see repl_pty_test.ts for the key itself).
  const out = await within(repl.session, 300, () =>
    repl.type(
      "js let ticks = 0",
      "js loop.callSoon(function tick() { ticks++; loop.callLater(0.01, tick) })",
      "js await loop.runForever()",
    ));
  assert(/^— interrupted at t=\d+\.\d{3}: /.test(out.at(-1)!), out.join("\n"));
  const after = await repl.type("js ticks > 10", "call_soon after", "step");
  assertEquals(after[0], "true");
  assert(/^#\d+ call_soon after → ready queue \(position 1\)$/.test(after[1]), after[1]);
  assert(after.some((line) => line.startsWith("Finished after at ")), after.join("\n"));
  await repl.session.close();
});

Deno.test("js: the transpiler gives one top-level statement per line at two spaces (js_compile.ts relies on it)", async () => {
  const { declares } = await compileLine(
    "const a: number = 1; let { b, c } = { b: 2, c: 3 }; function f() {} class K {} var v",
  );
  assertEquals(declares, ["a", "f", "K", "v"]);
});
