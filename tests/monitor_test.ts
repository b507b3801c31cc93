// The monitor (lib/monitor.ts) and its clients (monitor/, the REPL's
// attach): attached to real `deno run` programs (the seed's
// simple_connections server with clients connected, CPython's TaskGroup
// example three levels deep, a program whose callback blocks the loop for
// 2 s), and in this process for the warnings. Servers listen on 127.0.0.1,
// port 0; every wait is bounded.
//
// Where CPython 3.14's output is copied (ps's seven columns, pstree's tree,
// the cycle error), the expected text is written from its documentation
// (Doc/library/asyncio-tools.rst, the `python -m asyncio ps/pstree`
// examples of its TaskGroup program), not from a run of Python 3.14, which
// this machine does not have; the lines that differ say why.
import { assert, assertEquals } from "./_assert.ts";
import {
  createTask,
  Event,
  getRunningLoop,
  Lock,
  Queue,
  run,
  Semaphore,
  sleep,
  startMonitor,
  type Task,
} from "../mod.ts";
import { type Answer, type Block, MonitorClient, parseAddress } from "../monitor/client.ts";
import {
  blockWhere,
  type PsData,
  renderResources,
  type ResourcesData,
  type WarningsData,
  type WhereData,
} from "../monitor/render.ts";
import { replay } from "../repl/attach.ts";
import { Session } from "../repl/session.ts";
import type { Recording } from "../monitor/commands.ts";
import { hasTool } from "./_util.ts";
import { Tmux } from "./_tmux.ts";
import { NameArena, sharedViews } from "../lib/_monitor_shared.ts";
import { CHROMIUM, dumpDom, items, rootData } from "./_chromium.ts";

const root = new URL("..", import.meta.url).pathname;
const fixture = (name: string) => `${root}tests/fixtures/${name}`;
const decoder = new TextDecoder();

/** A program started with a monitor: its process and the address it printed. */
interface Watched {
  child: Deno.ChildProcess;
  address: string;
  stdout: string[];
  stderr: string[];
  /** Kill it (if still running) and wait for it. */
  stop(): Promise<void>;
}

/** Lines of a stream as they come, into `into`; resolves when it ends. */
async function collect(stream: ReadableStream<Uint8Array>, into: string[]): Promise<void> {
  let buffered = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      into.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  }
  if (buffered !== "") into.push(buffered);
}

/** Poll `test` every 50 ms until it gives a value; fail with `what` after `ms`. */
async function until<T>(
  test: () => T | null | undefined | false,
  what: string,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = test();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Start `deno run FLAGS program ARGS` and wait for its `asyncio monitor:` line. */
async function watched(
  flags: string[],
  program: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<Watched> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, program, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const stdout: string[] = [], stderr: string[] = [];
  const done = Promise.all([collect(child.stdout, stdout), collect(child.stderr, stderr)]);
  const stop = async () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already ended */ }
    await child.status;
    await done;
  };
  try {
    const line = await until(
      () => stderr.find((l) => l.startsWith("asyncio monitor: ")),
      `the monitor line of ${program} (stderr: ${stderr.join(" | ")})`,
    );
    return { child, address: line.slice("asyncio monitor: ".length), stdout, stderr, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `deno run --quiet monitor/main.ts ADDRESS ARGS` (as `deno task monitor` runs it, plus `extra` flags). */
async function cli(
  args: string[],
  extra: string[] = [],
): Promise<{ code: number; out: string[]; err: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-net=127.0.0.1", ...extra, `${root}monitor/main.ts`, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  return {
    code: out.code,
    out: decoder.decode(out.stdout).replace(/\n$/, "").split("\n"),
    err: decoder.decode(out.stderr),
  };
}

async function connect(address: string): Promise<MonitorClient> {
  return await MonitorClient.connect(parseAddress(address)!);
}

// ---- The seed's server ----------------------------------------------------------

Deno.test("monitor: ASYNCIO_MONITOR watches the seed's simple_connections server; ps, pstree and where show its clients' handlers; cancel ends one and tasks --done says who; the program goes away while attached", async () => {
  const server = await watched(
    ["--allow-net=127.0.0.1", "--allow-env=ASYNCIO_MONITOR"],
    `${root}examples/simple_connections.ts`,
    ["server", "--port", "0", "--seconds", "60"],
    { ASYNCIO_MONITOR: "127.0.0.1:0" },
  );
  const silent: Deno.Conn[] = [];
  try {
    const serving = await until(
      () => server.stdout.find((l) => l.startsWith("Serving on")),
      "Serving on",
    );
    const port = Number(serving.split(":").at(-1));
    // Two clients that connect and never say how many lines they want: their
    // handlers wait in readline. And one that reads its two lines.
    for (let i = 0; i < 2; i++) silent.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    const reader = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        `${root}examples/simple_connections.ts`,
        "client",
        "2",
        "--port",
        String(port),
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();

    const client = await connect(server.address);
    const handlers = await (async () => {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
        const answer = await client.request<PsData>("ps");
        const rows = answer.data!.tasks.filter((t) =>
          t.coro === "handleConnection" && t.io === "readuntil"
        );
        if (rows.length === 2) return rows;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("the two silent clients' handlers never showed up waiting in readline");
    })();
    for (const row of handlers) {
      assertEquals(row.state, "awaiting");
      assert(
        row.awaiting !== null && row.creator.name.startsWith("callback "),
        JSON.stringify(row),
      );
      assertEquals(row.warnings, []);
    }

    // pstree: the handlers are roots (a callback of the server made them); CPython's layout.
    const tree = await cli([server.address, "pstree"]);
    assertEquals(tree.code, 0, tree.err);
    for (const row of handlers) {
      assert(tree.out.includes(`└── (T) ${row.name}`), tree.out.join("\n"));
    }

    // ps as text: CPython's columns first, then ours.
    const text = await cli([server.address, "ps", "--filter", "handleConnection"]);
    assertEquals(text.code, 0, text.err);
    assert(
      /^tid\s+task id\s+task name\s+coroutine stack\s+awaiter chain\s+awaiter name\s+awaiter id\s+state\s+steps\s+busy\s+sched\s+idle\s+age\s+created at\s+warnings$/
        .test(text.out[0]),
      text.out[0],
    );
    assertEquals(text.out.filter((l) => /^\d+\s+0x/.test(l)).length, 2, text.out.join("\n"));

    // where: what it awaits and who made it.
    const first = handlers[0];
    const where = await cli([server.address, "where", `0x${first.id.toString(16)}`]);
    assertEquals(where.code, 0, where.err);
    assert(
      where.out[0].startsWith(
        `task 0x${
          first.id.toString(16)
        } '${first.name}' (coroutine handleConnection): awaiting, awaiting `,
      ),
      where.out[0],
    );
    assert(
      where.out[0].endsWith(", awaiting I/O (readuntil)"),
      where.out.join("\n"),
    );
    assert(where.out.some((l) => /^ {2}created .* ago by callback /.test(l)), where.out.join("\n"));

    // cancel, then the history says how it ended and who cancelled it.
    const cancel = await cli([server.address, "cancel", String(first.id), "bye"]);
    assertEquals(cancel.out, [`cancel requested: task 0x${first.id.toString(16)} '${first.name}'`]);
    await (await reader.status);
    let history: string[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      history = (await cli([server.address, "tasks", "--done"])).out;
      if (
        history.some((l) => l.includes("cancelled by the monitor ('bye')")) &&
        history.some((l) => l.endsWith("finished"))
      ) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert(
      history.some((l) =>
        l.startsWith(`0x${first.id.toString(16)} `) &&
        l.endsWith("cancelled by the monitor ('bye')")
      ),
      history.join("\n"),
    );
    assert(
      history.some((l) => l.includes("handleConnection") && l.endsWith("finished")),
      history.join("\n"),
    );

    // The server goes away while this client is attached. (Not by its own
    // end: the cancelled handler never closed its writer, so the server's
    // waitClosed would wait for ever, as asyncio's does; monitor_block.ts's
    // test sees a program end by itself.)
    server.child.kill("SIGTERM");
    await server.child.status;
    let lost = "";
    try {
      await client.request("ps");
    } catch (err) {
      lost = String(err);
    }
    assert(lost.includes("went away"), lost);
    client.close();
  } finally {
    for (const conn of silent) conn.close();
    await server.stop();
  }
});

// ---- CPython's TaskGroup example ------------------------------------------------

Deno.test("monitor: CPython's TaskGroup example, three levels deep: ps --cpython and pstree as CPython 3.14's documentation prints them; where, cancel and where --done", async () => {
  const program = fixture("monitor_album.ts");
  const album = await watched(
    ["--allow-net=127.0.0.1", "--allow-env=ASYNCIO_MONITOR"],
    program,
    [],
    { ASYNCIO_MONITOR: "127.0.0.1:0" },
  );
  try {
    const pid = String(album.child.pid);
    const client = await connect(album.address);
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      const answer = await client.request<PsData>("ps");
      if (answer.data!.tasks.length === 7 && answer.data!.tasks.every((t) => t.stack.length > 0)) {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }

    // From the documentation's `python -m asyncio ps 12345`, with: tid the
    // process id (the loop's thread is the main one, whose Linux thread id
    // it is); task ids numbered by the monitor (CPython shows addresses);
    // this library's frames where CPython's are TaskGroup._aexit ->
    // TaskGroup.__aexit__; a leaf's stack without `sleep`, a frame of the
    // library's core (CPython shows no C frames; ours hides the core's, as
    // lib/graph.ts does). Trailing spaces of the padded columns dropped.
    const group = "TaskGroup.#exit -> TaskGroup.run";
    const row = (
      id: string,
      name: string,
      stack: string,
      chain: string,
      awaiter: string,
      awaiterId: string,
    ) =>
      `${pid.padEnd(10)} ${id.padEnd(20)} ${name.padEnd(20)} ${stack.padEnd(50)} ${
        chain.padEnd(50)
      } ${awaiter.padEnd(15)} ${awaiterId}`
        .trimEnd();
    const ps = await cli([album.address, "ps", "--cpython"]);
    assertEquals(ps.code, 0, ps.err);
    assertEquals(ps.out.map((l) => l.trimEnd()), [
      "tid        task id              task name            coroutine stack                                    awaiter chain                                      awaiter name    awaiter id",
      "-".repeat(180),
      row("0x1", "Task-1", `${group} -> main`, "", "", "0x0"),
      row("0x2", "Sundowning", `${group} -> album`, `${group} -> main`, "Task-1", "0x1"),
      row("0x3", "TMBTE", `${group} -> album`, `${group} -> main`, "Task-1", "0x1"),
      row("0x4", "TNDNBTG", "play", `${group} -> album`, "Sundowning", "0x2"),
      row("0x5", "Levitate", "play", `${group} -> album`, "Sundowning", "0x2"),
      row("0x6", "DYWTYLM", "play", `${group} -> album`, "TMBTE", "0x3"),
      row("0x7", "Aqua Regia", "play", `${group} -> album`, "TMBTE", "0x3"),
    ]);

    // From the documentation's `python -m asyncio pstree 12345`: the same
    // tree, this library's frames (lib/taskgroups.ts's line numbers shown
    // as N: they move when that file changes), and no `sleep` frame under
    // the leaves (see above).
    const tree = await cli([album.address, "pstree"]);
    assertEquals(tree.code, 0, tree.err);
    // Where each function awaits, in the fixture as it is now.
    const source = (await Deno.readTextFile(program)).split("\n");
    const lineOf = (text: string) => source.findIndex((l) => l.includes(text)) + 1;
    const MAIN = lineOf("await TaskGroup.run((tg) => [");
    const ALBUM = lineOf("tracks.map((track)") - 1;
    const PLAY = lineOf("await sleep(3600)");
    const at = (line: number) => `${program}:${line}`;
    const tg = (fn: string) => `${fn} ${root}lib/taskgroups.ts:N`;
    assertEquals(tree.out.map((l) => l.replace(/lib\/taskgroups\.ts:\d+/, "lib/taskgroups.ts:N")), [
      "└── (T) Task-1",
      `    └──  main ${at(MAIN)}`,
      `        └──  ${tg("TaskGroup.run")}`,
      `            └──  ${tg("TaskGroup.#exit")}`,
      "                ├── (T) Sundowning",
      `                │   └──  album ${at(ALBUM)}`,
      `                │       └──  ${tg("TaskGroup.run")}`,
      `                │           └──  ${tg("TaskGroup.#exit")}`,
      "                │               ├── (T) TNDNBTG",
      `                │               │   └──  play ${at(PLAY)}`,
      "                │               └── (T) Levitate",
      `                │                   └──  play ${at(PLAY)}`,
      "                └── (T) TMBTE",
      `                    └──  album ${at(ALBUM)}`,
      `                        └──  ${tg("TaskGroup.run")}`,
      `                            └──  ${tg("TaskGroup.#exit")}`,
      "                                ├── (T) DYWTYLM",
      `                                │   └──  play ${at(PLAY)}`,
      "                                └── (T) Aqua Regia",
      `                                    └──  play ${at(PLAY)}`,
    ]);

    // where: the suspended stack, who awaits it, who made it.
    const where = await client.request<WhereData>("where", { id: 4 });
    const task = where.data!.task!;
    assertEquals([task.name, task.state, task.stack.map((f) => `${f.fn}:${f.line}`)], [
      "TNDNBTG",
      "awaiting",
      [`play:${PLAY}`],
    ]);
    assertEquals(task.awaitedBy.map((a) => [a.id, a.name]), [[2, "Sundowning"]]);
    assertEquals(
      where.data!.creators!.map((c) => [c.id, c.name]),
      [[2, "Sundowning"], [1, "Task-1"], [null, "before the monitor started"]].slice(
        0,
        where.data!.creators!.length,
      ),
    );
    assert(/^sleep, \d+\.\d s left$/.test(task.awaiting!), task.awaiting!);
    assertEquals(task.createdAt, `${program}:${lineOf("tg.createTask(() => play(track)")}`);

    // cancel: the TaskGroup goes on with the other tracks; the history says who.
    assertEquals((await cli([album.address, "cancel", "0x4", "enough"])).out, [
      "cancel requested: task 0x4 'TNDNBTG'",
    ]);
    const gone = await (async () => {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
        const answer = await client.request<PsData>("ps");
        if (answer.data!.tasks.every((t) => t.id !== 4)) return answer.data!;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("task 0x4 never ended");
    })();
    assertEquals(gone.tasks.map((t) => t.name), [
      "Task-1",
      "Sundowning",
      "TMBTE",
      "Levitate",
      "DYWTYLM",
      "Aqua Regia",
    ]);
    const whereDone = await cli([album.address, "where", "--done", "0x4"]);
    assertEquals(
      whereDone.out[0],
      "task 0x4 'TNDNBTG' (coroutine <anonymous>): cancelled by the monitor ('enough')",
    );
    assert(
      whereDone.out.some((l) =>
        l.startsWith("  created by task 0x2 'Sundowning' ← task 0x1 'Task-1'")
      ),
      whereDone.out.join("\n"),
    );
    client.close();
  } finally {
    await album.stop();
  }
});

// ---- A blocked loop -------------------------------------------------------------------

/**
 * Ask `ps` until an answer says the loop is blocked in a `kind` (each such
 * answer comes from the Worker at once). A machine loaded past its cores can
 * hold the loop's thread 0.2 s between callbacks too: "outside", skipped.
 */
async function blockedIn(client: MonitorClient, kind: "callback" | "step"): Promise<Block> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const asked = Date.now();
    const block = (await client.request<PsData>("ps")).loop?.blocked;
    if (block?.kind === kind) {
      assert(Date.now() - asked < 1000, "a blocked loop's answer took a second");
      return block;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never saw the loop blocked in a ${kind}`);
}

Deno.test("monitor: a callback blocks the loop for 2 s: the monitor answers meanwhile and says blocked, for how long, in which callback; warnings keep it; a lock its holder never released; record and view", async () => {
  // run(main, { monitor }): hog blocks 1 s after the start, for 2 s.
  const program = await watched(["--allow-net=127.0.0.1"], fixture("monitor_block.ts"), [
    "1",
    "30",
  ]);
  try {
    const client = await connect(program.address);
    const block = await blockedIn(client, "callback");
    assertEquals([block.kind, block.name, block.ongoing], ["callback", "hog", true]);
    assert(block.seconds > 0 && block.seconds < 2.5, String(block.seconds));
    // A command that needs the loop says why it cannot run now.
    const cancel = await client.request("cancel", { id: 2 });
    assert(
      !cancel.ok &&
        /the loop is blocked \(\d+\.\d s so far\); cancel needs it to run/.test(cancel.error!),
      cancel.error,
    );

    // Afterwards: how long it was, among the warnings.
    const warnings = await (async () => {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
        const answer = await client.request<WarningsData>("warnings");
        if (answer.loop!.blocked === null && answer.loop!.blocks.length > 0) return answer;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("the loop never came back");
    })();
    const seconds = warnings.loop!.blocks[0].seconds;
    assert(seconds > 1.8 && seconds < 2.6, `blocked ${seconds} s`);
    const text = await cli([program.address, "warnings"]);
    assert(
      text.out.some((l) => /^loop blocked (1\.9|2\.\d) s in callback hog at /.test(l)),
      text.out.join("\n"),
    );
    // stuckAfter 0.5 s: the waiter waits for a lock whose holder has ended.
    assert(
      text.out.some((l) =>
        l.startsWith("task 0x4 'waiter': stuck: ") &&
        l.includes(
          "Lock.acquire() <Lock [locked, waiters:1]> (held by an ended task, 0x3 'grabber': nothing will release it)",
        )
      ),
      text.out.join("\n"),
    );
    // The ticker's timer is pending unless the snapshot falls between its
    // firing and the ticker's next sleep: ask again then (a few times).
    const tickerTimer =
      /^ {2}(in|due) [\d.]+ ms( ago)? {2}setResultUnlessDone {2}\(wakes task 0x2 'ticker'\)$/;
    let resources = await cli([program.address, "resources"]);
    for (let i = 0; i < 5 && !resources.out.some((l) => tickerTimer.test(l)); i++) {
      resources = await cli([program.address, "resources"]);
    }
    assertEquals(
      resources.out[0],
      "Lock <Lock [locked, waiters:1]>; held by task 0x3 'grabber' (ended: nothing will release it); waiting: task 0x4 'waiter'",
    );
    assert(resources.out.some((l) => tickerTimer.test(l)), resources.out.join("\n"));

    // record: the ticker's steps, as the REPL's timeline reads them.
    const file = await Deno.makeTempFile({ suffix: ".json" });
    try {
      const recorded = await cli([program.address, "record", "0.5", file], [
        `--allow-write=${file}`,
      ]);
      assertEquals(recorded.code, 0, recorded.err);
      assert(
        /^recorded \d+ events \(\d+ iterations, \d+ tasks, \d+ handles\) over 0\.\d s to /.test(
          recorded.out[1],
        ),
        recorded.out.join("\n"),
      );
      const recording = JSON.parse(await Deno.readTextFile(file)) as Recording;
      const { record } = replay(recording);
      const ticker = [...record.entries].find((e) => e.label === "ticker")!;
      const steps = ticker.slices.filter((s) => s.kind === "run").length;
      // A tick every 50 ms for 0.5 s (give or take the noise of two shared cores).
      assert(steps >= 5 && steps <= 12, `ticker ran ${steps} steps`);
      assertEquals(record.steps, steps);
      const view = await cli(["view", file], [`--allow-read=${file}`]);
      assertEquals(view.code, 0, view.err);
      assert(view.out[0].startsWith(`${file}: pid ${program.child.pid} `), view.out[0]);
      assert(view.out.some((l) => /^#\d+ ticker +[█─▸·]+/.test(l)), view.out.join("\n"));
    } finally {
      await Deno.remove(file);
    }
    client.close();
  } finally {
    await program.stop();
  }
});

Deno.test("monitor: a task's step blocks the loop for 2 s: the monitor names the task, its id and its coroutine", async () => {
  // The cruncher (the fifth task: after main, ticker, grabber and waiter)
  // starts 1 s in, and its first step blocks, as long as hog's callback
  // (which would block at 999 s) in the test above, for the same margin.
  const program = await watched(["--allow-net=127.0.0.1"], fixture("monitor_block.ts"), [
    "999",
    "30",
    "1",
  ]);
  try {
    const client = await connect(program.address);
    const block = await blockedIn(client, "step");
    assertEquals(
      [block.kind, block.name, block.task, block.coro, block.ongoing],
      ["step", "cruncher", 5, "crunch", true],
    );
    assertEquals(blockWhere(block), "a step of task 0x5 'cruncher' (coroutine crunch)");
    client.close();
  } finally {
    await program.stop();
  }
});

/**
 * Ask a monitor of a loop in this process until the loop itself answers. A
 * loaded machine may hold the loop's thread past the 0.2 s after which the
 * Worker calls it blocked and answers for it, with its last answer (stale)
 * or none: the monitor working as meant, but not what these tests look at.
 */
async function ask<T>(
  client: MonitorClient,
  cmd: string,
  args: Record<string, unknown> = {},
): Promise<Answer<T>> {
  for (const deadline = Date.now() + 10_000;;) {
    const answer = await client.request<T>(cmd, args);
    if ((answer.stale === undefined && answer.data != null) || Date.now() > deadline) return answer;
  }
}

// ---- The token, the address ------------------------------------------------------------

Deno.test("monitor: a client without the token, or with a wrong one, is refused; the monitor goes on serving; a host that is not loopback is refused, and a loop that is not one", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    let line = "";
    await using monitor = await startMonitor(loop, { print: (l) => (line = l) });
    assertEquals(line, `asyncio monitor: ${monitor.address}`);
    const { host, port, token } = parseAddress(monitor.address)!;
    const wrong = token.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    for (const bad of [wrong, "", token.slice(1)]) {
      let refused = "";
      try {
        await MonitorClient.connect({ host, port, token: bad });
      } catch (err) {
        refused = String(err);
      }
      assert(refused.includes("refused: wrong or missing token"), refused);
    }
    // Garbage instead of a hello: closed.
    const conn = await Deno.connect({ hostname: host, port });
    await conn.write(new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
    const reply = new Uint8Array(256);
    const n = await conn.read(reply);
    assert(n !== null && decoder.decode(reply.subarray(0, n)).includes('"ok":false'));
    conn.close();
    // And the right token still works.
    const client = await MonitorClient.connect({ host, port, token });
    assertEquals((await ask<PsData>(client, "ps")).data!.tasks.length, 1);
    client.close();
    let remote = "";
    try {
      await startMonitor(loop, { host: "0.0.0.0" });
    } catch (err) {
      remote = String(err);
    }
    // This loop has a monitor already: it is returned, not a second one.
    assertEquals(remote, "");
  });
  await run(async () => {
    for (
      const options of [{ host: "0.0.0.0" }, { address: "10.1.2.3:0" }, { address: "nonsense" }]
    ) {
      let error = "";
      try {
        await startMonitor(getRunningLoop(), { ...options, print: false });
      } catch (err) {
        error = String(err);
      }
      assert(error.startsWith("RangeError: "), `${JSON.stringify(options)}: ${error}`);
    }
    // The options where the loop goes: a clear error, not one from deep inside.
    let error = "";
    try {
      await startMonitor({ print: false } as unknown as Parameters<typeof startMonitor>[0]);
    } catch (err) {
      error = String(err);
    }
    assertEquals(
      error,
      "TypeError: startMonitor(loop, options): loop must be an EventLoop, got {'print': False}",
    );
  });
});

// ---- Warnings, history, resources, in this process ------------------------------------

Deno.test("monitor: warnings: a task that wakes itself with sleep(0), one stuck on sleep(Infinity), one dropped by its creator, a failure nobody retrieved; the history is bounded", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    await using monitor = await startMonitor(loop, { print: false, history: 3, stuckAfter: 0.2 });
    const client = await MonitorClient.connect(parseAddress(monitor.address)!);
    try {
      const spinner = createTask(async function spin() {
        for (let i = 0; i < 30; i++) await sleep(0);
        await sleep(3600);
      }, { name: "spinner" });
      const forever = createTask(() => sleep(Infinity), { name: "forever" });
      let dropped: Task<unknown> | null = null;
      await createTask(function parent() {
        dropped = createTask(() => sleep(3600), { name: "orphan" });
      }, { name: "parent" });
      const failing = createTask(function fail() {
        throw new Error("boom");
      }, { name: "failing" });
      for (let i = 0; i < 4; i++) await createTask(async () => {}, { name: `quick-${i}` });
      await sleep(0.3);
      const warnings = (await ask<WarningsData>(client, "warnings")).data!;
      const of = (name: string) => warnings.tasks.find((t) => t.name === name)?.warnings ?? [];
      assertEquals(of("spinner"), ["self-wakes: 97% of 31 steps resumed a sleep(0)"]);
      assertEquals(of("forever").map((w) => w.replace(/\d+ ms/, "N ms")), [
        "stuck: N ms on sleep(Infinity)",
      ]);
      assertEquals(of("orphan"), [
        "dropped: created by task 0x4, which has ended; nothing awaits it",
      ]);
      // The history keeps 3: the last quick tasks; the failure fell out of it.
      const done =
        (await ask<{ history: Array<{ name: string; outcome: string }> }>(client, "tasks"))
          .data!;
      assertEquals(done.history.map((h) => h.name), ["quick-3", "quick-2", "quick-1"]);
      failing.cancel(); // a no-op on a done task that counts as looking at its failure (as asyncio)
      for (const t of [spinner, forever, dropped!]) t.cancel();
    } finally {
      client.close();
    }
  });
  // A failure nobody retrieved stays flagged in the history while it is kept.
  await run(async () => {
    await using monitor = await startMonitor(getRunningLoop(), { print: false });
    const client = await MonitorClient.connect(parseAddress(monitor.address)!);
    const failing = createTask(async function fail() {
      await sleep(0);
      throw new Error("boom");
    }, { name: "failing" });
    await sleep(0.05);
    const history = (await ask<
      { history: Array<{ name: string; outcome: string; warnings: string[] }> }
    >(client, "tasks")).data!.history;
    assertEquals(history.map((h) => [h.name, h.outcome, h.warnings]), [[
      "failing",
      "failed: Error: boom",
      ["exception never retrieved"],
    ]]);
    const where = (await ask<WhereData>(client, "where", { id: 2, done: true })).data!;
    assert(where.stack!.startsWith("Error: boom\n") && where.stack!.includes("fail"), where.stack!);
    failing.exception(); // retrieved now: no report at close
    assertEquals(
      (await ask<{ history: Array<{ warnings: string[] }> }>(client, "tasks")).data!.history[0]
        .warnings,
      [],
    );
    client.close();
  });
});

Deno.test("monitor: resources: a lock's holder and waiters, a queue's getters, an event's waiters; timers name the task a sleep wakes", async () => {
  await run(async () => {
    await using monitor = await startMonitor(getRunningLoop(), { print: false });
    const client = await MonitorClient.connect(parseAddress(monitor.address)!);
    const lock = new Lock();
    const queue = new Queue<number>(2);
    const holder = createTask(async () => {
      await lock.acquire();
      await sleep(3600);
    }, { name: "holder" });
    const waiter = createTask(() => lock.acquire(), { name: "waiter" });
    const getter = createTask(() => queue.get(), { name: "getter" });
    await sleep(0.05);
    const data = (await ask<
      { resources: Array<Record<string, unknown>>; timers: Array<Record<string, unknown>> }
    >(client, "resources")).data!;
    assertEquals(data.resources.map((r) => [r.kind, r.repr, r.holder, r.waiting]), [
      ["Lock", "<Lock [locked, waiters:1]>", { id: 2, name: "holder", done: false }, [{
        id: 3,
        name: "waiter",
      }]],
      ["Queue", "<Queue maxsize=2 _getters[1]>", null, [{ id: 4, name: "getter" }]],
    ]);
    assertEquals(data.timers.map((t) => [t.callback, t.task]), [["setResultUnlessDone", {
      id: 2,
      name: "holder",
    }]]);
    for (const t of [holder, waiter, getter]) t.cancel();
    client.close();
  });
});

Deno.test("monitor: resources: a semaphore's holders are the tasks that acquired and have not released; one released for another frees the oldest", async () => {
  await run(async () => {
    await using monitor = await startMonitor(getRunningLoop(), { print: false });
    const client = await MonitorClient.connect(parseAddress(monitor.address)!);
    const sem = new Semaphore(2);
    const release = new Event();
    const hold = (name: string) =>
      createTask(async () => {
        await sem.acquire();
        await release.wait();
        sem.release();
      }, { name });
    const tasks = [hold("a"), hold("b"), hold("c")];
    await sleep(0.01);
    const holders = async () => {
      const data = (await ask<ResourcesData>(client, "resources")).data!;
      // (Listed while held or waited on.)
      const r = data.resources.find((r) => r.kind === "Semaphore");
      return [r?.holders?.map((h) => h.name) ?? [], r?.waiting.map((w) => w.name) ?? []];
    };
    assertEquals(await holders(), [["a", "b"], ["c"]]);
    // Released from the top level (not a holder): the oldest holder's slot goes; c gets it.
    sem.release();
    await sleep(0.01);
    assertEquals(await holders(), [["b", "c"], []]);
    const text = renderResources((await ask<ResourcesData>(client, "resources")).data!);
    assert(text.some((l) => l.includes("held by task 0x3 'b', task 0x4 'c'")), text.join("\n"));
    release.set();
    await Promise.all(tasks);
    // As many releases as acquires: nobody holds a slot, and it is not listed.
    assertEquals(await holders(), [[], []]);
    client.close();
  });
});

Deno.test("monitor: ps --sort with a limit keeps the largest, ties in creation order, as a full sort would", async () => {
  await run(async () => {
    await using monitor = await startMonitor(getRunningLoop(), { print: false });
    const client = await MonitorClient.connect(parseAddress(monitor.address)!);
    // Task k takes k % 5 steps before it waits: 60 tasks, 12 with each count.
    const tasks = Array.from({ length: 60 }, (_, k) =>
      createTask(async () => {
        for (let i = 0; i < k % 5; i++) await sleep(0);
        await sleep(3600);
      }, { name: `w${k}` }));
    await sleep(0.05);
    const names = async (args: Record<string, unknown>) =>
      (await ask<{ tasks: Array<{ name: string }> }>(client, "ps", args)).data!.tasks.map((
        t,
      ) => t.name);
    const all = await names({ sort: "steps", filter: "w" });
    assertEquals(all.length, 60);
    // Steps are k % 5 + 1: the first of the 5-step tasks are w4, w9, w14, …
    assertEquals(all.slice(0, 3), ["w4", "w9", "w14"]);
    for (const limit of [1, 5, 13, 40]) {
      assertEquals(await names({ sort: "steps", filter: "w", limit }), all.slice(0, limit));
    }
    for (const t of tasks) t.cancel();
    client.close();
  });
});

// ---- top in a terminal --------------------------------------------------------------

const TMUX = hasTool("tmux", "-V");
if (!TMUX) {
  console.log(
    "%cmonitor_test: tmux is not installed; SKIPPING the top-in-a-terminal test: apt-get install tmux",
    "font-weight: bold",
  );
}

Deno.test({
  name:
    "monitor: top in a terminal (tmux): the table refreshes, q leaves the terminal as it was, a top killed mid-refresh leaves the monitor serving, top ends when the program exits",
  ignore: !TMUX,
  fn: async () => {
    const term = new Tmux(`asyncio-monitor-test-${Deno.pid}`);
    const tmux = (...args: string[]) => term.run(...args);
    const waitScreen = (test: (s: string) => boolean, what: string) =>
      term.waitFor("top", test, what);
    // hog 60 s after the start: not in this test. The program ends after 15 s.
    const program = await watched(["--allow-net=127.0.0.1"], fixture("monitor_block.ts"), [
      "60",
      "15",
    ]);
    const top =
      `${Deno.execPath()} run --quiet --allow-net=127.0.0.1 ${root}monitor/main.ts ${program.address} top`;
    try {
      await tmux(
        "new-session",
        "-d",
        "-s",
        "top",
        "-x",
        "150",
        "-y",
        "30",
        `printf 'before top\\n'; ${top}; echo "top ended: $?"; sleep 60`,
      );
      let s = await waitScreen((s) => s.includes("ticker"), "top's table");
      assert(s.startsWith("asyncio top: pid "), s);
      assert(
        /^task id +task name +state +steps +busy +sched +idle +age +awaiting +warnings/m.test(s),
        s,
      );
      // It refreshes: the ticker's step count moves.
      const steps = (text: string) => Number(/^0x2 +ticker +\S+ +(\d+)/m.exec(text)?.[1]);
      const before = steps(s);
      s = await waitScreen((s) => steps(s) > before, "a refresh");
      // s cycles the sort; q quits and leaves the alternate screen.
      await tmux("send-keys", "-t", "top", "s");
      await waitScreen((s) => s.includes("sort: sched"), "sort by scheduled time");
      await tmux("send-keys", "-t", "top", "q");
      s = await waitScreen((s) => s.includes("top ended: 0"), "top to end");
      assertEquals(s.split("\n").filter((l) => l !== ""), ["before top", "top ended: 0"]);
      assertEquals((await tmux("display", "-p", "-t", "top", "#{alternate_on}")).trim(), "0");

      // A top that dies mid-refresh (killed): the monitor serves the next client.
      await tmux("respawn-pane", "-k", "-t", "top", `${top}; echo "top ended: $?"; sleep 60`);
      await waitScreen((s) => s.includes("ticker"), "top's table again");
      await tmux("respawn-pane", "-k", "-t", "top", "sleep 60");
      const client = await connect(program.address);
      assertEquals((await client.request<PsData>("ps")).data!.tasks.map((t) => t.name), [
        "Task-1",
        "ticker",
        "waiter",
      ]);
      client.close();

      // The program exits while top watches it: top says so and restores the terminal.
      await tmux("respawn-pane", "-k", "-t", "top", `${top}; echo "top ended: $?"; sleep 60`);
      await waitScreen((s) => s.includes("ticker"), "top's table once more");
      s = await waitScreen((s) => s.includes("top ended: 1"), "top to end with the program");
      assert(s.includes("top: the program's monitor went away (did the program exit?)"), s);
      assertEquals((await tmux("display", "-p", "-t", "top", "#{alternate_on}")).trim(), "0");
    } finally {
      await tmux("kill-server");
      await program.stop();
    }
  },
});

Deno.test({
  name:
    "monitor: the REPL's attach top in a terminal (tmux): it refreshes until q or Ctrl-C, leaves the terminal as it found it, and the REPL goes on",
  ignore: !TMUX,
  fn: async () => {
    const term = new Tmux(`asyncio-monitor-repl-test-${Deno.pid}`);
    const tmux = (...args: string[]) => term.run(...args);
    const screen = () => term.screen("repl");
    const waitScreen = (test: (s: string) => boolean, what: string) =>
      term.waitFor("repl", test, what);
    const type = async (text: string) => {
      await tmux("send-keys", "-t", "repl", "-l", text);
      await tmux("send-keys", "-t", "repl", "Enter");
    };
    const alternate = async () =>
      (await tmux("display", "-p", "-t", "repl", "#{alternate_on}")).trim();
    const prompt = "virtual t=0.000 ready=0 timers=0 tasks=0> ";
    // (capture-pane drops the spaces that end a line)
    const atPrompt = (s: string) => s.split("\n").at(-1) === prompt.trimEnd();
    const program = await watched(["--allow-net=127.0.0.1"], fixture("monitor_block.ts"), [
      "60",
      "60",
    ]);
    const config = await Deno.makeTempDir();
    const repl = JSON.parse(await Deno.readTextFile(`${root}deno.json`)).tasks.repl.replace(
      /^deno /,
      `${Deno.execPath()} `,
    );
    try {
      await tmux(
        "new-session",
        "-d",
        "-s",
        "repl",
        "-x",
        "150",
        "-y",
        "30",
        `cd ${root} && env XDG_CONFIG_HOME=${config} NO_COLOR=1 ${repl} --virtual; sleep 60`,
      );
      await waitScreen(atPrompt, "the first prompt");
      await type(`attach ${program.address}`);
      await waitScreen((s) => s.includes("attach: attached to pid") && atPrompt(s), "attached");
      const before = await screen();

      await type("attach top");
      let s = await waitScreen((s) => s.includes("ticker"), "top's table");
      assert(s.startsWith("asyncio top: pid "), s);
      assertEquals(await alternate(), "1");
      // It refreshes: the ticker's step count moves.
      const steps = (text: string) => Number(/^0x2 +ticker +\S+ +(\d+)/m.exec(text)?.[1]);
      const first = steps(s);
      await waitScreen((s) => steps(s) > first, "a refresh");
      // Its keys are its own: s sorts, q quits; neither reaches the REPL's line.
      await tmux("send-keys", "-t", "repl", "s");
      await waitScreen((s) => s.includes("sort: sched"), "sort by scheduled time");
      await tmux("send-keys", "-t", "repl", "q");
      s = await waitScreen(atPrompt, "the prompt after q");
      assertEquals(await alternate(), "0");
      assertEquals(
        s,
        `${before.slice(0, -prompt.trimEnd().length)}${prompt}attach top\n${prompt.trimEnd()}`,
      );

      // Ctrl-C ends it too, and the REPL still answers.
      await type("attach top");
      await waitScreen((s) => s.includes("ticker"), "top's table again");
      await tmux("send-keys", "-t", "repl", "C-c");
      await waitScreen(atPrompt, "the prompt after Ctrl-C");
      assertEquals(await alternate(), "0");
      await type("attach ps");
      s = await waitScreen((s) => / 0x2 +ticker /.test(s) && atPrompt(s), "ps after top");
    } finally {
      await tmux("kill-server");
      await program.stop();
      await Deno.remove(config, { recursive: true });
    }
  },
});

// ---- The REPL's attach -----------------------------------------------------------------

Deno.test("monitor: the REPL's attach: attach ADDRESS, then ps, pstree, where and top's screen from the REPL; attach view FILE draws a recording", async () => {
  const album = await watched(
    ["--allow-net=127.0.0.1", "--allow-env=ASYNCIO_MONITOR"],
    fixture("monitor_album.ts"),
    [],
    { ASYNCIO_MONITOR: "127.0.0.1:0" },
  );
  let out = "";
  const session = new Session({ write: (text) => (out += text) });
  const lines = async (line: string) => {
    out = "";
    await session.exec(line);
    return out.replace(/\n$/, "").split("\n");
  };
  try {
    assertEquals(await lines("attach ps"), [
      "error: attach: no program attached; attach HOST:PORT#TOKEN first (the address its monitor printed)",
    ]);
    const attached = await lines(`attach ${album.address}`);
    assert(
      attached[0].startsWith(
        `attach: attached to pid ${album.child.pid} (file://${fixture("monitor_album.ts")}); `,
      ),
      attached[0],
    );
    let tree: string[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      tree = await lines("attach pstree");
      if (tree.filter((l) => l.includes("(T) ")).length === 7) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assertEquals(
      tree.filter((l) => l.includes("(T) ")).map((l) => l.trim().replace(/^[│├└─ ]+/, "")),
      [
        "(T) Task-1",
        "(T) Sundowning",
        "(T) TNDNBTG",
        "(T) Levitate",
        "(T) TMBTE",
        "(T) DYWTYLM",
        "(T) Aqua Regia",
      ],
    );
    const where = await lines("attach where 0x5");
    assert(
      where[0].startsWith(
        "task 0x5 'Levitate' (coroutine <anonymous>): awaiting, awaiting sleep, ",
      ),
      where[0],
    );
    const json = JSON.parse((await lines("attach ps --json"))[0]) as Answer<PsData>;
    assertEquals(json.data!.tasks.length, 7);
    const top = await lines("attach top");
    assert(
      top[0].startsWith("asyncio top: pid ") && top.some((l) => l.includes("Aqua Regia")),
      top.join("\n"),
    );
    // A recording made in another process, viewed here.
    const file = await Deno.makeTempFile({ suffix: ".json" });
    try {
      const made = await lines(`attach record 0.2 ${file}`);
      assert(made.some((l) => l.startsWith("recorded ")), made.join("\n"));
      const view = await lines(`attach view ${file}`);
      assert(view[0].startsWith(`${file}: pid ${album.child.pid} `), view.join("\n"));
    } finally {
      await Deno.remove(file);
    }
    assertEquals(await lines("attach cancel 0x99"), ["error: no pending task 0x99"]);
  } finally {
    session.close();
    await album.stop();
  }
});

Deno.test({
  name:
    "monitor: the REPL's export FILE.html after attach record: the page of the recorded program, its iterations and what ran in them",
  ignore: CHROMIUM === null,
  fn: async () => {
    const program = await watched(["--allow-net=127.0.0.1"], fixture("monitor_block.ts"), [
      "60",
      "60",
    ]);
    let out = "";
    const session = new Session({ write: (text) => (out += text) });
    const lines = async (line: string) => {
      out = "";
      await session.exec(line);
      return out.replace(/\n$/, "").split("\n");
    };
    const dir = await Deno.makeTempDir();
    try {
      await lines(`attach ${program.address}`);
      // The ticker steps every 50 ms: a few iterations in 0.3 s.
      const made = await lines(`attach record 0.3 ${dir}/run.json`);
      assert(made.some((l) => l.startsWith("recorded ")), made.join("\n"));
      const recording = JSON.parse(await Deno.readTextFile(`${dir}/run.json`)) as {
        events: unknown[][];
      };
      const iterations = recording.events.filter((e) => e[0] === "iteration").length;
      assert(iterations >= 3, `${iterations} iterations recorded`);
      const exported = await lines(`export ${dir}/page.html`);
      assertEquals(exported.length, 1, exported.join("\n"));
      // The page's iterations are those in which something ran (not an idle wake-up's alone).
      const shown = Number(
        new RegExp(
          `^export: wrote the browser view of the recording of pid ${program.child.pid} ` +
            `\\(\\d+ rows?, (\\d+) iterations\\) to ${dir}/page.html`,
        ).exec(exported[0])?.[1],
      );
      assert(shown >= 3 && shown <= iterations, exported[0]);
      // attach view FILE OUT.html writes the same page.
      const viewed = await lines(`attach view ${dir}/run.json ${dir}/view.html`);
      assert(
        viewed.at(-1)!.startsWith(`wrote ${dir}/view.html: the browser view of`),
        viewed.at(-1),
      );
      assertEquals(
        await Deno.readTextFile(`${dir}/view.html`),
        await Deno.readTextFile(`${dir}/page.html`),
      );
      // In the browser: every recorded iteration, and the ticker's steps in them.
      let ticked = 0;
      for (let k = 1; k <= 3; k++) {
        const page = await dumpDom(`file://${dir}/page.html#${k}`);
        assertEquals(rootData(page, "frames"), String(shown));
        assertEquals(rootData(page, "picked"), String(k));
        if (items(page, "ran").some((r) => r.includes("ticker"))) ticked++;
      }
      assert(ticked >= 1, "the ticker's steps are in the first iterations");
    } finally {
      session.close();
      await program.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

// ---- Off costs nothing ---------------------------------------------------------------------

Deno.test("monitor: off costs nothing: mod.ts reaches the monitor's modules only through dynamic imports", async () => {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `${root}mod.ts`],
    stdout: "piped",
  }).output();
  const graph = JSON.parse(decoder.decode(info.stdout)) as {
    modules: Array<
      {
        specifier: string;
        dependencies?: Array<
          { specifier: string; code?: { specifier: string }; isDynamic?: boolean }
        >;
      }
    >;
  };
  const heavy = ["_monitor.ts", "_monitor_worker.ts", "_monitor_shared.ts"];
  const edges = graph.modules.flatMap((m) =>
    (m.dependencies ?? []).filter((d) => heavy.some((h) => d.code?.specifier.endsWith(`/lib/${h}`)))
      .map((d) =>
        `${m.specifier.replace(/.*\/lib\//, "")} -> ${d.specifier}${
          d.isDynamic ? " (dynamic)" : ""
        }`
      )
  );
  // Static edges only among the monitor's own modules, reached dynamically.
  for (const edge of edges) {
    assert(edge.endsWith("(dynamic)") || edge.startsWith("_monitor"), edge);
  }
  assert(edges.some((e) => e.endsWith("(dynamic)")), edges.join("\n"));
});

Deno.test("monitor: the names of callbacks, looked up by function, stay right when the name arena starts over", () => {
  const arena = new NameArena(sharedViews(1));
  // Forty functions, as an echo server's connections each have their own
  // closure: one in seventeen named is remembered by function, the rest are
  // named again; an anonymous one is "<anonymous>".
  const fns = Array.from({ length: 40 }, (_, i) => ({ [`conn${i}`]: () => i })[`conn${i}`]);
  const names = (): string[] => fns.map((fn) => arena.text(arena.refOf(fn)));
  const expected = fns.map((fn) => fn.name);
  for (let round = 0; round < 20; round++) assertEquals(names(), expected);
  assertEquals(arena.text(arena.refOf(() => {})), "<anonymous>");
  assertEquals(arena.text(arena.refOf(fns[0])), "conn0"); // the function named last, below
  // Enough other names to fill the arena: it starts over, and each earlier
  // reference may now name something else.
  for (let i = 0; i < 3000; i++) arena.ref(`other-${i}-${"x".repeat(100)}`);
  assertEquals(names(), expected);
});

Deno.test("monitor: a callback that alternates with closures made once is soon named without reading its name", () => {
  const arena = new NameArena(sharedViews(1));
  let reads = 0;
  const recurring = {
    get name() {
      reads++;
      return "recurring";
    },
  };
  for (let i = 0; i < 200; i++) {
    assertEquals(arena.text(arena.refOf(recurring)), "recurring");
    arena.refOf({ name: `once${i}` });
  }
  assert(reads < 40, `its name was read ${reads} times in 200`);
});
