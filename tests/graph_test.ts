// The await graph (lib/graph.ts): captureCallGraph / formatCallGraph /
// printCallGraph as CPython 3.14's asyncio.graph, and formatTaskTree as
// `python -m asyncio pstree`.
//
// No Python 3.14 is installed here, so the expected outputs are written from
// its documentation (Doc/library/asyncio-graph.rst, the print_call_graph
// example; Doc/library/asyncio-tools.rst, the pstree example) and its layout
// (Lib/asyncio/graph.py: four spaces per level, `+`/`|` lines indented by
// two; the docs' literal block is looser with the nesting), not recorded.
// Where ours must differ, a comment says how and why. Ids are normalised
// (`id=0x…`: ours are numbers given on first sight, CPython's addresses), as
// are default task names (`Task-N`) and line numbers inside lib/ files;
// line numbers in this file are exact (see `lineOf`).
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { withLoop } from "./_util.ts";
import {
  allTasks,
  CancelledError,
  captureCallGraph,
  createTask,
  currentTask,
  EventLoop,
  type ExceptionContext,
  formatCallGraph,
  formatTaskTree,
  FrameCallGraphEntry,
  type Future,
  FutureCallGraph,
  gather,
  printCallGraph,
  RuntimeError,
  shield,
  sleep,
  type Task,
  TaskGroup,
  VirtualClock,
  waitFor,
} from "../mod.ts";

const HERE = new URL(import.meta.url).pathname;
const LIB = new URL("../lib/", import.meta.url).pathname;
const SOURCE = Deno.readTextFileSync(new URL(import.meta.url)).split("\n");

/** The line of this file that ends with the comment `// @name`. */
function lineOf(name: string): number {
  const index = SOURCE.findIndex((line) => line.endsWith(`// @${name}`));
  assert(index >= 0, `no line marked @${name}`);
  return index + 1;
}

/** The output with what changes from run to run (ids, default names, lib/ lines) made constant. */
function normalise(text: string): string[] {
  return text
    .replaceAll(/id=0x[0-9a-f]+/g, "id=0x…")
    .replaceAll(/Task-\d+/g, "Task-N")
    .replaceAll(/(lib\/\w+\.ts', line )\d+/g, "$1N")
    .replaceAll(/(lib\/\w+\.ts:)\d+/g, "$1N")
    .split("\n");
}

/** The pending task of `loop` named `name`. */
function taskNamed(loop: EventLoop, name: string): Task<unknown> {
  const task = [...allTasks(loop)].find((t) => t.getName() === name);
  assert(task !== undefined, `no task ${name}`);
  return task;
}

/** Run `body` on a virtual-clock loop in debug mode (stacks of suspended tasks are recorded). */
async function withDebugLoop(body: (loop: EventLoop) => Promise<void>): Promise<void> {
  const loop = new EventLoop({ clock: new VirtualClock(), debug: true });
  const errors: ExceptionContext[] = [];
  loop.setExceptionHandler((_loop, context) => errors.push(context));
  try {
    await body(loop);
  } finally {
    loop.close();
  }
  assertEquals(errors.map((e) => e.message), []);
}

// ---- print_call_graph: the documented example ------------------------------

Deno.test("printCallGraph() in a TaskGroup's task: the example of CPython's docs", async () => {
  const printed: string[] = [];
  // The docs' program: main enters a TaskGroup, its task prints its graph.
  // deno-lint-ignore require-await -- async as in the docs
  async function test() {
    printCallGraph(null, { write: (text) => printed.push(text) }); // @test
  }
  async function main() {
    await TaskGroup.run((g) => { // @main
      g.createTask(test, { name: "test" });
    });
  }
  for (const debug of [true, false]) {
    printed.length = 0;
    const loop = new EventLoop({ clock: new VirtualClock(), debug });
    await loop.runUntilComplete(main);
    loop.close();
    // The docs show `in async test()`: V8 marks only suspended callers
    // `async`, not the function that runs. Where the docs have
    // TaskGroup.__aexit__ and its helper, ours are TaskGroup.#exit and run.
    // Without debug mode a suspended task's stack is not known.
    const mainStack = [
      "      + Call stack:",
      `      |   File '${LIB}taskgroups.ts', line N, in async TaskGroup.#exit()`,
      `      |   File '${LIB}taskgroups.ts', line N, in async TaskGroup.run()`,
      `      |   File '${HERE}', line ${lineOf("main")}, in async main()`,
    ];
    assertEquals(normalise(printed.join("\n")), [
      "* Task(name='test', id=0x…)",
      "  + Call stack:",
      `  |   File '${HERE}', line ${lineOf("test")}, in test()`,
      "  + Awaited by:",
      "    * Task(name='Task-N', id=0x…)",
      ...(debug ? mainStack : []),
    ]);
  }
});

// ---- The seed's sleepers -----------------------------------------------------

async function sleeper(delay: number, log: string[]): Promise<void> {
  await sleep(delay); // @sleeper
  log.push(`Finished sleeper with delay: ${delay}`);
}

Deno.test("the seed's sleepers under gather: each is awaited by the task that called gather", () =>
  withDebugLoop(async (loop) => {
    const log: string[] = [];
    let sleepers: Task<void>[] = [];
    let graph = "", tree = "";
    loop.callLater(0.5, () => {
      graph = formatCallGraph(sleepers[0]);
      tree = formatTaskTree(loop);
    });
    await loop.runUntilComplete(async function main() {
      sleepers = [1, 3, 2].map((d) => createTask(() => sleeper(d, log), { name: `sleeper(${d})` }));
      await gather(...sleepers); // @gather
    });
    assertEquals(log, [1, 2, 3].map((d) => `Finished sleeper with delay: ${d}`));
    assertEquals(normalise(graph), [
      "* Task(name='sleeper(1)', id=0x…)",
      "  + Call stack:",
      `  |   File '${HERE}', line ${lineOf("sleeper")}, in async sleeper()`,
      "  + Awaited by:",
      "    * Task(name='Task-N', id=0x…)",
      "      + Call stack:",
      `      |   File '${HERE}', line ${lineOf("gather")}, in async main()`,
    ]);
    const sleeperFrame = ` sleeper ${HERE}:${lineOf("sleeper")}`;
    assertEquals(normalise(tree), [
      "└── (T) Task-N",
      `    └──  main ${HERE}:${lineOf("gather")}`,
      "        ├── (T) sleeper(1)",
      `        │   └── ${sleeperFrame}`,
      "        ├── (T) sleeper(3)",
      `        │   └── ${sleeperFrame}`,
      "        └── (T) sleeper(2)",
      `            └── ${sleeperFrame}`,
    ]);
    // Done: nothing awaits a finished future any more.
    const done = captureCallGraph(sleepers[0])!;
    assert(done.future === sleepers[0] && done.callStack.length + done.awaitedBy.length === 0);
  }));

Deno.test("without debug mode the graph has the awaits but no stacks of suspended tasks", () =>
  withLoop(async (loop) => {
    let graph: FutureCallGraph | null = null;
    let tree = "";
    loop.callLater(0.5, () => {
      graph = captureCallGraph(taskNamed(loop, "sleeper(3)"));
      tree = formatTaskTree(loop);
    });
    await loop.runUntilComplete(async function main() {
      await gather(
        ...[1, 3, 2].map((d) => createTask(() => sleeper(d, []), { name: `sleeper(${d})` })),
      );
    });
    const g = graph as FutureCallGraph | null;
    assert(g !== null);
    assertEquals([g.callStack.length, g.awaitedBy.length, g.awaitedBy[0].callStack.length], [
      0,
      1,
      0,
    ]);
    assertEquals(normalise(tree), [
      "└── (T) Task-N",
      "    ├── (T) sleeper(1)",
      "    ├── (T) sleeper(3)",
      "    └── (T) sleeper(2)",
    ]);
  }));

// ---- pstree: the documented example -----------------------------------------

async function play(_track: string): Promise<void> {
  await sleep(3600); // @play
}

async function album(_name: string, tracks: string[]): Promise<void> {
  await TaskGroup.run((tg) => { // @album
    for (const track of tracks) tg.createTask(() => play(track), { name: track });
  });
}

async function albums(): Promise<void> {
  await TaskGroup.run((tg) => { // @albums
    tg.createTask(() => album("Sundowning", ["TNDNBTG", "Levitate"]), { name: "Sundowning" });
    tg.createTask(() => album("TMBTE", ["DYWTYLM", "Aqua Regia"]), { name: "TMBTE" });
  });
}

Deno.test("formatTaskTree() draws nested TaskGroups as the pstree example of CPython's docs", async () => {
  for (const debug of [true, false]) {
    const loop = new EventLoop({ clock: new VirtualClock(), debug });
    let tree = "";
    loop.callLater(1, () => {
      tree = formatTaskTree(loop);
      main.cancel();
    });
    const main = loop.createTask(albums);
    await loop.runUntilComplete(main).catch((err) => assert(err instanceof CancelledError));
    loop.close();
    // The docs' tree, with our frames: TaskGroup.run and TaskGroup.#exit
    // where CPython has TaskGroup.__aexit__ and _aexit; no `sleep` frame
    // under play (our sleep() is not an async function: its await is the
    // loop's, left out).
    const group = (indent: string) => [
      `${indent}└──  TaskGroup.run ${LIB}taskgroups.ts:N`,
      `${indent}    └──  TaskGroup.#exit ${LIB}taskgroups.ts:N`,
    ];
    const playFrame = ` play ${HERE}:${lineOf("play")}`;
    const withStacks = [
      "└── (T) Task-N",
      `    └──  albums ${HERE}:${lineOf("albums")}`,
      ...group("        "),
      "                ├── (T) Sundowning",
      `                │   └──  album ${HERE}:${lineOf("album")}`,
      ...group("                │       "),
      "                │               ├── (T) TNDNBTG",
      `                │               │   └── ${playFrame}`,
      "                │               └── (T) Levitate",
      `                │                   └── ${playFrame}`,
      "                └── (T) TMBTE",
      `                    └──  album ${HERE}:${lineOf("album")}`,
      ...group("                        "),
      "                                ├── (T) DYWTYLM",
      `                                │   └── ${playFrame}`,
      "                                └── (T) Aqua Regia",
      `                                    └── ${playFrame}`,
    ];
    const tasksOnly = [
      "└── (T) Task-N",
      "    ├── (T) Sundowning",
      "    │   ├── (T) TNDNBTG",
      "    │   └── (T) Levitate",
      "    └── (T) TMBTE",
      "        ├── (T) DYWTYLM",
      "        └── (T) Aqua Regia",
    ];
    assertEquals(normalise(tree), debug ? withStacks : tasksOnly);
  }
});

Deno.test("formatTaskTree(): one tree per task nothing awaits; a loop that is not running", () =>
  withLoop(async (loop) => {
    const a = loop.createTask(() => sleep(1), { name: "a" });
    const b = loop.createTask(async () => await a, { name: "b" });
    const c = loop.createTask(() => sleep(1), { name: "c" });
    await loop.runUntilComplete(() => sleep(0));
    // Between runs: the tasks are pending, the loop is not running.
    assertEquals(formatTaskTree(loop).split("\n"), [
      "└── (T) b",
      "    └── (T) a",
      "└── (T) c",
    ]);
    await loop.runUntilComplete(() => gather(a, b, c));
    assertEquals(formatTaskTree(loop), "");
    assertThrows(() => formatTaskTree(), RuntimeError, "no running event loop");
  }));

Deno.test("formatTaskTree() names each task as its label option says", () =>
  withLoop(async (loop) => {
    const a = loop.createTask(() => sleep(1), { name: "a" });
    const b = loop.createTask(async () => await a, { name: "b" });
    await loop.runUntilComplete(() => sleep(0));
    const label = (task: Task<unknown>) => `${task.getName()} [${task === a ? "asleep" : "waits"}]`;
    assertEquals(formatTaskTree(loop, { label }).split("\n"), [
      "└── (T) b [waits]",
      "    └── (T) a [asleep]",
    ]);
    a.cancel();
    await loop.runUntilComplete(() => gather(b, { returnExceptions: true }));
  }));

Deno.test("formatTaskTree() in a task shows where that task is, even without debug mode", () =>
  withLoop(async (loop) => {
    let tree = "";
    // deno-lint-ignore require-await -- draws in its first step
    async function drawer() {
      tree = formatTaskTree(); // @drawn
    }
    await loop.runUntilComplete(loop.createTask(drawer, { name: "drawer" }));
    assertEquals(tree.split("\n"), [
      "└── (T) drawer",
      `    └──  drawer ${HERE}:${lineOf("drawn")}`,
    ]);
  }));

// ---- Tasks awaiting tasks, shield, waitFor, plain futures -------------------

Deno.test("nested tasks awaiting tasks: each level is awaited by the one above", () =>
  withDebugLoop(async (loop) => {
    let graph: FutureCallGraph | null = null;
    async function leaf() {
      await sleep(1); // @leaf
    }
    async function middle() {
      await createTask(leaf, { name: "leaf" }); // @middle
    }
    async function top() {
      await createTask(middle, { name: "middle" }); // @top
    }
    loop.callLater(0.5, () => {
      graph = captureCallGraph(taskNamed(loop, "leaf"));
    });
    await loop.runUntilComplete(loop.createTask(top, { name: "top" }));
    const g = graph as FutureCallGraph | null;
    assert(g instanceof FutureCallGraph && g.callStack[0] instanceof FrameCallGraphEntry);
    assertEquals(g.callStack[0].frame, {
      functionName: "leaf",
      fileName: new URL(import.meta.url).href,
      lineNumber: lineOf("leaf"),
      columnNumber: SOURCE[lineOf("leaf") - 1].indexOf("await") + 1,
      isAsync: true,
    });
    assert(Object.isFrozen(g) && Object.isFrozen(g.callStack) && Object.isFrozen(g.awaitedBy));
    const chain: string[] = [];
    for (let node: FutureCallGraph | undefined = g; node; node = node.awaitedBy[0]) {
      assert(node.awaitedBy.length <= 1);
      chain.push(`${(node.future as Task).getName()} at ${node.callStack[0].frame.lineNumber}`);
    }
    assertEquals(chain, [
      `leaf at ${lineOf("leaf")}`,
      `middle at ${lineOf("middle")}`,
      `top at ${lineOf("top")}`,
    ]);
  }));

Deno.test("the running task's stack: depth skips frames, limit keeps the outermost (+) or newest (-)", () =>
  withDebugLoop(async (loop) => {
    const results: string[][] = [];
    const lines = (graph: FutureCallGraph | null) =>
      graph!.callStack.map(({ frame }) => `${frame.functionName}:${frame.lineNumber}`);
    // deno-lint-ignore require-await -- runs in the task's first step
    async function inner() {
      results.push(lines(captureCallGraph())); // @inner
      results.push(lines(captureCallGraph(null, { depth: 2 })));
      results.push(lines(captureCallGraph(null, { limit: 1 })));
      results.push(lines(captureCallGraph(null, { limit: -1 })));
      results.push(lines(captureCallGraph(currentTask(), { limit: 0 })));
    }
    async function outer() {
      await sleep(0);
      await inner(); // @outer
    }
    await loop.runUntilComplete(outer);
    // One capture per line, from the line marked @inner on.
    const innerAt = (k: number) => `inner:${lineOf("inner") + k}`;
    const outerAt = `outer:${lineOf("outer")}`;
    assertEquals(results, [
      [innerAt(0), outerAt],
      [outerAt],
      [outerAt],
      [innerAt(3)],
      [],
    ]);
  }));

Deno.test("shield(): the calling task awaits the inner future until the shield is done", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const inner = createTask(() => sleep(2, "kept"), { name: "inner" });
      const caller = createTask(() => shield(inner), { name: "caller" });
      await sleep(1);
      const awaiters = (f: Future<unknown>) =>
        captureCallGraph(f)!.awaitedBy.map((g) => (g.future as Task).getName());
      assertEquals(awaiters(inner), ["caller"]);
      caller.cancel();
      await sleep(0);
      assert(caller.cancelled());
      // CPython keeps the caller listed until `inner` is done; here it goes
      // with the shield, since the caller no longer waits.
      assertEquals(awaiters(inner), []);
      assertEquals(await inner, "kept");
    })
  ));

Deno.test("waitFor(): a task is awaited by the caller; an async function runs inline in it", () =>
  withDebugLoop(async (loop) => {
    let direct = "", inline = "";
    async function work() {
      await sleep(5); // @work
    }
    loop.callLater(1, () => {
      const [viaTask, viaFunction, child] = ["viaTask", "viaFunction", "child"].map((name) =>
        taskNamed(loop, name)
      );
      direct = formatCallGraph(child);
      inline = formatCallGraph(viaFunction);
      viaTask.cancel();
      viaFunction.cancel();
    });
    await loop.runUntilComplete(async function main() {
      const child = createTask(work, { name: "child" });
      const viaTask = createTask(async function viaTask() {
        await waitFor(child, 10); // @viaTask
      }, { name: "viaTask" });
      const viaFunction = createTask(async function viaFunction() {
        await waitFor(work, 10); // @viaFunction
      }, { name: "viaFunction" });
      await gather(viaTask, viaFunction, { returnExceptions: true }); // @waitForMain
      child.cancel();
    });
    // As Python 3.12's wait_for, a timeout scope around the await.
    assertEquals(normalise(direct), [
      "* Task(name='child', id=0x…)",
      "  + Call stack:",
      `  |   File '${HERE}', line ${lineOf("work")}, in async work()`,
      "  + Awaited by:",
      "    * Task(name='viaTask', id=0x…)",
      "      + Call stack:",
      `      |   File '${LIB}timeouts.ts', line N, in async Timeout.run()`,
      `      |   File '${HERE}', line ${lineOf("viaTask")}, in async viaTask()`,
      "      + Awaited by:",
      "        * Task(name='Task-N', id=0x…)",
      "          + Call stack:",
      `          |   File '${HERE}', line ${lineOf("waitForMain")}, in async main()`,
    ]);
    assertEquals(normalise(inline), [
      "* Task(name='viaFunction', id=0x…)",
      "  + Call stack:",
      `  |   File '${HERE}', line ${lineOf("work")}, in async work()`,
      `  |   File '${LIB}timeouts.ts', line N, in async Timeout.run()`,
      `  |   File '${HERE}', line ${lineOf("viaFunction")}, in async viaFunction()`,
      "  + Awaited by:",
      "    * Task(name='Task-N', id=0x…)",
      "      + Call stack:",
      `      |   File '${HERE}', line ${lineOf("waitForMain")}, in async main()`,
    ]);
  }));

Deno.test("a plain future awaited by a task shows as Future(id=…); ids stay the same", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const fut = loop.createFuture<number>();
      const waiter = createTask(async () => await fut, { name: "waiter" });
      await sleep(0);
      const text = formatCallGraph(fut);
      assertEquals(normalise(text), [
        "* Future(id=0x…)",
        "  + Awaited by:",
        "    * Task(name='waiter', id=0x…)",
      ]);
      assertEquals(formatCallGraph(fut), text, "the same ids on a second look");
      fut.setResult(1);
      assertEquals(await waiter, 1);
      assertEquals(formatCallGraph(fut).split("\n").length, 1);
    })
  ));

Deno.test("a TaskGroup's parent awaits its tasks while the body still runs", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      await TaskGroup.run(async (tg) => {
        const child = tg.createTask(() => sleep(1), { name: "child" });
        await sleep(0.5);
        const { awaitedBy } = captureCallGraph(child)!;
        assert(awaitedBy.length === 1 && awaitedBy[0].future === currentTask());
      });
    })
  ));

// ---- Cycles --------------------------------------------------------------------

Deno.test("an await cycle: the graph stops at the repeated task; formatTaskTree() throws", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      // Two tasks awaiting each other never end; the shield lets a cancel
      // break the cycle (cancelling a task that awaits a task cancels that
      // one too, which would go round for ever, as in CPython).
      const one: Task<unknown> = createTask(async () => {
        await sleep(0);
        await shield(two);
      }, { name: "one" });
      const two = createTask(async () => await one, { name: "two" });
      await sleep(1);
      assertEquals(normalise(formatCallGraph(one)), [
        "* Task(name='one', id=0x…)",
        "  + Awaited by:",
        "    * Task(name='two', id=0x…)",
        "      + Awaited by:",
        "        * Task(name='one', id=0x…) (await cycle)",
      ]);
      const repeated = captureCallGraph(one)!.awaitedBy[0].awaitedBy[0];
      assert(repeated.future === one && repeated.awaitedBy.length === 0);
      assertThrows(
        () => formatTaskTree(loop),
        RuntimeError,
        "await-graph contains cycles - cannot print a tree! cycle: one → two → one",
      );
      one.cancel();
      await gather(one, two, { returnExceptions: true });
      assert(one.cancelled() && two.cancelled());
    })
  ));

// ---- Arguments and edges ----------------------------------------------------

Deno.test("no current task: null / empty; no running loop and no future: RuntimeError", () =>
  withLoop(async (loop) => {
    assertThrows(() => captureCallGraph(), RuntimeError, "outside of a running event loop");
    assertThrows(() => formatCallGraph(), RuntimeError, "outside of a running event loop");
    const seen: unknown[] = [];
    loop.callSoon(() => {
      seen.push(captureCallGraph(), formatCallGraph());
      printCallGraph(undefined, { write: (text) => seen.push(text) });
    });
    await loop.runUntilComplete(() => sleep(0));
    assertEquals(seen, [null, "", ""]);
    assertThrows(() => captureCallGraph({} as Future), TypeError, "compatible with asyncio.Future");
    const fut = loop.createFuture();
    assertThrows(() => captureCallGraph(fut, { depth: -1 }), RangeError);
    assertThrows(() => captureCallGraph(fut, { limit: 1.5 }), RangeError);
    assertEquals(captureCallGraph(fut)!.future, fut, "a future outside any loop run");
  }));
