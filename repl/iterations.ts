/**
 * The loop's iterations one by one, for the browser view (`view.ts`): at
 * the start of each (counted as the recorder counts them: those in which
 * something recorded ran) the ready queue in order, the clock and the tree
 * of pending tasks; what ran in it and why it was ready; which timers were
 * in the heap; and the lines printed so far. Built from the loop's trace
 * events, after the recorder has seen each (so its entries are there): the
 * ready queue is the snapshot the `iteration` event offers
 * (`loop.readyHandles()`), the heap is kept as a span of iterations per
 * timer (copying it at every iteration would cost its size each time).
 * @module
 */
import { type EventLoop, formatTaskTree, type Handle, type TraceEvent } from "../mod.ts";
import { errorLine } from "./errors.ts";
import type { Entry, Recorder } from "./recorder.ts";
import { fmt, plural } from "./render.ts";

/** Past this many pending tasks, iterations keep no tree (drawing it would cost that much each). */
const TREE_LIMIT = 64;

/** A handle or task step that ran in an iteration, and why it was ready. */
export interface Ran {
  id: number;
  start: number;
  end: number;
  why: string;
}

/** One counted iteration (the n-th of `IterationLog.frames` is iteration n + 1, as the timeline counts). */
export interface Frame {
  /** The loop's own count (it also counts iterations in which nothing recorded ran). */
  loopIteration: number;
  /** Loop time at its start, and when its last handle ended. */
  start: number;
  end: number;
  /** The ids in the ready queue at its start, in the order they run. */
  ready: number[];
  ran: Ran[];
  /** The tree of pending tasks at its start (`formatTaskTree`), "" if none. */
  tree: string;
  /** The run or steps it belongs to (`run`, `js await …`). */
  run: string;
}

/** A timer in the heap at the start of iterations `from` to `to - 1` (`to`: Infinity while it is). */
export interface HeapSpan {
  entry: Entry;
  from: number;
  to: number;
}

/** A line the program printed (a printer, js code), after iteration `frame` began (0: before any). */
export interface Printed {
  frame: number;
  text: string;
}

/** Keeps the iterations of one loop. */
export class IterationLog {
  readonly frames: Frame[] = [];
  /** Every recorded timer's time in the heap, in the order they were scheduled. */
  readonly heap: HeapSpan[] = [];
  readonly output: Printed[] = [];
  /** Grows with every event and line: whoever shows the log redraws when it changed. */
  version = 0;

  #loop: EventLoop;
  #recorder: Recorder;
  #label: (entry: Entry) => string;
  #spans = new Map<Entry, HeapSpan>();
  #why = new Map<Entry, string>();
  #ioHandles = new WeakSet<Handle>();
  // The entries of the callbacks and timers scheduled, for their cancel.
  #entries = new WeakMap<Handle, Entry>();
  // What runs now: an entry, an I/O completion of the library's, or nothing.
  #running: Entry | "io" | null = null;
  #runningHandle: Handle | null = null;
  #pending: Frame | null = null;
  #ran: Ran | null = null;
  #unsubscribe: () => void;
  #treeOf = () => this.#tree();

  /**
   * Listen to `loop` after `recorder` (subscribe it first).
   * @param label how a task is named in the trees (its id, what it waits on).
   * @param tree the tree of pending tasks at an iteration's start, where
   *   the loop has no tasks to draw it from (a replayed recording).
   */
  constructor(
    loop: EventLoop,
    recorder: Recorder,
    label: (entry: Entry) => string,
    tree?: () => string,
  ) {
    this.#loop = loop;
    this.#recorder = recorder;
    this.#label = label;
    if (tree !== undefined) this.#treeOf = tree;
    this.#unsubscribe = loop.addTraceListener((event) => this.#on(event));
  }

  /** Stop listening. */
  dispose(): void {
    this.#unsubscribe();
  }

  /** A line the program printed. */
  printed(text: string): void {
    this.output.push({ frame: this.frames.length, text });
    this.version++;
  }

  #on(event: TraceEvent): void {
    this.version++;
    switch (event.kind) {
      case "schedule":
        if (event.io) this.#ioHandles.add(event.handle);
        else this.#scheduled(event.handle);
        return;
      case "due": {
        const entry = this.#recorder.ofHandle(event.handle);
        if (entry === undefined) return;
        this.#leaveHeap(entry);
        this.#why.set(entry, `its time came: due at t=${fmt(entry.due!, 3)}, moved from the heap`);
        return;
      }
      case "cancel": {
        // The recorder has forgotten it by now: ours.
        const entry = this.#entries.get(event.handle);
        if (entry === undefined) return;
        this.#leaveHeap(entry);
        this.#why.delete(entry);
        return;
      }
      case "iteration":
        this.#pending = {
          loopIteration: event.iteration,
          start: event.time,
          end: event.time,
          ready: this.#loop.readyHandles().flatMap((h) => this.#recorder.ofHandle(h)?.id ?? []),
          ran: [],
          tree: this.#treeOf(),
          run: "",
        };
        return;
      case "start":
        return this.#started(event.handle, event.time, event.outside === true);
      case "finish":
        // (A step that ran outside the loop may end while something else runs.)
        if (event.handle !== this.#runningHandle) return;
        if (this.#ran !== null) {
          this.#ran.end = event.time;
          this.frames.at(-1)!.end = event.time;
        }
        this.#ran = null;
        this.#running = null;
        this.#runningHandle = null;
        return;
    }
  }

  #scheduled(handle: Handle): void {
    const entry = this.#recorder.ofHandle(handle);
    if (entry === undefined) return;
    const by = this.#who();
    if (handle.task === null) this.#entries.set(handle, entry);
    if (handle.task !== null) {
      this.#why.set(
        entry,
        entry.firstRun === null ? `its first step (created ${by})` : `woken ${by}`,
      );
    } else if (entry.kind === "timer") {
      const span = { entry, from: this.frames.length + 1, to: Infinity };
      this.#spans.set(entry, span);
      this.heap.push(span);
    } else {
      this.#why.set(entry, `scheduled ${by}`);
    }
  }

  /** Who is scheduling now: what runs, or the prompt between runs. */
  #who(): string {
    const running = this.#running;
    if (running === "io") return "by an I/O completion";
    if (running !== null) return `by #${running.id} ${running.label}`;
    return this.#loop.isRunning() ? "by the loop" : "from the prompt";
  }

  #leaveHeap(entry: Entry): void {
    const span = this.#spans.get(entry);
    if (span === undefined) return;
    this.#spans.delete(entry);
    // Due at the start of the next iteration, or cancelled before it: not in its heap.
    span.to = this.frames.length + 1;
  }

  #started(handle: Handle, time: number, outside: boolean): void {
    const recorder = this.#recorder;
    // A task's code that a host promise resumed: not a step of any iteration.
    if (outside) return;
    const entry = recorder.ofHandle(handle);
    this.#runningHandle = handle;
    if (entry === undefined) {
      this.#running = this.#ioHandles.has(handle) ? "io" : null;
      return;
    }
    if (this.#pending !== null && recorder.iterations > this.frames.length) {
      this.#pending.run = recorder.record?.title ?? "";
      this.frames.push(this.#pending);
      this.#pending = null;
    }
    const frame = this.frames.at(-1);
    if (frame === undefined) return;
    this.#running = entry;
    let why = this.#why.get(entry) ?? "";
    this.#why.delete(entry);
    // A timer that ran late: by how much (the lesson of the blocking printers).
    if (entry.due !== null && handle.task === null && time - entry.due >= 0.0005) {
      why += `; ran ${fmt(time - entry.due, 3)} s late`;
    }
    this.#ran = { id: entry.id, start: time, end: time, why };
    frame.ran.push(this.#ran);
  }

  /** The tree of pending tasks now, or why it is not drawn. */
  #tree(): string {
    const pending = this.#recorder.taskCount;
    if (pending === 0) return "";
    if (pending > TREE_LIMIT) {
      return `${plural(pending, "task")} pending: too many to draw at every iteration ` +
        "(graph at the prompt draws them)";
    }
    try {
      return formatTaskTree(this.#loop, {
        label: (task) => {
          const entry = this.#recorder.ofTask(task);
          return entry === undefined ? task.getName() : this.#label(entry);
        },
      });
    } catch (err) {
      return errorLine(err);
    }
  }
}
