/**
 * The await graph: which task awaits which future, and where each task is,
 * as CPython 3.14's `asyncio/graph.py` (`capture_call_graph`,
 * `format_call_graph`, `print_call_graph`), plus the tree of all pending
 * tasks that `python -m asyncio pstree` prints (`formatTaskTree`).
 *
 * What is known, and from where:
 * - A task that awaits a future is one of its waiters; `gather`, `TaskGroup`
 *   and `shield` register the calling task as awaiting their children (as
 *   CPython 3.14 does with `future_add_to_awaited_by`). A `waitFor` of a
 *   future or task awaits it directly; a `waitFor` of an async function
 *   runs it inline in the calling task, as Python 3.12's, so there is no
 *   child to show. `wait` and `asCompleted` make no edge (neither do they
 *   in CPython), nor does `Promise.all` of futures, nor a promise the loop
 *   does not own.
 * - Stack frames come from V8. The running task's stack is read where the
 *   graph is captured. A suspended async function cannot be inspected, so
 *   for a task suspended on a loop future the stack is the one recorded at
 *   that `await` in debug mode (`new EventLoop({ debug: true })`,
 *   `run(main, { debug: true })`, as `Task.getStack` uses; as many frames
 *   as `Error.stackTraceLimit` lets V8 record, 10 by default); without debug
 *   mode, or while a task awaits something else (`sleep(0)`, a foreign
 *   promise), its call stack is empty. Frames of the loop's core
 *   (`tasks.ts`, `futures.ts`, …), of Deno's runtime and of V8 builtins
 *   are left out, as CPython shows no C frames.
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { getRunningLoop } from "./events.ts";
import { RuntimeError } from "./exceptions.ts";
import { Future } from "./futures.ts";
import { currentTask, Task } from "./tasks.ts";
import { _getRunningLoopOrNull } from "./_running.ts";
import { _awaiterOf } from "./_awaiters.ts";
import { pyRepr, shortRepr } from "./_util.ts";

/**
 * One stack frame, as V8 reports it (the names of its `CallSite` API).
 */
export interface CallGraphFrame {
  /** The function's name (`sleeper`, `TaskGroup.run`); `""` for an anonymous function. */
  readonly functionName: string;
  /** The module's URL (`file:///…/main.ts`). */
  readonly fileName: string;
  /** 1-based. */
  readonly lineNumber: number;
  /** 1-based. */
  readonly columnNumber: number;
  /**
   * True for a frame V8 reached through an `await` (`at async f`): an async
   * function suspended there. The frame that runs is never marked, even in
   * an async function.
   */
  readonly isAsync: boolean;
}

/**
 * One frame of a call stack in a `FutureCallGraph`.
 *
 * Mirrors `asyncio.FrameCallGraphEntry` (whose `frame` is a Python frame
 * object; here a `CallGraphFrame`).
 */
export class FrameCallGraphEntry {
  /** Made by `captureCallGraph`. */
  constructor(
    /** The frame. */
    readonly frame: CallGraphFrame,
  ) {
    Object.freeze(this);
  }
}

/**
 * A future, where its code is (`callStack`, most recent call first) and the
 * graphs of the futures (tasks) that await it (`awaitedBy`).
 *
 * Mirrors `asyncio.FutureCallGraph` (its `call_stack` and `awaited_by`
 * tuples are frozen arrays here).
 */
export class FutureCallGraph {
  /** Made by `captureCallGraph`. */
  constructor(
    /** The future or task. */
    readonly future: Future<unknown>,
    /** Its frames, most recent call first; empty for a plain future (see the module's notes). */
    readonly callStack: readonly FrameCallGraphEntry[],
    /** The graphs of what awaits it. */
    readonly awaitedBy: readonly FutureCallGraph[],
  ) {
    Object.freeze(callStack);
    Object.freeze(awaitedBy);
    Object.freeze(this);
  }
}

/** Options of `captureCallGraph` and `formatCallGraph`. */
export interface CallGraphOptions {
  /**
   * For the current task: how many frames to skip from the top of the
   * stack; 1 (the default) starts at the caller of `captureCallGraph`.
   */
  depth?: number;
  /**
   * Keep at most `Math.abs(limit)` frames of each call stack: the ones
   * closest to where the task started if positive, the most recent ones if
   * negative; `0` keeps none; `null` (the default) keeps all.
   */
  limit?: number | null;
}

/** Options of `printCallGraph`. */
export interface PrintCallGraphOptions extends CallGraphOptions {
  /** Receives the text (default `console.log`). */
  write?: (text: string) => void;
}

/**
 * The await graph of `future`, or of the current task when `future` is
 * left out: its call stack and, recursively, what awaits it. For the
 * running task the stack is read here; for any other task it is the one
 * recorded at its `await` in debug mode (empty otherwise; see the module's
 * notes). A future seen again along one path (an await cycle) is given with
 * no stack and nothing awaiting it, so that the graph stays finite.
 *
 * Mirrors `asyncio.capture_call_graph` (Python 3.14).
 * @returns `null` if `future` is left out and no task is running.
 * @throws {RuntimeError} if `future` is left out and no loop is running.
 * @throws {TypeError} if `future` is not a `Future`.
 * @throws {RangeError} for a `depth` or `limit` that is not an integer.
 * @example
 * ```ts
 * import { captureCallGraph, createTask, currentTask, gather, run, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   const child = createTask(() => sleep(0.01), { name: "child" });
 *   const look = createTask(async () => captureCallGraph(child)!);
 *   const [, graph] = await gather(child, look);
 *   // The task that called gather awaits both children.
 *   console.assert(graph.future === child && graph.awaitedBy[0].future === currentTask());
 * });
 * ```
 */
export function captureCallGraph(
  future?: Future<unknown> | null,
  options: CallGraphOptions = {},
): FutureCallGraph | null {
  const depth = options.depth ?? 1;
  const limit = options.limit ?? null;
  if (!Number.isInteger(depth) || depth < 0) {
    throw new RangeError(`depth must be a non-negative integer, got ${shortRepr(depth)}`);
  }
  if (limit !== null && !Number.isInteger(limit)) {
    throw new RangeError(`limit must be an integer or null, got ${shortRepr(limit)}`);
  }
  const loop = _getRunningLoopOrNull();
  if (future == null) {
    if (loop === null) {
      throw new RuntimeError(
        "captureCallGraph() is called outside of a running event loop " +
          "and no future to introspect was provided",
      );
    }
    future = currentTask(loop);
    if (future === null) return null;
  }
  if (!(future instanceof Future)) {
    throw new TypeError(
      `${shortRepr(future)} object does not appear to be compatible with asyncio.Future`,
    );
  }
  const path = new Set<Future<unknown>>([future]);
  if (loop === null || future !== currentTask(loop)) return graphOf(future, limit, path);
  // The running task: its stack is here, from our caller (`depth` 1) down.
  const frames = framesHere(captureCallGraph, depth);
  return new FutureCallGraph(future, trim(frames, limit), awaitedByGraphs(future, limit, path));
}

/**
 * The await graph of `future` (default: the current task) as text, in
 * CPython's layout: one `* Task(name=…, id=…)` or `* Future(id=…)` line per
 * future, its `+ Call stack:` (most recent call first) and `+ Awaited by:`,
 * each level indented by four spaces. `id` is a number given to each
 * future the first time a graph shows it (JavaScript has no addresses). A
 * future met again along one path (an await cycle) is marked
 * `(await cycle)`.
 *
 * Mirrors `asyncio.format_call_graph` (Python 3.14).
 * @returns `""` if `future` is left out and no task is running.
 * @throws {RuntimeError} if `future` is left out and no loop is running.
 * @example
 * ```ts
 * import { createTask, formatCallGraph, run } from "@asyncio/deno";
 * const text = await run(() => createTask(async () => formatCallGraph(), { name: "inner" }));
 * // inner is running, awaited by run's main task.
 * console.assert(text.startsWith("* Task(name='inner', id=0x"));
 * console.assert(text.includes("+ Awaited by:\n    * Task(name='Task-"));
 * ```
 */
export function formatCallGraph(
  future?: Future<unknown> | null,
  options: CallGraphOptions = {},
): string {
  const graph = captureCallGraph(future, {
    depth: (options.depth ?? 1) + 1,
    limit: options.limit,
  });
  if (graph === null) return "";
  const lines: string[] = [];
  render(graph, 0, [], lines);
  return lines.join("\n");
}

/**
 * Print `formatCallGraph(future, options)`.
 *
 * Mirrors `asyncio.print_call_graph` (Python 3.14; `file=` is `write`).
 * @throws {RuntimeError} if `future` is left out and no loop is running.
 * @example
 * ```ts
 * import { printCallGraph, run } from "@asyncio/deno";
 * const printed: string[] = [];
 * await run(async () => printCallGraph(null, { write: (text) => printed.push(text) }));
 * console.assert(printed[0].startsWith("* Task(name='Task-"));
 * ```
 */
export function printCallGraph(
  future?: Future<unknown> | null,
  options: PrintCallGraphOptions = {},
): void {
  const write = options.write ?? ((text: string) => console.log(text));
  write(formatCallGraph(future, { depth: (options.depth ?? 1) + 1, limit: options.limit }));
}

/**
 * The tree of the pending tasks of `loop` (default: the running loop), as
 * `python -m asyncio pstree` prints it for a process: each task as
 * `(T) name`, with its call stack (outermost call first, one level per
 * frame: `function path:line`), and under the stack the tasks it awaits,
 * so a task awaited by two tasks appears under both. Tasks nothing awaits
 * are the roots, in the order they were created. The running task's stack
 * is read here; a suspended task's needs debug mode (see the module's
 * notes), without which the tree shows the tasks only.
 *
 * Not in asyncio's API: its `pstree` command reads another process; this
 * is that command's format for this process's loop (the REPL's `graph`).
 * @param options.label names a task in the tree (default: `task.getName()`),
 *   for tools that know more about each task (the REPL adds its id and what
 *   the task waits on).
 * @returns the lines, joined by `"\n"`; `""` if no task is pending.
 * @throws {RuntimeError} if tasks await one another in a cycle (no tree
 *   can show it): `await-graph contains cycles - cannot print a tree!`,
 *   then each cycle as `cycle: a → b → a`.
 * @example
 * ```ts
 * import { formatTaskTree, gather, getRunningLoop, run, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   const [, tree] = await gather(() => sleep(0.01), () => formatTaskTree(getRunningLoop()));
 *   // The main task, under it the two tasks it gathers (and where the running one is).
 *   const tasks = tree.split("\n").filter((line) => line.includes("(T) Task-"));
 *   console.assert(tasks.length === 3 && tasks[1].startsWith("    ├── (T) Task-"));
 * });
 * ```
 */
export function formatTaskTree(
  loop: EventLoop = getRunningLoop(),
  options: TaskTreeOptions = {},
): string {
  const label = options.label ?? ((task: Task<unknown>) => task.getName());
  const tasks = [...loop._tasks];
  const pending = new Set(tasks);
  const children = new Map<Task<unknown>, Task<unknown>[]>();
  const awaited = new Set<Task<unknown>>();
  for (const task of tasks) {
    for (const awaiter of awaitersOf(task)) {
      if (!(awaiter instanceof Task) || !pending.has(awaiter)) continue;
      const list = children.get(awaiter);
      if (list === undefined) children.set(awaiter, [task]);
      else list.push(task);
      awaited.add(task);
    }
  }
  const cycles = findCycles(tasks, children);
  if (cycles.length > 0) {
    const named = cycles.map((cycle) => `cycle: ${cycle.map((t) => t.getName()).join(" → ")}`);
    throw new RuntimeError(
      `await-graph contains cycles - cannot print a tree! ${named.join("; ")}`,
    );
  }
  // A task's node holds its frames, outermost first and each one level
  // deeper, and the tasks it awaits under the innermost frame (as pstree).
  const running = currentTask(loop);
  const here = running === null ? [] : framesHere(formatTaskTree, 1);
  const nodeOf = (task: Task<unknown>): TreeNode => {
    let below = (children.get(task) ?? []).map(nodeOf);
    for (const frame of task === running ? here : suspendedFrames(task)) {
      below = [{ label: ` ${frameLabel(frame)}`, below }];
    }
    return { label: `(T) ${label(task)}`, below };
  };
  const lines: string[] = [];
  const draw = (node: TreeNode, prefix: string, last: boolean): void => {
    lines.push(`${prefix}${last ? "└── " : "├── "}${node.label}`);
    const inner = prefix + (last ? "    " : "│   ");
    node.below.forEach((child, i) => draw(child, inner, i === node.below.length - 1));
  };
  for (const task of tasks) if (!awaited.has(task)) draw(nodeOf(task), "", true);
  return lines.join("\n");
}

/** Options of `formatTaskTree`. */
export interface TaskTreeOptions {
  /** The text after `(T) ` for a task (default: its name). */
  label?: (task: Task<unknown>) => string;
}

interface TreeNode {
  label: string;
  below: TreeNode[];
}

// ---- Building the graph ------------------------------------------------------

function graphOf(
  future: Future<unknown>,
  limit: number | null,
  path: Set<Future<unknown>>,
): FutureCallGraph {
  const frames = future instanceof Task ? suspendedFrames(future) : [];
  return new FutureCallGraph(future, trim(frames, limit), awaitedByGraphs(future, limit, path));
}

function awaitedByGraphs(
  future: Future<unknown>,
  limit: number | null,
  path: Set<Future<unknown>>,
): FutureCallGraph[] {
  const graphs: FutureCallGraph[] = [];
  for (const awaiter of awaitersOf(future)) {
    if (path.has(awaiter)) {
      graphs.push(new FutureCallGraph(awaiter, [], [])); // an await cycle: stop here
      continue;
    }
    path.add(awaiter);
    graphs.push(graphOf(awaiter, limit, path));
    path.delete(awaiter);
  }
  return graphs;
}

/**
 * What awaits `future`, in the order they started to: the tasks among its
 * waiters, and the tasks a combinator marked on one of its done-callbacks
 * (`lib/_awaiters.ts`).
 */
function awaitersOf(future: Future<unknown>): Set<Future<unknown>> {
  const found = new Set<Future<unknown>>();
  const callbacks = future._callbacks;
  if (callbacks === null) return found;
  for (const waiter of Array.isArray(callbacks) ? callbacks : [callbacks]) {
    if (waiter instanceof Task) found.add(waiter);
    else {
      const task = _awaiterOf(waiter);
      if (task !== undefined) found.add(task);
    }
  }
  return found;
}

/**
 * The running task's frames, from the caller of `fn` (`depth` 1) down to
 * where the task started.
 */
function framesHere(fn: (...args: never[]) => unknown, depth: number): CallGraphFrame[] {
  const holder: { stack?: string } = {};
  const savedLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = Math.max(savedLimit, depth + 100);
  Error.captureStackTrace(holder, fn);
  Error.stackTraceLimit = savedLimit;
  return taskFrames(parseFrames(holder.stack ?? "").slice(Math.max(depth - 1, 0)));
}

/** The frames of a task that is not running: those of its current await, in debug mode. */
function suspendedFrames(task: Task<unknown>): CallGraphFrame[] {
  // `_awaitStack` is recorded when the task suspends on a loop future; once
  // it awaits anything else (`sleep(0)`, a foreign promise) it is stale.
  if (task._futWaiter === null || task._awaitStack === null || task.done()) return [];
  return taskFrames(parseFrames(task._awaitStack));
}

/** Keep at most `|limit|` frames: the outermost if positive, the most recent if negative. */
function trim(frames: CallGraphFrame[], limit: number | null): FrameCallGraphEntry[] {
  let kept = frames;
  if (limit === 0) kept = [];
  else if (limit !== null && limit > 0) kept = frames.slice(-limit);
  else if (limit !== null) kept = frames.slice(0, -limit);
  return kept.map((frame) => new FrameCallGraphEntry(frame));
}

/** Each cycle of the awaits-graph, as a path that ends where it started (as CPython's tools). */
function findCycles(
  tasks: Task<unknown>[],
  children: Map<Task<unknown>, Task<unknown>[]>,
): Task<unknown>[][] {
  const OPEN = 1, CLOSED = 2;
  const state = new Map<Task<unknown>, number>();
  const path: Task<unknown>[] = [];
  const cycles: Task<unknown>[][] = [];
  const visit = (task: Task<unknown>): void => {
    state.set(task, OPEN);
    path.push(task);
    for (const child of children.get(task) ?? []) {
      const seen = state.get(child);
      if (seen === undefined) visit(child);
      else if (seen === OPEN) cycles.push([...path.slice(path.indexOf(child)), child]);
    }
    state.set(task, CLOSED);
    path.pop();
  };
  for (const task of tasks) if (!state.has(task)) visit(task);
  return cycles;
}

// ---- Frames ------------------------------------------------------------------

const FRAME_LINE = /^\s*at (async )?(?:(.*?) \((.*)\)|(.*))$/;
const LOCATION = /^(.*):(\d+):(\d+)$/;

/** V8's `stack` text as frames, keeping only those with a place in a module. */
function parseFrames(stack: string): CallGraphFrame[] {
  const frames: CallGraphFrame[] = [];
  for (const line of stack.split("\n")) {
    const match = FRAME_LINE.exec(line);
    if (match === null) continue;
    const place = LOCATION.exec(match[3] ?? match[4]);
    // Builtins (`Array.map (<anonymous>)`, `Promise.all (index 0)`) have no place.
    if (place === null) continue;
    frames.push({
      functionName: match[2] ?? "",
      fileName: place[1],
      lineNumber: Number(place[2]),
      columnNumber: Number(place[3]),
      isAsync: match[1] !== undefined,
    });
  }
  return frames;
}

// The loop's core: what runs a task, not the task's own code.
const LIB_DIR = new URL("./", import.meta.url).href;
const CORE = new Set(
  [
    "tasks.ts",
    "futures.ts",
    "_continuation.ts",
    "base_events.ts",
    "events.ts",
    "graph.ts",
    "_running.ts",
  ]
    .map((name) => LIB_DIR + name),
);

/**
 * A task's own frames out of a stack: the loop's core frames on top (the
 * `then` of the await) go, and so does everything from the next core frame
 * down (the step that runs the task, as CPython stops at the task); Deno's
 * runtime frames go too.
 */
function taskFrames(frames: CallGraphFrame[]): CallGraphFrame[] {
  let start = 0;
  while (start < frames.length && CORE.has(frames[start].fileName)) start++;
  const own: CallGraphFrame[] = [];
  for (let i = start; i < frames.length; i++) {
    const frame = frames[i];
    if (CORE.has(frame.fileName)) break;
    if (!/^(ext|node):/.test(frame.fileName)) own.push(frame);
  }
  return own;
}

/** `file:` URLs as paths, as Python names a file; other URLs as they are. */
function displayPath(fileName: string): string {
  if (!fileName.startsWith("file://")) return fileName;
  return decodeURIComponent(new URL(fileName).pathname);
}

/** `sleeper /path/main.ts:4`, as pstree labels a frame. */
function frameLabel(frame: CallGraphFrame): string {
  return `${frame.functionName || "<anonymous>"} ${
    displayPath(frame.fileName)
  }:${frame.lineNumber}`;
}

// ---- Text ----------------------------------------------------------------------

const ids = new WeakMap<Future<unknown>, number>();
let lastId = 0;

/** A stable number per future, shown where CPython shows the object's address. */
function idOf(future: Future<unknown>): string {
  let id = ids.get(future);
  if (id === undefined) ids.set(future, id = ++lastId);
  return `0x${id.toString(16)}`;
}

function render(
  graph: FutureCallGraph,
  level: number,
  above: Future<unknown>[],
  lines: string[],
): void {
  const indent = "    ".repeat(level);
  const add = (line: string) => lines.push(indent + line);
  const future = graph.future;
  const head = future instanceof Task
    ? `* Task(name=${pyRepr(future.getName())}, id=${idOf(future)})`
    : `* Future(id=${idOf(future)})`;
  add(above.includes(future) ? `${head} (await cycle)` : head);
  if (graph.callStack.length > 0) {
    add("  + Call stack:");
    for (const { frame } of graph.callStack) {
      add(
        `  |   File ${pyRepr(displayPath(frame.fileName))}, line ${frame.lineNumber}, in ` +
          `${frame.isAsync ? "async " : ""}${frame.functionName || "<anonymous>"}()`,
      );
    }
  }
  if (graph.awaitedBy.length > 0) {
    add("  + Awaited by:");
    above.push(future);
    for (const parent of graph.awaitedBy) render(parent, level + 1, above, lines);
    above.pop();
  }
}
