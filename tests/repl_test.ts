// The REPL session, driven without a terminal: lines in, output lines out.
import { assert, assertEquals } from "./_assert.ts";
import { drive, open, within } from "./_repl.ts";
import { Session } from "../repl/session.ts";
import { parse } from "../repl/parse.ts";
import { displayWidth, fmt } from "../repl/render.ts";
import { ASYNC_PRINTERS as ASYNC_SEED, BLOCKING_PRINTERS as BLOCKING_SEED } from "./_seed.ts";

// The legend names the marks a chart uses.
const RUNNING = "█ running (loop busy)";
const WAITING = "· ready, waiting for the loop";
const DUE = "▸ due time";
const AWAITING = "─ awaiting (loop free)";
const legend = (...marks: string[]) => [RUNNING, ...marks].join("  ");

function printers(work: string): string[] {
  return [
    `call_at +0.2 call_at ${work}`,
    `call_later 0.1 call_later ${work}`,
    `call_soon call_soon ${work}`,
    `call_soon_threadsafe call_soon_threadsafe ${work}`,
  ];
}

Deno.test("the blocking printers reproduce the seed's transcript exactly on the virtual clock", async () => {
  const { out, session } = await drive(...printers("block=0.2"), "run 1");
  assertEquals(out, [
    "#1 call_at call_at → timer heap, due at t=0.200",
    "#2 call_later call_later → timer heap, due at t=0.100",
    "#3 call_soon call_soon → ready queue (position 1)",
    "#4 call_soon_threadsafe call_soon_threadsafe → ready queue (position 2)",
    ...BLOCKING_SEED,
    // The REPL's own stop timer (run 1) is not counted: only iterations in which something ran.
    "— stopped after 1 s at t=1.000: 4 callbacks and 0 task steps ran in 2 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
  ]);
  assertEquals(session.errors, 0);
});

Deno.test("the async printers reproduce the seed's transcript exactly on the virtual clock", async () => {
  const { out } = await drive(...printers("sleep=0.2"), "run 1");
  assertEquals(out.slice(4), [
    ...ASYNC_SEED,
    "— stopped after 1 s at t=1.000: 8 callbacks and 8 task steps ran in 10 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
  ]);
});

Deno.test("timeline draws the blocking printers one after another; the timers wait from their due times", async () => {
  const { out } = await drive(...printers("block=0.2"), "run 1", "timeline");
  assertEquals(out.slice(-8), [
    "timeline since reset: t=0.000 → 1.000 (1.000 s), 4 rows (0 with tasks), 2 iterations; one column = 0.017 s",
    "                        0.0         0.2         0.4         0.6         0.8         1.0",
    "                        ├───────────┼───────────┼───────────┼───────────┼───────────┼",
    "#3 call_soon            ████████████",
    "#4 call_soon_threadsafe ············████████████",
    // Due at 0.1 and 0.2 (▸), ready and waiting (·) until the loop is free at 0.4 and 0.6.
    "#2 call_later                 ▸·················████████████",
    "#1 call_at                          ▸·······················████████████",
    legend(WAITING, DUE),
  ]);
});

Deno.test("timeline draws the async printers' awaits differently from their steps", async () => {
  const { out } = await drive(...printers("sleep=0.2"), "run 1", "set width 50", "timeline");
  assertEquals(out.slice(-9), [
    "width = 50",
    "timeline since reset: t=0.000 → 1.000 (1.000 s), 4 rows (4 with tasks), 10 iterations; one column = 0.020 s",
    "                        0.0       0.2       0.4       0.6       0.8       1.0",
    "                        ├─────────┼─────────┼─────────┼─────────┼─────────┼",
    "#3 call_soon            █─────────█",
    "#4 call_soon_threadsafe █─────────█",
    "#2 call_later                █─────────█",
    "#1 call_at                        █─────────█",
    legend(AWAITING),
  ]);
});

Deno.test("export writes the blocking printers as a Chrome trace: names, start times, durations", async () => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const { out } = await drive(...printers("block=0.2"), "run 1", `export ${file}`);
    assertEquals(
      out.at(-1),
      `export: wrote 7 events since reset to ${file}; open it in ui.perfetto.dev`,
    );
    const trace = JSON.parse(await Deno.readTextFile(file));
    assertEquals(trace.displayTimeUnit, "ms");
    const tracks = trace.traceEvents.filter((e: { name: string }) => e.name === "thread_name")
      .map((e: { tid: number; args: { name: string } }) => [e.tid, e.args.name]);
    assertEquals(tracks, [
      [1, "#3 call_soon"],
      [2, "#4 call_soon_threadsafe"],
      [3, "#2 call_later"],
      [4, "#1 call_at"],
    ]);
    const slices = trace.traceEvents.filter((e: { ph: string }) => e.ph === "X")
      .map((
        e: { name: string; cat: string; tid: number; ts: number; dur: number },
      ) => [e.tid, e.name, e.cat, e.ts, e.dur]);
    assertEquals(slices, [
      [1, "call_soon", "running", 0, 200000],
      [2, "ready", "ready", 0, 200000],
      [2, "call_soon_threadsafe", "running", 200000, 200000],
      [3, "ready", "ready", 100000, 300000], // due at 0.1
      [3, "call_later", "running", 400000, 200000],
      [4, "ready", "ready", 200000, 400000], // due at 0.2
      [4, "call_at", "running", 600000, 200000],
    ]);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("export writes a task's steps and awaits on the row of the callback that started it", async () => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await drive("call_later 0.1 p sleep=0.2", "run", `export ${file}`);
    const trace = JSON.parse(await Deno.readTextFile(file));
    const slices = trace.traceEvents.filter((e: { ph: string }) => e.ph === "X")
      .map((e: { name: string; tid: number; ts: number; dur: number; args: { id: number } }) => [
        e.tid,
        e.name,
        e.args.id,
        e.ts,
        e.dur,
      ]);
    assertEquals(slices, [
      [1, "p", 1, 100000, 0], // the callback, instant: it only creates the task
      [1, "p step", 2, 100000, 0],
      [1, "await", 2, 100000, 200000],
      [1, "p step", 2, 300000, 0],
    ]);
    assertEquals(trace.otherData.iterations, 4);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("demo sleepers: three sleepers finish in 3 s, in order of their delays", async () => {
  const { out } = await drive("demo sleepers");
  assertEquals(out, [
    "demo sleepers: the lecture's first example: three sleeper tasks (1, 3, 2 s) finish in 3 s, not 6 " +
    "(on a new virtual-clock loop)",
    "> create_task sleeper(1) sleep=1",
    "#1 create_task sleeper(1) → task sleeper(1), its first step in the ready queue (position 1)",
    "> create_task sleeper(3) sleep=3",
    "#2 create_task sleeper(3) → task sleeper(3), its first step in the ready queue (position 2)",
    "> create_task sleeper(2) sleep=2",
    "#3 create_task sleeper(2) → task sleeper(2), its first step in the ready queue (position 3)",
    "> run",
    "Started sleeper(1) at 0.0",
    "Started sleeper(3) at 0.0",
    "Started sleeper(2) at 0.0",
    "Finished sleeper(1) at 1.0",
    "Finished sleeper(2) at 2.0",
    "Finished sleeper(3) at 3.0",
    "— nothing left to run at t=3.000: 3 callbacks and 6 task steps ran in 7 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
    "> timeline",
    "timeline since reset: t=0.000 → 3.000 (3.000 s), 3 rows (3 with tasks), 7 iterations; one column = 0.050 s",
    "              0.0       0.5       1.0       1.5       2.0       2.5       3.0",
    "              ├─────────┼─────────┼─────────┼─────────┼─────────┼─────────┼",
    "#1 sleeper(1) █───────────────────█",
    "#2 sleeper(3) █──────────────────────────────────────────────────────────█",
    "#3 sleeper(2) █───────────────────────────────────────█",
    legend(AWAITING),
  ]);
});

Deno.test("demo cancel-task: the task's sleep is cancelled at 0.5 s", async () => {
  const { out, session } = await drive("demo cancel-task");
  assertEquals(out, [
    "demo cancel-task: a task cancelled mid-sleep: its await raises CancelledError at 0.5 s " +
    "(on a new virtual-clock loop)",
    "> create_task sleeper sleep=1",
    "#1 create_task sleeper → task sleeper, its first step in the ready queue (position 1)",
    "> js loop.callLater(0.5, function canceller() { $(1).cancel(); })",
    "#2 <TimerHandle when=0.5 canceller()>",
    "> queue",
    "ready queue: 1 (runs in this order)",
    "  #1 sleeper (task step)",
    "timer heap: 1 (in firing order)",
    "  t=0.500 (+0.500)  #2 canceller()",
    "> run",
    "Started sleeper at 0.0",
    "Cancelled sleeper at 0.5",
    "— nothing left to run at t=0.500: 1 callback and 2 task steps ran in 3 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
    "> timeline",
    "timeline since reset: t=0.000 → 0.500 (0.500 s), 2 rows (1 with tasks), 3 iterations; one column = 0.0083 s",
    "               0.0         0.1         0.2         0.3         0.4         0.5",
    "               ├───────────┼───────────┼───────────┼───────────┼───────────┼",
    "#1 sleeper     █──────────────────────────────────────────────────────────✕",
    "#2 canceller()                                                            █",
    legend(AWAITING, "✕ cancelled"),
  ]);
  assertEquals(session.errors, 0);
});

Deno.test("both printer demos print the lecture's transcripts", async () => {
  const blocking = (await drive("demo printers-blocking")).out;
  const async = (await drive("demo printers-async")).out;
  assertEquals(blocking.filter((l) => /^(Started|Finished) /.test(l)), BLOCKING_SEED);
  assertEquals(async.filter((l) => /^(Started|Finished) /.test(l)), ASYNC_SEED);
});

Deno.test("scheduling commands say where each handle went; camelCase spellings work", async () => {
  const { out } = await drive(
    "call_soon a",
    "callSoonThreadsafe b block=0.1",
    "callLater 0.5 c",
    "call_at 2 d sleep=1",
    "callAt +0.25 e",
    "create_task f",
    "js loop.time()",
    "CALL_SOON g",
  );
  assertEquals(out, [
    "#1 call_soon a → ready queue (position 1)",
    "#2 call_soon_threadsafe b → ready queue (position 2)",
    "#3 call_later c → timer heap, due at t=0.500",
    "#4 call_at d → timer heap, due at t=2.000",
    "#5 call_at e → timer heap, due at t=0.250",
    "#6 create_task f → task f, its first step in the ready queue (position 3)",
    "0",
    "#7 call_soon g → ready queue (position 4)",
  ]);
});

Deno.test("queue lists the ready queue in order and the heap in firing order", async () => {
  const { out } = await drive(
    "call_later 0.5 c",
    "call_soon a block=0.1",
    "call_at +0.25 e",
    "create_task t",
    "queue",
  );
  assertEquals(out.slice(4), [
    "ready queue: 2 (runs in this order)",
    "  #2 a block=0.1",
    "  #4 t (task step)",
    "timer heap: 2 (in firing order)",
    "  t=0.250 (+0.250)  #3 e",
    "  t=0.500 (+0.500)  #1 c",
  ]);
});

Deno.test("tasks shows each pending task's state and what it waits on", async () => {
  const { out } = await drive(
    "create_task s sleep=1",
    "create_task q",
    "js loop.createTask(() => loop.createFuture(), { name: 'stuck' })",
    "tasks",
    "step",
    "tasks",
    "cancel 1",
    "tasks",
  );
  assertEquals(out.slice(3), [
    "tasks: 3 pending",
    "  #1 s      ready: its first step is in the ready queue",
    "  #2 q      ready: its first step is in the ready queue",
    "  #3 stuck  ready: its first step is in the ready queue",
    "Started s at 0.0",
    "Started q at 0.0",
    "Finished q at 0.0",
    "— iteration 1 at t=0.000 ran #1 s (step), #2 q (step), #3 stuck (step)",
    "tasks: 2 pending",
    "  #1 s      awaiting sleep(1): timer #4 due at t=1.000",
    "  #3 stuck  awaiting <Future pending>",
    "#1 s sleep=1: task cancel requested; its await raises CancelledError when the loop runs",
    "tasks: 2 pending",
    "  #1 s      ready: its next step is in the ready queue (cancel requested)",
    "  #3 stuck  awaiting <Future pending>",
  ]);
});

Deno.test("run without a time stops when nothing is left, and says which tasks are stuck", async () => {
  const { out } = await drive(
    "js loop.createTask(() => loop.createFuture(), { name: 'stuck' })",
    "run",
  );
  assertEquals(out.slice(1), [
    "— nothing left to run at t=0.000: 0 callbacks and 1 task step ran in 1 iteration; " +
    "left 0 ready, 0 timers, 1 task (it awaits something nothing scheduled will finish)",
  ]);
});

Deno.test("run without a time waits for a task awaiting a promise outside the loop", async () => {
  const { out } = await drive(
    "js loop.createTask(async () => { await new Promise((r) => setTimeout(r, 20)); " +
      "await asyncio.sleep(1); console.log('woke at', loop.time()); })",
    "run",
  );
  assertEquals(out.slice(1), [
    "woke at 1",
    // The step after the host timer ran outside the loop; it is counted too.
    "— nothing left to run at t=1.000: 1 callback and 3 task steps ran in 3 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
  ]);
});

Deno.test("run S stops after S seconds; what is left stays queued for the next run, in the same time base", async () => {
  const { out } = await drive("call_later 0.5 a", "call_later 2 b", "run 1", "queue", "run");
  assertEquals(out.slice(2), [
    "Started a at 0.5",
    "Finished a at 0.5",
    "— stopped after 1 s at t=1.000: 1 callback and 0 task steps ran in 1 iteration; " +
    "left 0 ready, 1 timer, 0 tasks",
    "ready queue: 0",
    "timer heap: 1 (in firing order)",
    "  t=2.000 (+1.000)  #2 b",
    // Loop time, as the prompt and the queue say it: not counted from this run's start.
    "Started b at 2.0",
    "Finished b at 2.0",
    "— nothing left to run at t=2.000: 1 callback and 0 task steps ran in 1 iteration; " +
    "left 0 ready, 0 timers, 0 tasks",
  ]);
});

Deno.test("step runs one iteration, listing what ran; on the virtual clock it jumps to the next timer", async () => {
  const { out } = await drive(
    "call_soon a",
    "call_soon b",
    "call_later 1 c",
    "step",
    "step",
    "step",
    "timeline",
  );
  assertEquals(out.slice(3), [
    "Started a at 0.0",
    "Finished a at 0.0",
    "Started b at 0.0",
    "Finished b at 0.0",
    "— iteration 1 at t=0.000 ran #1 a, #2 b",
    "Started c at 1.0",
    "Finished c at 1.0",
    "— iteration 2 at t=1.000 ran #3 c",
    "— step at t=1.000 ran nothing",
    "timeline since reset: t=0.000 → 1.000 (1.000 s), 3 rows (0 with tasks), 2 iterations; one column = 0.017 s",
    "         0.0         0.2         0.4         0.6         0.8         1.0",
    "         ├───────────┼───────────┼───────────┼───────────┼───────────┼",
    "#1 a     █",
    "#2 b     █",
    "#3 c                                                                █",
    RUNNING,
  ]);
});

Deno.test("stop before run makes the next run do one iteration, as asyncio", async () => {
  const { out } = await drive(
    "call_soon a",
    "js loop.callSoon(() => loop.callSoon(() => console.log('later')))",
    "stop",
    "run",
  );
  assertEquals(out.slice(2), [
    "stop: the loop is not running, so the next run or step does one iteration " +
    "(as loop.stop() before loop.run_forever())",
    "Started a at 0.0",
    "Finished a at 0.0",
    "— stopped by loop.stop() at t=0.000: 2 callbacks and 0 task steps ran in 1 iteration; " +
    "left 1 ready, 0 timers, 0 tasks",
  ]);
});

Deno.test("cancel stops a pending callback before it runs", async () => {
  const { out } = await drive("call_later 1 a", "cancel #1", "cancel 1", "run");
  assertEquals(out.slice(1), [
    "#1 a: cancelled; it will not run",
    "error: cancel: no pending callback or task #1; nothing is pending",
    "— nothing left to run at t=0.000: 0 callbacks and 0 task steps ran in 0 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
  ]);
});

Deno.test("a timer cancelled during a run shows as ✕ on the timeline", async () => {
  const { out } = await drive(
    "call_later 1 a",
    "call_later 0.5 b",
    "js loop.callLater(0.25, function canceller() { $(1).cancel(); })",
    "run",
    "timeline",
  );
  assertEquals(out.slice(3), [
    "Started b at 0.5",
    "Finished b at 0.5",
    "— nothing left to run at t=0.500: 2 callbacks and 0 task steps ran in 2 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
    "timeline since reset: t=0.000 → 0.500 (0.500 s), 3 rows (0 with tasks), 2 iterations; one column = 0.0083 s",
    "               0.0         0.1         0.2         0.3         0.4         0.5",
    "               ├───────────┼───────────┼───────────┼───────────┼───────────┼",
    "#3 canceller() " + " ".repeat(30) + "█", // 0.25 s of 0.5 s: column 30 of 60
    "#2 b           " + " ".repeat(59) + "█",
    "#1 a           " + " ".repeat(30) + "✕",
    legend("✕ cancelled"),
  ]);
});

Deno.test("reset and clock start a new loop and say what was dropped", async () => {
  const repl = open();
  assertEquals(await repl.type("call_soon a", "create_task t", "reset", "queue"), [
    "#1 call_soon a → ready queue (position 1)",
    "#2 create_task t → task t, its first step in the ready queue (position 2)",
    "reset: a new loop on the virtual clock at t=0.000 (dropped 2 ready, 0 timers, 1 task)",
    "ready queue: 0",
    "timer heap: 0",
  ]);
  assertEquals(await repl.type("clock virtual"), ["clock: already on the virtual clock"]);
  const [line] = await repl.type("clock real");
  assert(
    /^clock: a new loop on the real clock at t=\d+\.\d{3} \(dropped 0 ready, 0 timers, 0 tasks\)$/
      .test(line),
    line,
  );
  assertEquals(repl.session.clock, "real");
  assert(repl.session.prompt().startsWith("real t="));
  assertEquals(await repl.type("clock virtual"), [
    "clock: a new loop on the virtual clock at t=0.000 (dropped 0 ready, 0 timers, 0 tasks)",
  ]);
  repl.session.close();
});

Deno.test("the prompt shows the clock, the loop time and the queue sizes", async () => {
  const repl = open();
  assertEquals(repl.session.prompt(), "virtual t=0.000 ready=0 timers=0 tasks=0> ");
  await repl.type("call_soon a", "call_later 1 b", "create_task c sleep=2", "run 0.5");
  assertEquals(repl.session.prompt(), "virtual t=0.500 ready=0 timers=2 tasks=1> ");
  // Closed by js code: no counts (the close dropped them), until reset.
  await repl.type("js loop.close()");
  assertEquals(repl.session.prompt(), "virtual t=0.500 closed> ");
  await repl.type("reset");
  assertEquals(repl.session.prompt(), "virtual t=0.000 ready=0 timers=0 tasks=0> ");
  repl.session.close();
});

Deno.test("a run on the real clock really takes its time, and interrupt() stops it", async () => {
  const repl = open({ virtual: false });
  await repl.type("call_soon a block=0.05");
  const started = performance.now();
  const stopper = setTimeout(() => repl.session.interrupt(), 150);
  const out = await repl.type("run 30");
  clearTimeout(stopper);
  const elapsed = performance.now() - started;
  assert(elapsed >= 100 && elapsed < 10_000, `took ${elapsed} ms`);
  assertEquals(out[0], "Started a at 0.0");
  // 0.05 s of blocking, shown to the tenth (later on a loaded machine).
  assert(/^Finished a at 0\.[1-4]$/.test(out[1]), out[1]);
  assert(/^— interrupted at t=/.test(out[2]), out[2]);
  assertEquals(repl.session.interrupt(), false); // nothing left to stop
  repl.session.close();
});

Deno.test("js runs code with loop, asyncio, console and $ in scope; TypeScript works; promises are awaited", async () => {
  const { out, session } = await drive(
    "js 1 + 2",
    "js const n: number = 21; console.log(n * 2)",
    "js await Promise.resolve('awaited')",
    "js asyncio.VirtualClock.name",
    "call_soon a",
    "js $(1).describe()",
    "js $('#1').cancelled()",
    "js loop.callLater(0.3, () => console.log('hi'))",
    "queue",
    "run",
  );
  assertEquals(out, [
    "3",
    "42",
    '"awaited"',
    '"VirtualClock"',
    "#1 call_soon a → ready queue (position 1)",
    `"printer('a')"`,
    "false",
    "#2 <TimerHandle when=0.3 <anonymous>()>",
    "ready queue: 1 (runs in this order)",
    "  #1 a",
    "timer heap: 1 (in firing order)",
    // What the person wrote, not <anonymous>().
    "  t=0.300 (+0.300)  #2 () => console.log('hi')",
    "Started a at 0.0",
    "Finished a at 0.0",
    "hi",
    "— nothing left to run at t=0.300: 2 callbacks and 0 task steps ran in 2 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
  ]);
  assertEquals(session.errors, 0);
});

Deno.test("js errors and loop errors print one line and the REPL goes on", async () => {
  const { out, session } = await drive(
    "js 1 +",
    "js null.x",
    "js loop.callSoon(() => { throw new Error('boom'); })",
    "run",
    "call_soon after",
    "run",
  );
  assertEquals(out, [
    "error: js: SyntaxError: Expression expected",
    "error: js: TypeError: Cannot read properties of null (reading 'x')",
    "#1 <Handle <anonymous>()>",
    "error in the loop: Exception in callback <anonymous>(): Error: boom",
    "— nothing left to run at t=0.000: 1 callback and 0 task steps ran in 1 iteration; " +
    "left 0 ready, 0 timers, 0 tasks",
    "#2 call_soon after → ready queue (position 1)",
    "Started after at 0.0",
    "Finished after at 0.0",
    "— nothing left to run at t=0.000: 1 callback and 0 task steps ran in 1 iteration; " +
    "left 0 ready, 0 timers, 0 tasks",
  ]);
  assertEquals(session.errors, 2);
});

Deno.test("js lines run inside the loop: await asyncio.sleep runs it until done; run_until_complete(sleep(…)) works", async () => {
  const { out } = await drive(
    "js await asyncio.sleep(1, 'slept')",
    "js await loop.runUntilComplete(asyncio.sleep(0.5, 'v'))",
    "js await new Promise((r) => setTimeout(r, 10)); await asyncio.sleep(1)",
  );
  assertEquals(out, [
    "— stopped: what the js line awaits is done at t=1.000: 2 callbacks and 0 task steps ran " +
    "in 2 iterations; left 0 ready, 0 timers, 0 tasks",
    '"slept"',
    "— stopped: the future given to runUntilComplete is done at t=1.500: 2 callbacks and 0 task " +
    "steps ran in 2 iterations; left 0 ready, 0 timers, 0 tasks",
    '"v"',
    // After a host promise the line no longer runs inside the loop.
    "error: js: RuntimeError: no running event loop; the loop runs only during run and step: " +
    "put such code in a task, js loop.createTask(async () => { ... })",
  ]);
});

Deno.test("errors that js code throws later are reported as lines, not fatal", async () => {
  const repl = open();
  const stop = repl.session.guardHost();
  try {
    const out = await repl.type(
      "js setTimeout(() => { throw new Error('stray'); }, 0) && undefined",
      "js Promise.reject(new Error('nobody')) && undefined",
      "js await new Promise((r) => setTimeout(r, 50))",
      "call_soon alive",
    );
    // Which of the two is reported first depends on when Deno runs the timer.
    assertEquals(out.slice(0, 2).sort(), [
      "error: uncaught in js code: Error: stray",
      "error: unhandled rejection in js code: Error: nobody",
    ]);
    assertEquals(out[2], "#1 call_soon alive → ready queue (position 1)");
    assertEquals(repl.session.errors, 2);
  } finally {
    stop();
    repl.session.close();
  }
});

Deno.test("every kind of bad input gets one line saying what is wrong and what is right", async () => {
  const cases: Array<[string, string]> = [
    ["cal_soon x", "unknown command 'cal_soon'; did you mean call_soon? (help lists the commands)"],
    ["runn", "unknown command 'runn'; did you mean run? (help lists the commands)"],
    ["frobnicate", "unknown command 'frobnicate'; help lists the commands"],
    [
      "loop.call_soon(printer,",
      "unknown command 'loop.call_soon(printer,'; did you mean call_soon NAME [WORK], or js CODE?",
    ],
    ["call_soon", "call_soon: missing NAME; usage: call_soon NAME [WORK]"],
    ["call_soon block=1", "call_soon: missing NAME; usage: call_soon NAME [WORK]"],
    [
      "call_soon a b",
      "call_soon: WORK must be block=S, sleep=S, exec=S, popen=S (or nothing), got 'b'; usage: call_soon NAME [WORK]",
    ],
    ["call_soon a block=", "call_soon: missing S in block=S; usage: call_soon NAME [WORK]"],
    [
      "call_soon a sleep=x",
      "call_soon: S in sleep=S must be a number of seconds, got 'x'; usage: call_soon NAME [WORK]",
    ],
    [
      "call_soon a block=-1",
      "call_soon: S in block=S must not be negative, got -1; usage: call_soon NAME [WORK]",
    ],
    ["call_soon a block=1 c", "call_soon: too many arguments ('c'); usage: call_soon NAME [WORK]"],
    ["call_later", "call_later: missing DELAY; usage: call_later DELAY NAME [WORK]"],
    ["call_later 1", "call_later: missing NAME; usage: call_later DELAY NAME [WORK]"],
    [
      "call_later x a",
      "call_later: DELAY must be a number of seconds, got 'x'; usage: call_later DELAY NAME [WORK]",
    ],
    [
      "call_later Infinity a",
      "call_later: DELAY must be a number of seconds, got 'Infinity'; usage: call_later DELAY NAME [WORK]",
    ],
    [
      "call_later NaN a",
      "call_later: DELAY must be a number of seconds, got 'NaN'; usage: call_later DELAY NAME [WORK]",
    ],
    [
      "call_later 1e999 a",
      "call_later: DELAY must be finite, got '1e999'; usage: call_later DELAY NAME [WORK]",
    ],
    ["call_at", "call_at: missing WHEN; usage: call_at WHEN NAME [WORK]"],
    [
      "call_later 1 stop sleep=1",
      "call_later: too many arguments ('sleep=1'); usage: call_later DELAY NAME [WORK]",
    ],
    ["call_soon create_task", "call_soon: missing NAME; usage: call_soon NAME [WORK]"],
    [
      "call_soon a exec=0.1",
      "call_soon: exec=S runs a real process, which takes real time the virtual clock cannot wait for: type clock real first",
    ],
    ["why", "why: missing ID; usage: why ID"],
    ["why 99", "why: no callback or task #99 since reset"],
    ["timeline first", "timeline: expected last or nothing, got 'first'; usage: timeline [last]"],
    ["call_at + a", "call_at: missing +DELTA; usage: call_at WHEN NAME [WORK]"],
    [
      "call_at +x a",
      "call_at: +DELTA must be a number of seconds, got 'x'; usage: call_at WHEN NAME [WORK]",
    ],
    ["create_task", "create_task: missing NAME; usage: create_task NAME [WORK]"],
    ["run x", "run: S must be a number of seconds, got 'x'; usage: run [S]"],
    ["run -1", "run: S must not be negative, got -1; usage: run [S]"],
    ["run 1 2", "run: too many arguments ('2'); usage: run [S]"],
    ["step 2", "step: too many arguments ('2'); usage: step"],
    ["stop now", "stop: too many arguments ('now'); usage: stop"],
    ["cancel", "cancel: missing ID; usage: cancel ID"],
    [
      "cancel x",
      "cancel: ID must be a handle or task number such as 3 or #3, got 'x'; usage: cancel ID",
    ],
    ["cancel 42", "cancel: no pending callback or task #42; nothing is pending"],
    ["queue all", "queue: too many arguments ('all'); usage: queue"],
    ["timeline", "nothing has run yet: type run or step first"],
    ["timeline last", "nothing has run yet: type run or step first"],
    ["export", "export: missing FILE; usage: export FILE.json|FILE.html"],
    [
      "export trace.txt",
      "export: FILE must end in .json (a Chrome/Perfetto trace) or .html (the browser view), " +
      "got 'trace.txt'; usage: export FILE.json|FILE.html",
    ],
    ["export x.json", "nothing has run yet: type run or step first"],
    ["clock fast", "clock: expected real or virtual, got 'fast'; usage: clock [real|virtual]"],
    [
      'call_soon "h i"',
      `call_soon: NAME must be one word without quotes, '#' first or control characters, got "\\"h"; usage: call_soon NAME [WORK]`,
    ],
    [
      "create_task #5",
      `create_task: NAME must be one word without quotes, '#' first or control characters, got "#5"; usage: create_task NAME [WORK]`,
    ],
    ["set decimals", "set: missing N for decimals; usage: set [decimals N | width N|auto]"],
    [
      "demo",
      "demo: missing NAME (one of printers-blocking, printers-async, sleepers, cancel-task, subprocess, server); usage: demo NAME",
    ],
    [
      "demo nope",
      "demo: no demo 'nope'; demos: printers-blocking, printers-async, sleepers, cancel-task, subprocess, server; usage: demo NAME",
    ],
    ["load", "load: missing FILE; usage: load FILE"],
    [
      "load /nonexistent/x.txt",
      "load: cannot read /nonexistent/x.txt: NotFound: No such file or directory (os error 2): readfile '/nonexistent/x.txt'",
    ],
    ["help nope", "help: no command 'nope'; usage: help [COMMAND]"],
    ["help calsoon", "help: no command 'calsoon'; did you mean call_soon?; usage: help [COMMAND]"],
    ["js", "js: missing CODE, e.g. js loop.time(); usage: js CODE"],
    [
      "set width 5",
      "set: width must be a whole number from 20 to 400, got '5'; usage: set [decimals N | width N|auto]",
    ],
    [
      "set decimals 1.5",
      "set: decimals must be a whole number from 0 to 6, got '1.5'; usage: set [decimals N | width N|auto]",
    ],
    [
      "set colour on",
      "set: no setting 'colour'; settings: decimals, width; usage: set [decimals N | width N|auto]",
    ],
    ["exit now", "exit: too many arguments ('now'); usage: exit"],
  ];
  const repl = open();
  for (const [line, expected] of cases) {
    assertEquals(await repl.type(line), [`error: ${expected}`], line);
  }
  assertEquals(repl.session.errors, cases.length);
  assertEquals(repl.session.exited, false);
  assertEquals(await repl.type("call_soon still_alive"), [
    "#1 call_soon still_alive → ready queue (position 1)",
  ]);
  repl.session.close();
});

Deno.test("blank lines and comments are accepted and print nothing", async () => {
  const { out, session } = await drive("", "   ", "# a comment", "// another");
  assertEquals(out, []);
  assertEquals(session.errors, 0);
});

Deno.test("load runs a file of commands, naming the file and line of each bad one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/inner.txt`, "call_soon inner\n");
    await Deno.writeTextFile(
      `${dir}/script.txt`,
      `# printers\ncall_soon a\ncal_soon b\nload ${dir}/inner.txt\nrun\n`,
    );
    await Deno.writeTextFile(`${dir}/loop.txt`, `load ${dir}/loop.txt\n`);
    const { out, session } = await drive(`load ${dir}/script.txt`);
    assertEquals(out, [
      "#1 call_soon a → ready queue (position 1)",
      `error: ${dir}/script.txt:3: unknown command 'cal_soon'; did you mean call_soon? (help lists the commands)`,
      "#2 call_soon inner → ready queue (position 2)",
      `— load ${dir}/inner.txt: 1 line, 0 rejected`,
      "Started a at 0.0",
      "Finished a at 0.0",
      "Started inner at 0.0",
      "Finished inner at 0.0",
      "— nothing left to run at t=0.000: 2 callbacks and 0 task steps ran in 1 iteration; " +
      "left 0 ready, 0 timers, 0 tasks",
      `— load ${dir}/script.txt: 5 lines, 1 rejected`,
    ]);
    assertEquals(session.errors, 1);
    const nested = await drive(`load ${dir}/loop.txt`);
    assert(
      nested.out.some((l) => l.endsWith("load: files nested more than 8 deep")),
      nested.out.join("\n"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("interrupt() stops a long load after the current line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const total = 50_000;
    await Deno.writeTextFile(`${dir}/long.txt`, "call_soon x\n".repeat(total));
    // Ctrl-C comes as a host task. So it is queued at the first line, then the
    // first line outlasts a host slice, and the load must give Deno a turn soon
    // after: on a fast machine the whole file takes less than a slice.
    let text = "";
    let stopper: ReturnType<typeof setTimeout> | undefined;
    const session: Session = new Session({
      virtual: true,
      write: (t) => {
        text += t;
        if (stopper !== undefined) return;
        stopper = setTimeout(() => session.interrupt(), 0);
        const until = performance.now() + 60;
        while (performance.now() < until) { /* outlast the slice */ }
      },
    });
    await session.exec(`load ${dir}/long.txt`);
    clearTimeout(stopper);
    const out = text.split("\n").slice(0, -1);
    const last = out.at(-1)!;
    const m = /^— load .*long\.txt: interrupted after ([\d,]+) lines of 50,000 lines, 0 rejected$/
      .exec(last);
    assert(m !== null, last);
    assertEquals(out.length - 1, Number(m[1].replaceAll(",", "")));
    assert(out.length - 1 < total);
    assertEquals(session.interrupt(), false);
    session.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("help lists every command; help COMMAND explains one; set shows and changes settings", async () => {
  const { out } = await drive(
    "help",
    "help call_later",
    "set",
    "set decimals 3",
    "call_later 0.25 a",
    "run",
  );
  assert(out[0].startsWith("Commands"));
  for (
    const name of [
      "call_soon ",
      "call_soon_threadsafe ",
      "call_later ",
      "call_at ",
      "create_task ",
      "run ",
      "step ",
      "stop ",
      "cancel ",
      "why ",
      "reset ",
      "queue ",
      "tasks ",
      "timeline ",
      "export ",
      "clock ",
      "demo ",
      "load ",
      "js ",
      "set ",
      "help ",
      "exit ",
    ]
  ) {
    assert(out.some((l) => l.startsWith(`  ${name}`)), `help lacks ${name}`);
  }
  assert(out.includes("History: not kept."));
  const at = out.indexOf("call_later DELAY NAME [WORK]");
  const end = out.indexOf("  also spelled: callLater");
  assertEquals(out.slice(at, at + 2), [
    "call_later DELAY NAME [WORK]",
    "  schedule on the timer heap, due DELAY seconds from now (loop.call_later)",
  ]);
  assert(out[at + 2].startsWith("  WORK: nothing (instant), block=S"), out[at + 2]);
  assert(
    out.slice(at, end).includes(
      "  A DELAY of 0 or less is due now (it still waits behind the ready queue), as in asyncio.",
    ),
  );
  assertEquals(out[end - 1], "  example: call_later 0.1 c block=0.2");
  assertEquals(out.slice(end + 1), [
    "decimals 1, width auto",
    "decimals = 3",
    "#1 call_later a → timer heap, due at t=0.250",
    "Started a at 0.250",
    "Finished a at 0.250",
    "— nothing left to run at t=0.250: 1 callback and 0 task steps ran in 1 iteration; " +
    "left 0 ready, 0 timers, 0 tasks",
  ]);
});

Deno.test("exit sets exited and is accepted", async () => {
  const { out, session } = await drive("exit");
  assertEquals(out, []);
  assertEquals(session.exited, true);
});

Deno.test("tab completion offers commands, demo names, pending ids and settings", () => {
  const repl = open();
  const s = repl.session;
  assertEquals(s.complete("call_s"), [["call_soon ", "call_soon_threadsafe "], "call_s"]);
  assertEquals(s.complete("ti"), [["timeline "], "ti"]);
  assertEquals(s.complete("demo p"), [["printers-blocking", "printers-async"], "p"]);
  assertEquals(s.complete("help ca"), [[
    "call_soon",
    "call_soon_threadsafe",
    "call_later",
    "call_at",
    "cancel",
  ], "ca"]);
  assertEquals(s.complete("clock v"), [["virtual"], "v"]);
  assertEquals(s.complete("set w"), [["width"], "w"]);
  assertEquals(s.complete("run 1 x"), [[], "x"]);
  s.loop.callSoon(() => {});
  s.loop.callLater(1, () => {});
  assertEquals(s.complete("cancel "), [["1", "2"], ""]);
  assertEquals(s.complete("cancel #"), [["#1", "#2"], "#"]);
  s.close();
});

Deno.test("parse accepts every command form", () => {
  assertEquals(parse("call_at +0.2 a sleep=0.5"), {
    cmd: "schedule",
    method: "call_at",
    target: "printer",
    name: "a",
    work: { kind: "sleep", seconds: 0.5 },
    time: 0.2,
    relative: true,
  });
  assertEquals(parse("run"), { cmd: "run", seconds: null });
  assertEquals(parse("run .5"), { cmd: "run", seconds: 0.5 });
  assertEquals(parse("cancel #7"), { cmd: "cancel", id: 7 });
  assertEquals(parse("why 2"), { cmd: "why", id: 2 });
  assertEquals(parse("timeline"), { cmd: "timeline", last: false });
  assertEquals(parse("timeline last"), { cmd: "timeline", last: true });
  assertEquals(parse("set width auto"), { cmd: "set", setting: "width", value: null });
  // The lecture's idioms and its due-now times.
  assertEquals(parse("call_later 2 stop"), {
    cmd: "schedule",
    method: "call_later",
    target: "stop",
    name: "stop",
    work: { kind: "instant" },
    time: 2,
    relative: false,
  });
  assertEquals(parse("call_soon create_task s sleep=1"), {
    cmd: "schedule",
    method: "call_soon",
    target: "create_task",
    name: "s",
    work: { kind: "sleep", seconds: 1 },
    time: 0,
    relative: false,
  });
  assertEquals((parse("call_later -1 a") as { time: number }).time, -1);
  assertEquals((parse("call_at -5 a") as { time: number }).time, -5);
  assertEquals(parse("export my trace.json"), { cmd: "export", file: "my trace.json" });
  assertEquals(parse("js  loop.time()  "), { cmd: "js", code: "loop.time()" });
  assertEquals(parse("? run"), { cmd: "help", topic: "run" });
  assertEquals(parse("quit"), { cmd: "exit" });
});

Deno.test("100,000 callbacks from a load script run fast, and queue and timeline summarise", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lines = Array.from({ length: 100_000 }, (_, i) => `call_soon cb${i}`);
    await Deno.writeTextFile(`${dir}/load.txt`, lines.join("\n") + "\n");
    const repl = open();
    const started = performance.now();
    const loaded = await repl.type(`load ${dir}/load.txt`);
    const queue = await repl.type("queue");
    const ran = await repl.type("run");
    const seconds = (performance.now() - started) / 1000;
    assertEquals(loaded.length, 100_001);
    assertEquals(queue.length, 1 + 21 + 1);
    assertEquals(queue.slice(9, 14), [
      "  #9 cb8",
      "  #10 cb9",
      "  … 99,980 more rows …",
      "  #99991 cb99990",
      "  #99992 cb99991",
    ]);
    assertEquals(ran.length, 200_001);
    assertEquals(
      ran.at(-1),
      "— nothing left to run at t=0.000: 100,000 callbacks and 0 task steps ran in 1 iteration; " +
        "left 0 ready, 0 timers, 0 tasks",
    );
    const timeline = await repl.type("timeline");
    assertEquals(timeline.length, 3 + 41 + 1);
    assertEquals(
      timeline[0],
      "timeline since reset: t=0.000 → 0.000 (0.000 s), 100,000 rows (0 with tasks), 1 iteration",
    );
    assertEquals(timeline[3 + 20], "  … 99,960 more rows …");
    // About a second on a quiet machine; generous for two shared, busy cores.
    assert(seconds < 15, `took ${seconds.toFixed(2)} s`);
    console.log(`100,000 callbacks: load + queue + run in ${seconds.toFixed(2)} s`);
    repl.session.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repl: times print as Python's '%.1f' does: an exact halfway value rounds to even", () => {
  // Recorded with python3: ['%.*f' % (d, v) for v, d in cases]; Python says
  // '-0.0' for -0.04, which the REPL never prints.
  const cases: [number, number][] = [
    [0.25, 1],
    [0.35, 1],
    [0.75, 1],
    [2.5, 0],
    [3.5, 0],
    [-0.25, 1],
    [0.125, 2],
    [0.375, 2],
    [-0.04, 1],
    [0.1 + 0.15, 1],
    [1e-7, 3],
    [12.5, 0],
    [0.05, 1],
    [1.0625, 3],
  ];
  assertEquals(
    cases.map(([t, decimals]) => fmt(t, decimals)),
    [
      "0.2",
      "0.3",
      "0.8",
      "2",
      "4",
      "-0.2",
      "0.12",
      "0.38",
      "0.0",
      "0.2",
      "0.000",
      "12",
      "0.1",
      "1.062",
    ],
  );
});

Deno.test("timeline: what was already waiting when a run began is drawn from the run's start", async () => {
  // A task's await that began in an earlier run (and, on the real clock, a
  // callback queued before `run`) keeps its open slice into the new run.
  const { out } = await drive("create_task s sleep=2", "run 1", "run", "timeline last");
  const row = out.find((l) => l.startsWith("#1 s"))!;
  assert(/^#1 s +─+█$/.test(row), row);
});

Deno.test("load: a file's rejected count is its own lines, not those of files it loads", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const inner = `${dir}/inner.txt`, outer = `${dir}/outer.txt`;
    await Deno.writeTextFile(inner, "nonsense\nnonsense again\n");
    await Deno.writeTextFile(outer, `load ${inner}\nbogus\n`);
    const { out } = await drive(`load ${outer}`);
    assert(out.some((l) => l === `— load ${inner}: 2 lines, 2 rejected`), out.join("\n"));
    assert(out.some((l) => l === `— load ${outer}: 2 lines, 1 rejected`), out.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("real clock: output is flushed before a callback blocks the thread ('Started' shows first)", async () => {
  let text = "";
  const seenAtFlush: string[] = [];
  const session = new Session({
    write: (t) => (text += t),
    flush: () => seenAtFlush.push(text),
    virtual: false,
  });
  await session.exec("call_soon x block=0.01");
  await session.exec("run");
  session.close();
  assert(seenAtFlush.some((t) => t.endsWith("Started x at 0.0\n")), JSON.stringify(seenAtFlush));
});

Deno.test("cancel of a task that has not started says it will not start; tasks shows a gathered child's wait", async () => {
  const { out } = await drive(
    "create_task t sleep=1",
    "cancel 1",
    "run",
    "js globalThis.f = loop.createFuture(); globalThis.g = asyncio.gather(loop.createTask(async () => { await f; }))",
    "step",
    "tasks",
  );
  assert(
    out.includes(
      "#1 t sleep=1: task cancel requested; it will not start (it ends cancelled when the loop runs)",
    ),
    out.join("\n"),
  );
  assert(!out.some((l) => l.startsWith("Started t")), out.join("\n"));
  // The child's repr lists gather's done-callback after wait_for=<…>: only
  // the awaited future is shown.
  assert(
    out.some((l) => l.endsWith(" awaiting <Future pending>")),
    out.join("\n"),
  );
});

Deno.test("clock with no argument shows the clock", async () => {
  const { out } = await drive("clock");
  assertEquals(out, ["clock: virtual (clock real switches, with a new loop; help clock says why)"]);
});

Deno.test("a task that fails is said at the end of the run (not only when it is collected)", async () => {
  const { out } = await drive(
    'js loop.createTask(async () => { await asyncio.sleep(0.1); throw new Error("x"); }, { name: "bad" })',
    "run",
  );
  assertEquals(out.filter((l) => l.includes("failed")), ["#1 bad: the task failed: Error: x"]);
});

Deno.test("real clock: a step with nothing due says when the next timer is", async () => {
  const repl = open({ virtual: false });
  const out = await repl.type("call_later 1 y", "step", "reset");
  repl.session.close();
  const said =
    / ran nothing \(the next timer is due at t=\d\.\d{3}, in \d\.\d{3} s: step then, or run\)$/;
  assert(out.some((l) => said.test(l)), out.join("\n"));
});

Deno.test("timeline: wide characters in a name keep the bars aligned", async () => {
  const { out } = await drive("call_soon 日本語 block=0.1", "call_soon ab", "run", "timeline");
  const wide = out.find((l) => l.startsWith("#1 日本語"))!;
  const narrow = out.find((l) => l.startsWith("#2 ab"))!;
  // 日本語 takes six columns: both bars start at the same column.
  assertEquals(displayWidth(wide.slice(0, wide.indexOf("█"))), narrow.indexOf("·"));
});

Deno.test("timeline: tasks a task starts get rows; failures someone retrieved are not reported", async () => {
  const { out } = await drive(
    'js loop.createTask(() => asyncio.gather(() => asyncio.sleep(0.3), async () => { throw new Error("inner"); }, { returnExceptions: true }), { name: "gatherer" })',
    "run",
    "timeline",
  );
  assert(!out.some((l) => l.includes("the task failed")), out.join("\n"));
  assert(
    out.some((l) => l.startsWith("timeline since reset:") && l.includes("3 rows (3 with tasks)")),
    out.join("\n"),
  );
});

Deno.test("export: the slices of one track nest (real clock, a callback and the task it starts)", async () => {
  const repl = open({ virtual: false });
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await repl.type("demo printers-async", `export ${file}`);
    const trace = JSON.parse(await Deno.readTextFile(file));
    const byTrack = new Map<number, Array<[number, number]>>();
    for (const e of trace.traceEvents) {
      if (e.ph !== "X") continue;
      byTrack.set(e.tid, [...(byTrack.get(e.tid) ?? []), [e.ts, e.ts + e.dur]]);
    }
    for (const [tid, spans] of byTrack) {
      spans.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) {
        const [[, prevEnd], [start, end]] = [spans[i - 1], spans[i]];
        const nested = start >= spans[i - 1][0] && end <= prevEnd + 1e-6;
        assert(
          start >= prevEnd - 1e-6 || nested,
          `track ${tid}: ${spans[i - 1]} overlaps ${spans[i]}`,
        );
      }
    }
  } finally {
    repl.session.close();
    await Deno.remove(file);
  }
});

Deno.test("load: a relative path inside a loaded file is relative to that file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/inner.txt`, "call_soon from_inner\n");
    await Deno.writeTextFile(`${dir}/outer.txt`, "load inner.txt\n");
    const { out, session } = await drive(`load ${dir}/outer.txt`);
    assert(out.includes("#1 call_soon from_inner → ready queue (position 1)"), out.join("\n"));
    assertEquals(session.errors, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run without S waits for a js setTimeout that calls callSoonThreadsafe, and says it waited in real time", async () => {
  const repl = open();
  const out = await within(repl.session, 5_000, () =>
    repl.type(
      'js void setTimeout(() => loop.callSoonThreadsafe(function hi() { console.log("hi"); }), 30)',
      "run",
      "timeline",
    ));
  repl.session.close();
  assertEquals(out[0], "hi");
  assert(
    /^— nothing left to run at t=0\.000: 1 callback and 0 task steps ran in 1 iteration; left 0 ready, 0 timers, 0 tasks; waited 0\.\d{3} s of real time for js timers \(the virtual clock does not count it\)$/
      .test(out[1]),
    out[1],
  );
  assert(out.includes("#1 hi()  █"), out.join("\n"));
});

Deno.test("js: a js timer's value prints as one line saying what run does with it", async () => {
  const repl = open();
  const shown = await repl.type(
    "js globalThis.t = setTimeout(() => {}, 20)",
    "js clearTimeout(t)",
    "run",
  );
  repl.session.close();
  assert(
    /^setTimeout timer \d+ \(20 ms\): run waits for it \(clearTimeout to drop it\)$/.test(shown[0]),
    shown[0],
  );
  assert(!shown[1].includes("waited"), "a cleared timer is not waited for: " + shown[1]);
});

Deno.test("queue lists how many host timers of js code are pending", async () => {
  const { out } = await drive(
    "js void (globalThis.t = setTimeout(() => {}, 5000))",
    "queue",
    "js clearTimeout(t)",
    "queue",
  );
  assertEquals(out, [
    "ready queue: 0",
    "timer heap: 0",
    "host timers of js code: 1 pending (setTimeout/setInterval; run waits for them)",
    "ready queue: 0",
    "timer heap: 0",
  ]);
});

Deno.test("run waits for a js setInterval until it is cleared; interrupt() stops the wait; reset clears js timers", async () => {
  const repl = open();
  const out = await within(repl.session, 5_000, () =>
    repl.type(
      "js globalThis.n = 0; globalThis.iv = setInterval(() => { n++; if (n === 3) clearInterval(iv); " +
        "loop.callSoonThreadsafe(() => console.log('tick', n)); }, 5)",
      "run",
    ));
  assertEquals(out.slice(0, 3), ["tick 1", "tick 2", "tick 3"]);
  assert(out[3].startsWith("— nothing left to run at t=0.000: 3 callbacks and"), out[3]);
  const stopped = await within(
    repl.session,
    100,
    () => repl.type("js void setInterval(() => {}, 5)", "run"),
  );
  assert(
    /^— interrupted at t=0\.000: 0 callbacks and 0 task steps ran in 0 iterations; left 0 ready, 0 timers, 0 tasks, 1 js timer \(setTimeout\/setInterval\); waited 0\.\d{3} s of real time/
      .test(stopped[0]),
    stopped[0],
  );
  assertEquals(await repl.type("reset"), [
    "reset: a new loop on the virtual clock at t=0.000 (dropped 0 ready, 0 timers, 0 tasks, 1 js timer)",
  ]);
  repl.session.close();
});

Deno.test("js await loop.runForever() runs as run does: recorded, stopped when nothing is left, not left running", async () => {
  const repl = open();
  const out = await within(
    repl.session,
    5_000,
    () =>
      repl.type(
        "call_later 0.5 a",
        "js await loop.runForever()",
        "timeline last",
        "js loop.isRunning()",
        "run",
      ),
  );
  repl.session.close();
  assertEquals(out, [
    "#1 call_later a → timer heap, due at t=0.500",
    "Started a at 0.5",
    "Finished a at 0.5",
    "— nothing left to run, so the REPL stopped the loop (as run does) at t=0.500: " +
    "1 callback and 0 task steps ran in 1 iteration; left 0 ready, 0 timers, 0 tasks",
    "timeline of js await loop.runForever(): t=0.000 → 0.500 (0.500 s), 1 row (0 with tasks), " +
    "1 iteration; one column = 0.0083 s",
    "         0.0         0.1         0.2         0.3         0.4         0.5",
    "         ├───────────┼───────────┼───────────┼───────────┼───────────┼",
    "#1 a     " + " ".repeat(59) + "█",
    RUNNING,
    "false",
    "— nothing left to run at t=0.500: 0 callbacks and 0 task steps ran in 0 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
  ]);
});

Deno.test("js loop.runForever() without await: the line still waits for the loop it started", async () => {
  const repl = open();
  const out = await within(repl.session, 5_000, () =>
    repl.type(
      "js loop.callSoon(function x() { console.log('in the run'); })",
      "js void loop.runForever()",
      "js loop.isRunning()",
    ));
  repl.session.close();
  assertEquals(out.slice(1), [
    "in the run",
    "— nothing left to run, so the REPL stopped the loop (as run does) at t=0.000: " +
    "1 callback and 0 task steps ran in 1 iteration; left 0 ready, 0 timers, 0 tasks",
    "false",
  ]);
});

Deno.test("js loop.runUntilComplete(): its result, or asyncio's error once nothing is left; interrupt() stops it", async () => {
  const repl = open();
  const out = await within(repl.session, 5_000, () =>
    repl.type(
      "js await loop.runUntilComplete(async () => { await asyncio.sleep(1); return 'slept'; })",
      "js await loop.runUntilComplete(loop.createFuture())",
    ));
  assertEquals(out, [
    "— stopped: the future given to runUntilComplete is done at t=1.000: 2 callbacks and 2 task steps ran in 4 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
    '"slept"',
    "— nothing left to run, so the REPL stopped the loop (as run does) at t=1.000: " +
    "0 callbacks and 0 task steps ran in 0 iterations; left 0 ready, 0 timers, 0 tasks",
    "error: js: RuntimeError: Event loop stopped before Future completed.",
  ]);
  const stopped = await within(
    repl.session,
    100,
    () =>
      repl.type(
        "js void setInterval(() => {}, 5)",
        "js await loop.runUntilComplete(loop.createFuture())",
      ),
  );
  assert(/^— interrupted at t=1\.000: /.test(stopped[0]), stopped[0]);
  assertEquals(stopped[1], "error: js: RuntimeError: Event loop stopped before Future completed.");
  repl.session.close();
});

Deno.test("queue and tasks name the timers of js sleeps, timeouts and waits as the calls that made them", async () => {
  const repl = open();
  const out = await repl.type(
    "js loop.createTask(async () => { await asyncio.sleep(1); }, { name: 's' })",
    "js loop.createTask(() => asyncio.waitFor(loop.createFuture(), 2), { name: 'wf' })",
    "js loop.createTask(() => asyncio.timeout(3, () => asyncio.sleep(0.5)), { name: 'to' })",
    "js loop.createTask(() => asyncio.wait([loop.createFuture()], { timeout: 0.25 }), { name: 'w' })",
    "create_task own sleep=4",
    "step",
    "queue",
    "tasks",
    "js $(6)",
  );
  repl.session.close();
  assertEquals(out.slice(7, -1), [
    "ready queue: 0",
    "timer heap: 6 (in firing order)",
    "  t=0.250 (+0.250)  #10 wait(…, { timeout: 0.25 }) [task #4 w]",
    "  t=0.500 (+0.500)  #9 sleep(0.5) [task #3 to]",
    "  t=1.000 (+1.000)  #6 sleep(1) [task #1 s]",
    "  t=2.000 (+2.000)  #7 timeout(2) [task #2 wf]",
    "  t=3.000 (+3.000)  #8 timeout(3) [task #3 to]",
    "  t=4.000 (+4.000)  #11 sleep(4) [task #5 own]",
    "tasks: 5 pending",
    "  #1 s     awaiting sleep(1): timer #6 due at t=1.000",
    "  #2 wf    awaiting <Future pending>; timeout(2): timer #7 due at t=2.000",
    // A sleep inside a timeout: what wakes the task first, then its deadline.
    "  #3 to    awaiting sleep(0.5): timer #9 due at t=0.500; timeout(3): timer #8 due at t=3.000",
    "  #4 w     awaiting wait(…, { timeout: 0.25 }): timer #10 due at t=0.250",
    "  #5 own   awaiting sleep(4): timer #11 due at t=4.000",
  ]);
  // The handle itself still prints as asyncio's repr.
  assert(
    out.at(-1)!.startsWith("#6 <TimerHandle when=1 setResultUnlessDone(<SleepFuture"),
    out.at(-1),
  );
});

Deno.test("timeline: a task's code after a host await is drawn as its step, when it ran (outside the loop)", async () => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  const { out } = await drive(
    "js loop.createTask(async () => { await new Promise((r) => setTimeout(r, 20)); " +
      "asyncio.blockingSleep(0.5); await asyncio.sleep(0.5); }, { name: 'host' })",
    "run",
    "timeline",
    `export ${file}`,
  );
  const exported = JSON.parse(await Deno.readTextFile(file));
  await Deno.remove(file);
  const steps = exported.traceEvents.filter((e: { ph: string; name: string }) =>
    e.ph === "X" && e.name === "host step"
  );
  // The export marks the outside step (0 → 0.5 s) in its args.
  assertEquals(
    steps.map((
      e: { ts: number; dur: number; args: { outside?: boolean } },
    ) => [e.ts, e.dur, e.args.outside ?? false]),
    [[0, 0, false], [0, 500000, true], [1000000, 0, false]],
  );
  // Virtual clock: the host wait takes no loop time; the blocking half second
  // after it is the task's (outside) step, then it awaits the sleep.
  const row = out.find((line) => line.startsWith("#1 host"))!;
  const bars = row.slice("#1 host  ".length);
  const busy = bars.indexOf("─");
  assert(busy > bars.length * 0.4 && busy < bars.length * 0.6, row);
  assert(/^█+─+█$/.test(bars), row);
});

Deno.test("js: a line that fails after starting the loop still waits for that run; reset and run work after it", async () => {
  const repl = open({ virtual: false }); // on the real clock the run outlasts the line
  const out = await within(repl.session, 5_000, () =>
    repl.type(
      "js loop.callLater(0.05, () => console.log('fired')); loop.runForever(); throw new Error('boom')",
      "run",
      "reset",
    ));
  repl.session.close();
  assertEquals(out[0], "fired");
  assert(
    out[1].startsWith("— nothing left to run, so the REPL stopped the loop (as run does)"),
    out[1],
  );
  assertEquals(out[2], "error: js: Error: boom");
  assert(out[3].startsWith("— nothing left to run at t="), out[3]);
  assert(out[4].startsWith("reset: a new loop on the real clock"), out[4]);
  assertEquals(out.length, 5);
});

Deno.test("js: clearTimeout in the js scope clears only timers js code set (not the loop's own wake-up)", async () => {
  const repl = open({ virtual: false });
  const ids = Array.from({ length: 20 }, (_, i) => i + 1).join(", ");
  const out = await within(repl.session, 5_000, () =>
    repl.type(
      "call_later 0.2 a",
      `js setTimeout(() => { for (const id of [${ids}]) clearTimeout(id); }, 50) && undefined`,
      "run",
    ));
  repl.session.close();
  // Real clock: the printers' times are 0.2 s or a little later.
  assert(
    /^Started a at 0\.\d$/.test(out[1]) && /^Finished a at 0\.\d$/.test(out[2]),
    out.join("\n"),
  );
  assert(out[3].startsWith("— nothing left to run at t="), out[3]);
});

Deno.test("between commands: a task a host promise resumes is said; an overdue timer shows as late", async () => {
  const repl = open({ virtual: false });
  const out = await within(repl.session, 5_000, () =>
    repl.type(
      "js loop.createTask(async () => { await new Promise((r) => setTimeout(r, 20)); " +
        "asyncio.blockingSleep(0.05); await asyncio.sleep(0.01); }, { name: 'h' })",
      "step",
      "js await new Promise((r) => globalThis.setTimeout(r, 150))",
      "queue",
      "run",
    ));
  repl.session.close();
  const said = out.find((line) => line.includes("ran outside the loop")) ?? "";
  const match =
    /^— #1 h ran outside the loop at t=\d+\.\d{3} for (\d+\.\d{3}) s \(a host promise resumed it while no run was on\)$/
      .exec(said);
  // At least the blocking 0.05 s; no upper bound (a busy machine may stretch it).
  assert(match !== null && Number(match[1]) >= 0.05, out.join("\n"));
  assert(
    out.some((line) => /^ {2}t=\d+\.\d{3} \(late by \d+\.\d{3}\) {2}#2 sleep\(0\.01\)/.test(line)),
    out.join("\n"),
  );
});

Deno.test("real clock: loop time counts from reset; a timer due while no run was on is late, the axis shows ╌, why says so", async () => {
  const repl = open({ virtual: false });
  const out = await within(
    repl.session,
    5_000,
    () =>
      repl.type(
        "call_later 0.02 a",
        // Time passes at the prompt (an await would run the loop, which has a).
        "js const until = Date.now() + 200; while (Date.now() < until);",
        "run",
        "set width 40",
        "timeline",
        "why 1",
      ),
  );
  repl.session.close();
  const at = out.findIndex((line) => line.startsWith("timeline since reset: t=0.000 → 0.2"));
  assert(at >= 0, out.join("\n"));
  const [ticks, axis, row] = out.slice(at + 1, at + 4);
  assert(ticks.startsWith("         0.0"), ticks);
  // Not running from 0 until the run began (after the 0.2 s wait), then running.
  assert(/^ {9}├[╌┼]{20,}[─┼]*$/.test(axis), axis);
  // Due at 0.02 (column 4 of 40 over ~0.2 s), waiting until the run ran it.
  assert(/^#1 a {6,}▸·{20,}█{1,2}$/.test(row), row);
  assert(out[at + 4].endsWith("╌ loop not running (between commands)"), out[at + 4]);
  assert(
    /^#1 a: due 0\.02\d*, ran 0\.\d+, late 0\.\d+ s: the loop was not running 0\.02\d*–0\.\d+ \(between commands\)$/
      .test(out.at(-1)!),
    out.at(-1),
  );
});

Deno.test("reset after js loop.close() does not count the ready callbacks and timers the close dropped", async () => {
  const { out } = await drive(
    "call_later 5 a",
    "call_soon b",
    "create_task c",
    "js loop.close()",
    "reset",
  );
  assertEquals(out.slice(3), [
    "reset: a new loop on the virtual clock at t=0.000 (dropped 0 ready, 0 timers, 1 task)",
  ]);
});

Deno.test("a step that fails leaves no record: timeline shows the run or steps before it", async () => {
  const closedFirst = await drive("call_soon a", "js loop.close()", "step", "timeline last");
  assertEquals(closedFirst.out.slice(1), [
    "error: step: RuntimeError: Event loop is closed; the loop was closed: type reset for a new one",
    "error: nothing has run yet: type run or step first; the loop was closed: type reset for a new one",
  ]);
  const afterSteps = await drive("call_soon a", "step", "js loop.close()", "step", "timeline last");
  assertEquals(afterSteps.out.slice(5), [
    "timeline of 1 step: t=0.000 → 0.000 (0.000 s), 1 row (0 with tasks), 1 iteration",
    "         0.0",
    "         ├────────────────────────────────────────────────────────────",
    "#1 a     █",
    RUNNING,
  ]);
  // The run's record is whole again, with the task's first step before the step began.
  const afterRun = await drive(
    "create_task x sleep=1",
    "run 0.5",
    "js loop.close()",
    "step",
    "timeline last",
  );
  assertEquals(afterRun.out.slice(4), [
    "timeline of run 0.5: t=0.000 → 0.500 (0.500 s), 1 row (1 with tasks), 1 iteration; one column = 0.0083 s",
    "         0.0         0.1         0.2         0.3         0.4         0.5",
    "         ├───────────┼───────────┼───────────┼───────────┼───────────┼",
    "#1 x     █" + "─".repeat(59),
    legend(AWAITING),
  ]);
});

Deno.test("a run on a closed loop leaves no record either: timeline shows the run before it", async () => {
  const { out } = await drive(
    "call_soon a",
    "run",
    "js loop.close()",
    "run 1",
    "run",
    "timeline last",
  );
  assertEquals(out.slice(4, 6), [
    "error: run: RuntimeError: Event loop is closed; the loop was closed: type reset for a new one",
    "error: run: RuntimeError: Event loop is closed; the loop was closed: type reset for a new one",
  ]);
  assert(out[6].startsWith("timeline of run: t=0.000 → 0.000 (0.000 s), 1 row"), out[6]);
});

Deno.test("js: statements ending in a setTimeout or setInterval call print the timer's line, as the call alone does", async () => {
  const repl = open();
  const out = await repl.type(
    "js let n = 0; setInterval(() => n++, 100)",
    "js setTimeout(() => {}, 100);",
    "js 1; setTimeout(() => { setTimeout(() => {}, 1); }, 200);",
    // The last statement is not the call: nothing, as before.
    "js let m = setTimeout(() => {}, 100); m",
    "js let s = 'a; setTimeout(f)'",
    "js let q = 1; // setTimeout(() => {}, 100)",
    "js let r = 1; setTimeout(() => {}, 100) && undefined",
    "reset",
  );
  repl.session.close();
  assertEquals(out.map((line) => line.replace(/timer \d+/, "timer N")), [
    "setInterval timer N (100 ms): run waits for it (clearInterval to drop it)",
    "setTimeout timer N (100 ms): run waits for it (clearTimeout to drop it)",
    "setTimeout timer N (200 ms): run waits for it (clearTimeout to drop it)",
    "reset: a new loop on the virtual clock at t=0.000 (dropped 0 ready, 0 timers, 0 tasks, 5 js timers)",
  ]);
});

// ---- Issue #22: lateness, one time base, the lecture's idioms, text that fits ----

Deno.test("lateness: a timer due while a callback blocks waits (·) from its due time (▸); why names who held the loop", async () => {
  const { out } = await drive(
    "call_soon hog block=0.3",
    "call_later 0.1 late",
    "run",
    "timeline",
    "why 2",
    "why 1",
  );
  assertEquals(out.slice(-8), [
    "timeline since reset: t=0.000 → 0.300 (0.300 s), 2 rows (0 with tasks), 2 iterations; one column = 0.0050 s",
    "         0.00      0.05      0.10      0.15      0.20      0.25      0.30",
    "         ├─────────┼─────────┼─────────┼─────────┼─────────┼─────────┼",
    "#1 hog   " + "█".repeat(60),
    "#2 late  " + " ".repeat(20) + "▸" + "·".repeat(38) + "█",
    legend(WAITING, DUE),
    "#2 late: due 0.1, ran 0.3, late 0.2 s: #1 hog held the loop 0.0–0.3",
    "#1 hog: ready 0.0, ran 0.0, on time",
  ]);
});

Deno.test("lateness: a task whose sleep ended while the loop was busy is ready-waiting, not awaiting", async () => {
  const { out } = await drive(
    "create_task t0 sleep=0.1",
    "create_task t1 sleep=0.35",
    "call_soon hog block=0.5",
    "run",
    "timeline",
    "why 1",
    "why 2",
  );
  const at = out.findIndex((line) => line.startsWith("timeline since reset"));
  assertEquals(out.slice(at), [
    "timeline since reset: t=0.000 → 0.500 (0.500 s), 3 rows (2 with tasks), 3 iterations; one column = 0.0083 s",
    "         0.0         0.1         0.2         0.3         0.4         0.5",
    "         ├───────────┼───────────┼───────────┼───────────┼───────────┼",
    // Awaiting (─) until its sleep is due at 0.1 (▸), then ready and waiting (·) for the loop.
    "#1 t0    █" + "─".repeat(11) + "▸" + "·".repeat(46) + "█",
    "#2 t1    █" + "─".repeat(41) + "▸" + "·".repeat(16) + "█",
    "#3 hog   " + "█".repeat(60),
    legend(WAITING, DUE, AWAITING),
    "#1 t0 (task):",
    "  step 1: ready 0.0, ran 0.0, on time",
    "  step 2: sleep(0.1) due 0.1, ran 0.5, late 0.4 s: #3 hog held the loop 0.0–0.5",
    "#2 t1 (task):",
    "  step 1: ready 0.0, ran 0.0, on time",
    "  step 2: sleep(0.35) due 0.35, ran 0.5, late 0.15 s: #3 hog held the loop 0.0–0.5",
  ]);
});

Deno.test("timeline: a callback that raised is marked !; why says what it raised; a cancelled timer is marked ✕", async () => {
  const { out } = await drive(
    "js loop.callSoon(function bad() { throw new Error('boom'); })",
    "call_later 0.5 never",
    "call_later 1 after",
    "run 0.2",
    "cancel 2",
    "run",
    "timeline",
    "why 1",
    "why 2",
  );
  const at = out.findIndex((line) => line.startsWith("timeline since reset"));
  assertEquals(out.slice(at + 3), [
    "#1 bad() !",
    "#3 after " + " ".repeat(59) + "█",
    "#2 never " + " ".repeat(12) + "✕", // cancelled at 0.2 of 1.0 s
    legend("✕ cancelled", "! raised"),
    "#1 bad():",
    "  ready 0.0, ran 0.0, on time",
    "  raised at 0.0: Error: boom",
    "#2 never: cancelled at 0.2, before it ran (it was due 0.5)",
  ]);
});

Deno.test("one time base: printers, prompt, queue and timeline all say loop time since reset, across steps and runs", async () => {
  const repl = open();
  const out = await repl.type(
    "call_soon a",
    "call_later 0.2 b sleep=0.2",
    "step",
    "step",
    "step",
    "run",
    "timeline",
    "timeline last",
  );
  assertEquals(out.slice(2, 11), [
    "Started a at 0.0",
    "Finished a at 0.0",
    "— iteration 1 at t=0.000 ran #1 a",
    // The timer's callback starts the printer task; the task's first step is the next iteration.
    "— iteration 2 at t=0.200 ran #2 b",
    "Started b at 0.2",
    "— iteration 3 at t=0.200 ran #3 b (step)",
    // The sleep of 0.2 s that began at 0.2 ends at 0.4, though it spanned a step and a run.
    "Finished b at 0.4",
    "— nothing left to run at t=0.400: 1 callback and 1 task step ran in 2 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
    "timeline since reset: t=0.000 → 0.400 (0.400 s), 2 rows (1 with tasks), 5 iterations; one column = 0.0067 s",
  ]);
  const last = out.findIndex((line) => line.startsWith("timeline of run:"));
  assert(last > 0, out.join("\n"));
  assert(out[last].startsWith("timeline of run: t=0.200 → 0.400 (0.200 s), 1 row"), out[last]);
  assertEquals(repl.session.prompt(), "virtual t=0.400 ready=0 timers=0 tasks=0> ");
  assertEquals(await repl.type("reset", "call_soon c", "run"), [
    "reset: a new loop on the virtual clock at t=0.000 (dropped 0 ready, 0 timers, 0 tasks)",
    "#1 call_soon c → ready queue (position 1)",
    "Started c at 0.0",
    "Finished c at 0.0",
    "— nothing left to run at t=0.000: 1 callback and 0 task steps ran in 1 iteration; " +
    "left 0 ready, 0 timers, 0 tasks",
  ]);
  repl.session.close();
});

Deno.test("run and step count iterations the same way: two ready callbacks run in one", async () => {
  const ran = await drive("call_soon a", "call_soon b", "run");
  assert(
    ran.out.at(-1)!.includes("2 callbacks and 0 task steps ran in 1 iteration;"),
    ran.out.at(-1),
  );
  const stepped = await drive("call_soon a", "call_soon b", "step");
  assertEquals(stepped.out.at(-1), "— iteration 1 at t=0.000 ran #1 a, #2 b");
});

Deno.test("the lecture typed line by line gives its order and times: the virtual clock is the default", async () => {
  let text = "";
  const session = new Session({ write: (t) => (text += t) }); // no clock chosen
  assertEquals(session.clock, "virtual");
  assertEquals(session.prompt(), "virtual t=0.000 ready=0 timers=0 tasks=0> ");
  for (const line of [...printers("block=0.2"), "call_later 1 stop", "run"]) {
    await session.exec(line);
  }
  session.close();
  const lines = text.split("\n");
  assertEquals(lines.filter((l) => /^(Started|Finished) /.test(l)), BLOCKING_SEED);
  assert(
    lines.includes(
      "— stopped by loop.stop() at t=1.000: 5 callbacks and 0 task steps ran in 3 iterations; left 0 ready, 0 timers, 0 tasks",
    ),
    text,
  );
});

Deno.test("the lecture's idioms: call_later 2 stop, call_soon create_task NAME sleep=S", async () => {
  const { out } = await drive(
    "call_later 2 stop",
    "call_later 3 late",
    "call_soon create_task s sleep=1",
    "run",
    "timeline",
  );
  assertEquals(out.slice(0, 7), [
    "#1 call_later stop → timer heap, due at t=2.000: it calls loop.stop(), so the run ends after that iteration",
    "#2 call_later late → timer heap, due at t=3.000",
    "#3 call_soon create_task s → ready queue (position 1): it calls loop.create_task(), which makes task s",
    "Started s at 0.0",
    "Finished s at 1.0",
    "— stopped by loop.stop() at t=2.000: 3 callbacks and 2 task steps ran in 5 iterations; " +
    "left 0 ready, 1 timer, 0 tasks",
    "timeline since reset: t=0.000 → 2.000 (2.000 s), 2 rows (1 with tasks), 5 iterations; one column = 0.033 s",
  ]);
  // The task that create_task made is drawn on the row of the callback that made it.
  assertEquals(out.slice(9, 11), [
    "#3 s     █" + "─".repeat(29) + "█",
    "#1 stop  " + " ".repeat(59) + "█",
  ]);
});

Deno.test("js: loop methods passed unbound work (callLater(2, loop.stop), callSoon(loop.createTask, f)); snake_case names get the camelCase hint", async () => {
  const { out, session } = await drive(
    "js loop.callLater(2, loop.stop)",
    "js loop.callSoon(loop.createTask, async function sleeper() { await asyncio.sleep(1); console.log('slept'); })",
    "run",
    "js loop.call_later(1, () => {})",
    "js asyncio.create_task(() => {})",
    "js $(1).when_()",
    "js loop.callSoon(loop.callLater, 1, () => {})",
    "run",
  );
  assertEquals(out.slice(0, 5), [
    "#1 <TimerHandle when=2 EventLoop.stop()>",
    "#2 <Handle EventLoop.createTask(sleeper)>",
    "slept",
    "— stopped by loop.stop() at t=2.000: 3 callbacks and 2 task steps ran in 5 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
    "error: js: TypeError: loop.call_later is not a function; did you mean loop.callLater? " +
    "(asyncio's names are camelCase here)",
  ]);
  assertEquals(
    out[5],
    "error: js: TypeError: asyncio.create_task is not a function; did you mean asyncio.createTask? " +
      "(asyncio's names are camelCase here)",
  );
  assert(out[6].startsWith("error: js: TypeError: "), out[6]);
  // The scheduling methods stay unbound (fast): passed as a callback, the error says what to do.
  assert(
    out.some((l) =>
      l.startsWith(
        "error in the loop: Exception in callback callLater(1, <anonymous>): TypeError",
      ) &&
      l.endsWith(
        "; loop.callLater passed as a callback has no loop (it is not bound, to keep it fast): pass (...args) => loop.callLater(...args)",
      )
    ),
    out.join("\n"),
  );
  assertEquals(session.errors, 3);
});

Deno.test("negative delays and past call_at times are due now, as in asyncio", async () => {
  const { out } = await drive(
    "call_later 1 a",
    "call_later -1 b",
    "call_at -5 c",
    "call_soon d",
    "run",
  );
  assertEquals(out.slice(1, 4), [
    "#2 call_later b → timer heap, due at t=-1.000, already due",
    "#3 call_at c → timer heap, due at t=-5.000, already due",
    "#4 call_soon d → ready queue (position 1)",
  ]);
  assertEquals(out.filter((l) => l.startsWith("Started")), [
    "Started d at 0.0",
    "Started c at 0.0",
    "Started b at 0.0",
    "Started a at 1.0",
  ]);
});

Deno.test("exec=S and popen=S want the real clock; on it, popen blocks the loop and exec awaits I/O (~)", async () => {
  const repl = open({ virtual: false });
  const out = await within(repl.session, 10_000, () =>
    repl.type(
      "call_soon p popen=0.1",
      "create_task e exec=0.1",
      "run",
      "set width 40",
      "timeline",
      "tasks",
    ));
  repl.session.close();
  assertEquals(
    out.filter((l) => /^(Started|Finished)/.test(l)).map((l) => l.replace(/[\d.]+$/, "T")),
    [
      "Started p at T",
      "Finished p at T",
      "Started e at T",
      "Finished e at T",
    ],
  );
  const p = out.find((l) => l.startsWith("#1 p"))!;
  const e = out.find((l) => l.startsWith("#2 e"))!;
  assert(/^#1 p +█+$/.test(p), p); // the loop is blocked while the process runs
  assert(/^#2 e +·*█+~+·*█+$/.test(e), e); // awaiting the process's exit: I/O
  assert(out.some((l) => l.includes("~ awaiting I/O")), out.join("\n"));
});

Deno.test("text fits the terminal: help, summaries and the timeline wrap at word boundaries to its width", async () => {
  for (const columns of [80, 120]) {
    let text = "";
    const session = new Session({ write: (t) => (text += t), columns: () => columns });
    for (
      const line of [
        "help",
        "help js",
        ...printers("block=0.2"),
        "call_later 1 stop",
        "run",
        "timeline",
        "why 1",
      ]
    ) await session.exec(line);
    session.close();
    const lines = text.split("\n");
    const long = lines.filter((l) => displayWidth(l) > columns);
    assertEquals(long, [], `at ${columns} columns`);
    // No word is cut: each line break falls between words of the source text.
    assert(!lines.some((l) => /que$/.test(l)), text);
    const axis = lines.find((l) => l.includes("├"))!;
    // The chart uses the width: its axis ends within a few columns of the edge.
    assert(displayWidth(axis) > columns - 8, `axis ${displayWidth(axis)} of ${columns}`);
  }
});

Deno.test("tab completion: help topics, WORK keywords, stop and create_task, demo names, js loop. and asyncio. members", () => {
  const repl = open();
  const s = repl.session;
  assertEquals(s.complete("help ti"), [["timeline"], "ti"]);
  assertEquals(s.complete("call_soon a s"), [["sleep="], "s"]);
  assertEquals(s.complete("call_later 1 a "), [["block=", "sleep=", "exec=", "popen="], ""]);
  assertEquals(s.complete("call_later 2 st"), [["stop"], "st"]);
  assertEquals(s.complete("call_soon create_task x b"), [["block="], "b"]);
  assertEquals(s.complete("create_task t p"), [["popen="], "p"]);
  assertEquals(s.complete("demo s"), [["sleepers", "subprocess", "server"], "s"]);
  assertEquals(s.complete("timeline l"), [["last"], "l"]);
  assertEquals(s.complete("js loop.callL"), [["loop.callLater"], "loop.callL"]);
  assertEquals(s.complete("js x = asyncio.sle"), [["asyncio.sleep"], "asyncio.sle"]);
  assertEquals(s.complete("js loop.callSoon(loop.st"), [["loop.startTls", "loop.stop"], "loop.st"]);
  assert(s.complete("js loop.")[0].includes("loop.runUntilComplete"));
  assert(!s.complete("js loop.")[0].some((c) => c.startsWith("loop._")));
  assertEquals(s.complete("view s"), [["stop"], "s"]);
  s.close();
});

Deno.test("tab completion in js: the scope's names, the REPL's and what lines declared", async () => {
  const repl = open();
  await repl.type("js const sleepers = []", "js function sleeper() {}");
  assertEquals(repl.session.complete("js sle"), [["sleeper", "sleepers"], "sle"]);
  assertEquals(repl.session.complete("js await asyncio.gather(...sle"), [
    ["sleeper", "sleepers"],
    "sle",
  ]);
  assertEquals(repl.session.complete("js lo"), [["loop"], "lo"]);
  await repl.session.close();
});

Deno.test("the README's REPL section shows the lateness timeline demo printers-blocking draws, and its why", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const section = readme.slice(
    readme.indexOf("## The REPL"),
    readme.indexOf("## asyncio → this library"),
  );
  const block = section.slice(section.indexOf("Lateness is the lesson"));
  const shown = block.slice(
    block.indexOf("```\n") + 4,
    block.indexOf("\n```", block.indexOf("```\n") + 4),
  )
    .split("\n");
  const { out } = await drive("demo printers-blocking");
  const drawn = out.slice(out.findIndex((l) => /^#3 call_soon +█/.test(l)));
  assertEquals(shown, drawn);
});

Deno.test("the README's graph of the seed's sleepers is what graph prints, and the lines around it", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const from = readme.indexOf("```\n", readme.indexOf("**`graph`** draws")) + 4;
  const block = readme.slice(from, readme.indexOf("\n```", from)).split("\n");
  const typed = block.filter((line) => line.startsWith("> ")).map((line) => line.slice(2));
  const { out } = await drive(...typed);
  assertEquals(out, block.filter((line) => !line.startsWith("> ")));
});

Deno.test("graph: no task pending says so; tasks awaiting one another in a cycle are named in one line", async () => {
  const { out } = await drive(
    "graph",
    "js let a, b",
    "js a = loop.createTask(async () => { await asyncio.sleep(0); await b }, { name: 'a' })",
    "js b = loop.createTask(async () => { await asyncio.sleep(0); await a }, { name: 'b' })",
    "run 0.1",
    "graph",
  );
  assertEquals(out[0], "graph: no task is pending");
  assertEquals(
    out.at(-1),
    "error: graph: RuntimeError: await-graph contains cycles - cannot print a tree! " +
      "cycle: a → b → a",
  );
});

Deno.test("the REPL never dies on a bad line: 1,000 random lines of commands and garbage, each error one line", async () => {
  const dir = await Deno.makeTempDir();
  // A small deterministic generator (mulberry32), so that a failure can be replayed.
  let seed = 22;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const words = [
    "call_soon",
    "call_later",
    "call_at",
    "call_soon_threadsafe",
    "create_task",
    "run",
    "step",
    "stop",
    "cancel",
    "why",
    "reset",
    "queue",
    "tasks",
    "timeline",
    "last",
    "clock",
    "virtual",
    "demo",
    "printers-async",
    "sleepers",
    "cancel-task",
    "js",
    "set",
    "width",
    "decimals",
    "auto",
    "help",
    "create_task",
    "stop",
    "a",
    "b",
    "#1",
    "#99",
    "+0.01",
    "-1",
    "0.02",
    "1e999",
    "NaN",
    "block=0.01",
    "sleep=0.02",
    "exec=x",
    "popen=",
    "sleep=-1",
    "'",
    '"',
    "(",
    "loop.call_soon(",
    "loop.stop",
    "$(1)",
    "}",
    "日本語",
    "\t",
    "\x07",
    // The browser view, graph, and the js prompt's declarations and awaits.
    "graph",
    "view",
    "export",
    `${dir}/v.html`,
    `${dir}/t.json`,
    "const",
    "let",
    "x",
    "=",
    "x;",
    "await",
    "asyncio.sleep(0.01)",
    "asyncio.gather(asyncio.sleep(0.01),",
    "asyncio.createTask(async () => 1)",
    "loop.runForever()",
    "class",
    "function",
    "f()",
    "{}",
    "loop",
    "Map",
  ] as const;
  // Half the lines follow the grammar, so that the new commands and js lines run, not only fail.
  const grammar = [
    () =>
      `${pick(["call_soon", "call_later 0.01", "call_at +0.02", "create_task"])} a ${
        pick(["", "block=0.01", "sleep=0.02"])
      }`,
    () => pick(["run", "run 0.05", "step", "graph", "tasks", "queue", "timeline", "view"]),
    () => pick(["view stop", "reset", `export ${dir}/v.html`, `export ${dir}/t.json`]),
    () => `${pick(["why", "cancel"])} ${Math.floor(random() * 12)}`,
    () =>
      `js ${
        pick([
          "const x = 1",
          "let y",
          "x + 1",
          "y = x",
          "function f() { return x }",
          "f()",
          "class C {}",
          "new C()",
          "Map = 1",
          "const loop = 1",
          "await asyncio.sleep(0.01)",
          "await asyncio.gather(asyncio.sleep(0.01), asyncio.sleep(0.02))",
          "asyncio.createTask(async () => { await asyncio.sleep(0.01) })",
          "loop.callSoon(() => x)",
          "await loop.runForever()",
          "$(1)",
        ])
      }`,
  ];
  const repl = open();
  let lines = 0;
  for (let i = 0; i < 1000; i++) {
    const line = random() < 0.5
      ? pick(grammar)()
      : Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(words)).join(" ");
    const out = await within(repl.session, 5_000, () => repl.type(line));
    lines += out.length;
    for (const text of out.filter((l) => l.startsWith("error"))) {
      assert(!text.includes("\n") && !/\bat file:/.test(text), `${line} → ${text}`);
    }
  }
  assert(repl.session.errors > 0 && lines > 0);
  await repl.type("reset");
  assertEquals(await repl.type("call_soon alive", "run"), [
    "#1 call_soon alive → ready queue (position 1)",
    "Started alive at 0.0",
    "Finished alive at 0.0",
    "— nothing left to run at t=0.000: 1 callback and 0 task steps ran in 1 iteration; " +
    "left 0 ready, 0 timers, 0 tasks",
  ]);
  await repl.session.close();
  assertEquals(typeof Map, "function", "a js line replaced a global of the host");
  await Deno.remove(dir, { recursive: true });
});
