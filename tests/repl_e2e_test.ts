// The REPL as a program: scripts piped into `deno run … repl/main.ts` (with
// the permissions of deno.json's "repl" task), checking the whole output
// and the exit status.
import { assert, assertEquals } from "./_assert.ts";
import { ASYNC_PRINTERS, BLOCKING_PRINTERS } from "./_seed.ts";

const root = new URL("..", import.meta.url).pathname;

/** The `deno run` flags of deno.json's "repl" task, so the tests run with exactly those permissions. */
async function taskFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  const words = (config.tasks.repl as string).split(/\s+/);
  assertEquals(words.slice(0, 2), ["deno", "run"]);
  assertEquals(words.at(-1), "repl/main.ts");
  return words.slice(2, -1);
}

async function repl(
  args: string[],
  stdin: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...(await taskFlags()), "repl/main.ts", ...args],
    cwd: root,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

Deno.test("piped stdin with --virtual: both seed transcripts exactly, nothing echoed, exit 0 (fixture repl_seed_printers.txt)", async () => {
  const script = await Deno.readTextFile(`${root}tests/fixtures/repl_seed_printers.txt`);
  const { code, stdout, stderr } = await repl(["--virtual"], script);
  assertEquals(stderr, "");
  assertEquals(stdout.split("\n"), [
    "#1 call_at call_at → timer heap, due at t=0.200",
    "#2 call_later call_later → timer heap, due at t=0.100",
    "#3 call_soon call_soon → ready queue (position 1)",
    "#4 call_soon_threadsafe call_soon_threadsafe → ready queue (position 2)",
    ...BLOCKING_PRINTERS,
    "— stopped after 1 s at t=1.000: 4 callbacks and 0 task steps ran in 2 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
    "reset: a new loop on the virtual clock at t=0.000 (dropped 0 ready, 0 timers, 0 tasks)",
    "#1 call_at call_at → timer heap, due at t=0.200",
    "#2 call_later call_later → timer heap, due at t=0.100",
    "#3 call_soon call_soon → ready queue (position 1)",
    "#4 call_soon_threadsafe call_soon_threadsafe → ready queue (position 2)",
    ...ASYNC_PRINTERS,
    "— stopped after 1 s at t=1.000: 8 callbacks and 8 task steps ran in 10 iterations; " +
    "left 0 ready, 0 timers, 0 tasks",
    "",
  ]);
  assertEquals(code, 0);
});

Deno.test("--script FILE: a bad line is reported, the rest still runs, exit 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const trace = `${dir}/trace.json`;
    await Deno.writeTextFile(
      `${dir}/script.txt`,
      `call_later 0.5 late\ncall_soon soon\ncal_later 1 x\nrun\nexport ${trace}\n`,
    );
    const { code, stdout, stderr } = await repl(["--virtual", "--script", `${dir}/script.txt`], "");
    assertEquals(stderr, "");
    assertEquals(stdout.split("\n"), [
      "#1 call_later late → timer heap, due at t=0.500",
      "#2 call_soon soon → ready queue (position 1)",
      "error: unknown command 'cal_later'; did you mean call_later? (help lists the commands)",
      "Started soon at 0.0",
      "Finished soon at 0.0",
      "Started late at 0.5",
      "Finished late at 0.5",
      "— nothing left to run at t=0.500: 2 callbacks and 0 task steps ran in 2 iterations; " +
      "left 0 ready, 0 timers, 0 tasks",
      `export: wrote 2 events since reset to ${trace}; open it in ui.perfetto.dev`,
      "",
    ]);
    assertEquals(code, 1);
    const names = JSON.parse(await Deno.readTextFile(trace)).traceEvents
      .filter((e: { ph: string }) => e.ph === "X").map((e: { name: string; ts: number }) =>
        `${e.name}@${e.ts}`
      );
    assertEquals(names, ["soon@0", "late@500000"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad arguments exit 2 with the usage; --help exits 0", async () => {
  const bad = await repl(["--bogus"], "");
  assertEquals(bad.code, 2);
  assert(bad.stderr.startsWith("unknown argument '--bogus'\nusage: deno task repl"), bad.stderr);
  const help = await repl(["--help"], "");
  assertEquals(help.code, 0);
  assert(help.stdout.startsWith("usage: deno task repl [--real | --virtual]"), help.stdout);
});

Deno.test("SIGINT during a run on the real clock stops the run, not the REPL", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...(await taskFlags()), "repl/main.ts", "--real"],
    cwd: root,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("call_soon first\ncall_later 60 never\nrun\n"));
  // Wait until the run has begun (the first callback printed), then interrupt it.
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  const deadline = Date.now() + 20_000;
  while (!stdout.includes("Finished first") && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += value;
  }
  child.kill("SIGINT");
  await writer.write(new TextEncoder().encode("queue\n"));
  await writer.close();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += value;
  }
  const { code } = await child.status;
  await child.stderr.cancel();
  const lines = stdout.split("\n");
  assert(
    /^— interrupted at t=[\d.]+: 1 callback and 0 task steps ran in 1 iteration; left 0 ready, 1 timer, 0 tasks$/
      .test(lines[4]),
    stdout,
  );
  assertEquals(lines.slice(5, 8), ["ready queue: 0", "timer heap: 1 (in firing order)", lines[7]]);
  assert(lines[7].endsWith("#2 never"), lines[7]);
  assertEquals(code, 0);
});

Deno.test("piped stdin: a js promise that nothing can settle is an error for that line; the REPL goes on (exit 1)", async () => {
  const { code, stdout, stderr } = await repl(
    ["--virtual"],
    "js new Promise(() => {})\njs await loop.createFuture()\ncreate_task t sleep=1\n" +
      "js await $(1)\njs 1 + 1\n",
  );
  const stall = "error: js: the promise can never settle: nothing else is pending (the loop runs " +
    "only during run and step: put such code in a task, js loop.createTask(async () => { ... }))";
  const out = (stdout + stderr).split("\n").filter((l) => l !== "");
  assertEquals(out.filter((l) => l.startsWith("error")), [stall, stall]);
  // Awaiting a task the loop has to run runs the loop until it is done.
  assertEquals(out.slice(-5), [
    "#1 create_task t → task t, its first step in the ready queue (position 1)",
    "Started t at 0.0",
    "Finished t at 1.0",
    // The sleep's timer, the task's two steps, and the await of the line resuming.
    "— stopped: what the js line awaits is done at t=1.000: 2 callbacks and 2 task steps ran in " +
    "4 iterations; left 0 ready, 0 timers, 0 tasks",
    "2",
  ]);
  assertEquals(code, 1);
});

Deno.test("piped stdin: a run that nothing pending can wake stops with a reason; the script goes on", async () => {
  const { code, stdout } = await repl(
    ["--virtual"],
    'js loop.createTask(async () => { await new Promise(() => {}); })\nrun\njs "after"\n',
  );
  const lines = stdout.split("\n");
  assert(
    lines.some((l) => l.startsWith("— stopped: nothing pending can wake the loop")),
    stdout,
  );
  assertEquals(lines.at(-2), '"after"');
  assertEquals(code, 0);
});

Deno.test("piped stdin: run waits for a js setTimeout; js lines that run the loop run it as run does, and run/step work after them", async () => {
  const { code, stdout, stderr } = await repl(
    ["--virtual"],
    'js void setTimeout(() => loop.callSoonThreadsafe(() => console.log("hi")), 50)\nrun\n' +
      "call_later 0.5 a\njs await loop.runForever()\njs loop.runForever()\n" +
      "js void loop.runForever()\nstep\njs 'after'\n",
  );
  assertEquals(stderr, "");
  const lines = stdout.split("\n");
  assertEquals(lines[0], "hi");
  assert(
    /^— nothing left to run at t=0\.000: 1 callback and 0 task steps ran in 1 iteration; left 0 ready, 0 timers, 0 tasks; waited 0\.\d{3} s of real time for js timers/
      .test(lines[1]),
    lines[1],
  );
  const stoppedByRepl =
    "— nothing left to run, so the REPL stopped the loop (as run does) at t=0.500: ";
  assertEquals(lines.slice(2), [
    "#2 call_later a → timer heap, due at t=0.500",
    "Started a at 0.5",
    "Finished a at 0.5",
    stoppedByRepl +
    "1 callback and 0 task steps ran in 1 iteration; left 0 ready, 0 timers, 0 tasks",
    stoppedByRepl +
    "0 callbacks and 0 task steps ran in 0 iterations; left 0 ready, 0 timers, 0 tasks",
    stoppedByRepl +
    "0 callbacks and 0 task steps ran in 0 iterations; left 0 ready, 0 timers, 0 tasks",
    "— step at t=0.500 ran nothing",
    '"after"',
    "",
  ]);
  assertEquals(code, 0);
});

/** Start the REPL (the task's permissions) with piped stdin; read stdout as it comes. */
async function spawnRepl(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...(await taskFlags()), "repl/main.ts", ...args],
    cwd: root,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "" },
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  return {
    child,
    type: (text: string) => writer.write(new TextEncoder().encode(text)),
    end: () => writer.close(),
    /** Read stdout until `test` holds (or it ends, or 30 s pass); returns all read so far. */
    async readUntil(test: (text: string) => boolean): Promise<string> {
      const deadline = Date.now() + 30_000;
      while (!test(stdout) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        stdout += value;
      }
      return stdout;
    },
  };
}

Deno.test("Ctrl-C (SIGINT) during a blocking printer on the real clock ends it at once and stops the run", async () => {
  const repl = await spawnRepl(["--real"]);
  await repl.type("call_soon hog block=30\ncall_soon next block=30\ncall_later 0.05 later\nrun\n");
  await repl.readUntil((text) => text.includes("Started hog"));
  const sent = performance.now();
  repl.child.kill("SIGINT");
  const text = await repl.readUntil((t) => t.includes("— interrupted"));
  const took = performance.now() - sent;
  await repl.type("queue\n");
  await repl.end();
  const stdout = await repl.readUntil(() => false);
  const { code } = await repl.child.status;
  await repl.child.stderr.cancel();
  // Well under the 30 s the printer would block (0.1 s on a quiet machine; two busy cores vary).
  assert(took < 5_000, `took ${took} ms:\n${text}`);
  const lines = stdout.split("\n");
  const started = Number(/^Started hog at ([\d.]+)$/m.exec(stdout)![1]);
  const ended = Number(/^Interrupted hog at ([\d.]+) \(Ctrl-C\)$/m.exec(stdout)![1]);
  assert(ended - started < 5, stdout);
  // The rest of that iteration still runs (as loop.stop()), and a blocking printer in it ends at once.
  const at = lines.findIndex((l) => l.startsWith("Interrupted hog"));
  assert(/^Started next at [\d.]+$/.test(lines[at + 1]), stdout);
  assert(/^Interrupted next at [\d.]+ \(Ctrl-C\)$/.test(lines[at + 2]), stdout);
  assert(
    /^— interrupted at t=[\d.]+: 2 callbacks and 0 task steps ran in 1 iteration; left 0 ready, 1 timer, 0 tasks$/
      .test(lines[at + 3]),
    stdout,
  );
  assert(lines[at + 6].endsWith("#3 later"), stdout); // still in the heap, for the next run
  assertEquals(code, 0);
});

Deno.test("demo subprocess runs with the task's permissions: sleeps one by one, then five at once (~ I/O), then python3 through a pipe", async () => {
  const { code, stdout, stderr } = await repl([], "demo subprocess\n");
  assertEquals(stderr, "");
  const lines = stdout.split("\n");
  assertEquals(lines.filter((l) => l.startsWith("error")), []);
  const times = (what: string) =>
    lines.filter((l) => l.startsWith(`${what} sleep at `)).map((l) => Number(l.split(" at ")[1]));
  // Three blocking ones, then five awaited ones: eight each.
  assertEquals([times("Started").length, times("Finished").length], [8, 8]);
  // The five awaited ones all start before any finishes.
  assertEquals(
    lines.filter((l) => / sleep at /.test(l)).slice(6).map((l) => l.split(" ")[0]),
    [...Array(5).fill("Started"), ...Array(5).fill("Finished")],
  );
  const python = ["x: 256", "y: 16", "z: 4", "i: 0", "i: 1", "i: 2", "i: 3"];
  const x = lines.indexOf("x: 256");
  assertEquals(lines.slice(x, x + 7), python);
  // The awaited sleeps await their processes (~); the blocking ones hold the loop (█). A
  // process that ended while the loop ran another step shows its task ready (·) a moment.
  assertEquals(lines.filter((l) => /^#[4-8] sleep +[·█]+~+[·~]*█+$/.test(l)).length, 5, stdout);
  assertEquals(lines.filter((l) => /^#[1-3] sleep +·*█+$/.test(l)).length, 3, stdout);
  assert(lines.some((l) => l.includes("~ awaiting I/O")), stdout);
  assertEquals(code, 0);
});

Deno.test("demo server runs with the task's permissions: three clients on 127.0.0.1 get their lines a second apart", async () => {
  const { code, stdout, stderr } = await repl([], "demo server\n");
  assertEquals(stderr, "");
  const lines = stdout.split("\n");
  assertEquals(lines.filter((l) => l.startsWith("error")), []);
  assert(lines.some((l) => /^Serving on 127\.0\.0\.1:\d+$/.test(l)), stdout);
  const said = (what: string) => lines.filter((l) => new RegExp(`^\\d+\\.\\d ${what}`).test(l));
  // At 0.4, 2.0 and 2.5 s on the real clock (give or take a loaded machine's lateness).
  const connected = said("Client connected").map((l) => Number(l.split(" ")[0]));
  assertEquals(connected.length, 3, stdout);
  assert(
    connected.every((t, i) => Math.abs(t - [0.4, 2.0, 2.5][i]) <= 0.3),
    stdout,
  );
  assertEquals(said("Finished sending to").length, 3);
  // 3 + 2 + 1 lines, each read a second after the last (the lecture's asyncio.sleep(1)).
  assertEquals(said("Got line:").length, 6);
  assert(
    lines.some((l) => l.startsWith("— stopped: the future given to runUntilComplete is done")),
    stdout,
  );
  assert(lines.some((l) => /^#\d+ create_task\(client\(3\)\) /.test(l)), stdout);
  assertEquals(code, 0);
});

Deno.test("piped stdin: view and export FILE.html work with the repl task's permissions", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { code, stdout, stderr } = await repl(
      ["--virtual"],
      `view\ndemo sleepers\nexport ${dir}/view.html\nview stop\n`,
    );
    assertEquals(stderr, "");
    const lines = stdout.split("\n");
    assert(
      /^view: serving the browser view at http:\/\/127\.0\.0\.1:\d+\/ /.test(lines[0]),
      stdout,
    );
    assert(
      lines.some((l) => l.startsWith(`export: wrote the browser view of 3 rows and 7 iterations`)),
      stdout,
    );
    assertEquals(lines.at(-2), "view: stopped serving the browser view");
    assert((await Deno.readTextFile(`${dir}/view.html`)).includes('"trees"'));
    assertEquals(code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
