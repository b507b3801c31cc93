// What the loop's thread and the monitor's Worker share (lib/_monitor.ts,
// lib/_monitor_worker.ts): one SharedArrayBuffer, written by the loop's
// thread with plain stores (never a clock read per callback), read by the
// Worker, which must answer while that thread is blocked. Times are epoch
// milliseconds (`performance.timeOrigin + performance.now()`), the one time
// base both threads share.
//
// Layout, as float64 slots then int32 slots:
//   BEAT    when the loop's thread last had a host turn (its heartbeat)
//   ORIGIN  the epoch ms from which CLOCK counts
//   CLOCK   the coarse clock, in ticks of 0.1 ms since ORIGIN: the Worker
//           writes it every millisecond or two while the loop is busy (so
//           the loop reads the time with a load, not an 80 ns
//           `performance.now()`); an integer, because a double field of an
//           object is a heap box of its own in Deno's V8, and the monitor
//           keeps several per task
//   SEQ     callbacks and steps begun so far (wraps)
//   RUNNING what runs: NONE (idle), CALLBACK, or a task's step, as its row
//           + 1 in the task table below (one store a step: the Worker looks
//           the task up only when the loop is blocked in it)
//   NAME    the running callback's function name in the arena (offset + 1)
//   BEAT_SEQ SEQ at the last heartbeat: if SEQ has moved since, what runs
//           now began after it
//   BUSY    1 while the loop is not idle (waiting for I/O or a timer)
//   SLEEPING 1 while the Worker's clock stands still (the loop idled a while):
//           the loop's thread writes CLOCK itself when it wakes, and notifies
//   ARENA_END where the next name goes in the arena
// then the arena: names, each a uint16 byte length and UTF-8 bytes.
//
// The task table is a second buffer, growable, that grows with the
// monitor's rows: per row, the task's id (the monitor's numbering), its
// name in the arena (offset + 1, or -N for a task named Task-N) and its
// coroutine function's name (offset + 1, or 0).

/** Float64 slots. */
export const BEAT = 0, ORIGIN = 1;
/** Int32 slots (after the float64 ones). */
export const CLOCK = 4,
  SEQ = 5,
  RUNNING = 6,
  NAME = 7,
  BEAT_SEQ = 8,
  BUSY = 9,
  SLEEPING = 10,
  ARENA_END = 11;
/** `RUNNING` values other than a step's row + 1. */
export const NONE = 0, CALLBACK = -1;
/** The task table's columns, and its width. */
export const TASK_ID = 0, TASK_NAME = 1, TASK_CORO = 2, TASK_WIDTH = 3;
/** The most rows the task table holds (a step of a task past it is named `?`). */
const TASK_ROWS_MAX = 1 << 22;

/** Bytes before the name arena. */
export const HEADER_BYTES = 64;
const ARENA_BYTES = 256 * 1024;
/** The longest name kept (bytes); longer ones are cut. */
const NAME_MAX = 200;

/** The views of the shared buffers. */
export interface Shared {
  buffer: SharedArrayBuffer;
  f64: Float64Array;
  i32: Int32Array;
  arena: Uint8Array;
  /**
   * The task table's buffer (growable), and a view of its length now: made
   * again as it grows, since a view that follows the growth by itself
   * costs V8 ten times as much a store.
   */
  tasksBuffer: SharedArrayBuffer;
  tasks: Int32Array;
}

/** New shared buffers, with room in the task table for `rows`. */
export function sharedViews(rows: number): Shared {
  const buffer = new SharedArrayBuffer(HEADER_BYTES + ARENA_BYTES);
  const tasksBuffer = new SharedArrayBuffer(rows * TASK_WIDTH * 4, {
    maxByteLength: TASK_ROWS_MAX * TASK_WIDTH * 4,
  });
  return {
    buffer,
    f64: new Float64Array(buffer, 0, 2),
    i32: new Int32Array(buffer, 0, HEADER_BYTES / 4),
    arena: new Uint8Array(buffer, HEADER_BYTES),
    tasksBuffer,
    tasks: new Int32Array(tasksBuffer, 0, rows * TASK_WIDTH),
  };
}

/** Make room in the task table for `rows` (up to its most). */
export function growTaskTable(shared: Shared, rows: number): void {
  const bytes = Math.min(rows, TASK_ROWS_MAX) * TASK_WIDTH * 4;
  if (bytes <= shared.tasksBuffer.byteLength) return;
  shared.tasksBuffer.grow(bytes);
  shared.tasks = new Int32Array(shared.tasksBuffer, 0, bytes / 4);
}

/** Epoch milliseconds: the same on every thread. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** CLOCK ticks per millisecond. */
export const TICKS_PER_MS = 10;

const encoder = new TextEncoder();
/**
 * `NameArena.refOf` remembers one function in this many it names: a prime,
 * so that a function that comes back every p-th name is soon remembered
 * whatever p is (with 16, one that alternates with closures made once
 * would always fall on an odd count, and never be).
 */
const SAMPLE = 17;

/**
 * Names written to the arena, each once: `ref(text)` gives the reference
 * to store in NAME or the task table. When the arena is full it starts again from
 * the beginning (references made before then may name something else;
 * the Worker reads them only while the loop is blocked in the one running).
 */
export class NameArena {
  #shared: Shared;
  #refs = new Map<string, number>();
  #texts = new Map<number, string>();
  // The references of functions' names: reading a function's `name` calls
  // into V8's C++ (~100 instructions, four or five weak map lookups),
  // and a busy loop switches between callbacks at every turn (an echo
  // server, once per round trip, between its connections' closures). Only
  // one function named in SAMPLE goes in: an entry costs ~800 instructions
  // with the collector's share, too much for a closure made for one call
  // (`callSoon(() => …)`), while a function that runs again and again is
  // soon in.
  #fnRefs = new WeakMap<object, number>();
  #named = 0;
  // The function named last: a callback that runs again after a step is
  // found with a compare.
  #lastFn: unknown = null;
  #lastFnRef = 0;
  #lastText: string | null = null;
  #lastTextRef = 0;

  constructor(shared: Shared) {
    this.#shared = shared;
  }

  /** The reference of `text` (offset + 1). */
  ref(text: string): number {
    // Tasks made in a row mostly have the same coroutine name.
    if (text === this.#lastText) return this.#lastTextRef;
    let known = this.#refs.get(text);
    if (known === undefined) known = this.#write(text);
    this.#lastText = text;
    this.#lastTextRef = known;
    return known;
  }

  #write(text: string): number {
    const { arena, i32 } = this.#shared;
    let at = i32[ARENA_END];
    if (at + 2 + NAME_MAX * 3 > arena.length) {
      at = 0;
      this.#refs.clear();
      this.#texts.clear();
      this.#fnRefs = new WeakMap();
      this.#lastFn = this.#lastText = null;
    }
    const { written } = encoder.encodeInto(
      text.length > NAME_MAX ? text.slice(0, NAME_MAX) : text,
      arena.subarray(at + 2, at + 2 + NAME_MAX * 3),
    );
    arena[at] = written & 0xff;
    arena[at + 1] = written >> 8;
    i32[ARENA_END] = at + 2 + written;
    this.#refs.set(text, at + 1);
    this.#texts.set(at + 1, text);
    return at + 1;
  }

  /** The reference of a function's name (`<anonymous>` for none). */
  refOf(fn: { readonly name: string }): number {
    if (fn === this.#lastFn) return this.#lastFnRef;
    let ref = this.#fnRefs.get(fn);
    if (ref === undefined) {
      ref = this.ref(fn.name || "<anonymous>");
      this.#named = (this.#named + 1) % SAMPLE;
      if (this.#named === 0) this.#fnRefs.set(fn, ref);
    }
    this.#lastFn = fn;
    this.#lastFnRef = ref;
    return ref;
  }

  /** The text of a reference (`"?"` if the arena started again since). */
  text(ref: number): string {
    return this.#texts.get(ref) ?? "?";
  }
}

/** The slots, for the Worker (whose code cannot import this module: see lib/_monitor_worker.ts). */
export const LAYOUT = {
  CLOCK,
  BEAT,
  ORIGIN,
  TICKS_PER_MS,
  SEQ,
  RUNNING,
  NAME,
  BEAT_SEQ,
  BUSY,
  SLEEPING,
  NONE,
  CALLBACK,
  TASK_ID,
  TASK_NAME,
  TASK_CORO,
  TASK_WIDTH,
  HEADER_BYTES,
};

/** What the loop's thread sends the Worker to start it. */
export interface WorkerInit {
  layout: typeof LAYOUT;
  buffer: SharedArrayBuffer;
  /** The task table (`Shared.tasksBuffer`). */
  tasks: SharedArrayBuffer;
  host: string;
  port: number;
  token: string;
  /** Seconds without a heartbeat after which the loop counts as blocked. */
  blockedAfter: number;
  /** Keep the clock going even with no client attached (`times: "always"`). */
  timeAlways: boolean;
  /** How many episodes of a blocked loop the Worker keeps. */
  blocks: number;
  /** The program's main module (a Worker's `Deno.mainModule` is its own, or none). */
  program: string;
}

/** A time the loop was blocked, as the Worker saw it. */
export interface BlockInfo {
  /** Epoch ms when what blocked it began (its step or callback; else the last heartbeat). */
  since: number;
  /** Seconds, so far or in all. */
  seconds: number;
  /** True while it goes on. */
  ongoing: boolean;
  /** `callback`, `step`, or `outside` (code the loop did not call: a host promise's reaction, top-level code). */
  kind: "callback" | "step" | "outside";
  /** The callback's function name, or the task's name. */
  name: string;
  /** A step's task id and coroutine function name. */
  task: number | null;
  coro: string | null;
}
