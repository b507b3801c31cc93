/**
 * Handles (what `callSoon`, `callLater` and `callAt` return) and the
 * functions that find or make the current event loop, as CPython's
 * `asyncio/events.py`.
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { EventLoop as Loop } from "./base_events.ts";
import { RuntimeError } from "./exceptions.ts";
import { _getRunningLoopOrNull, _setRunningLoop as setRunning } from "./_running.ts";
import type { Task } from "./tasks.ts";
import { firstFrame, shortRepr } from "./_util.ts";
import { Context } from "./contextvars.ts";
import { contextIn, type Held } from "./_context.ts";

/**
 * A callback scheduled on a loop, with its arguments. `cancel()` before it
 * runs means it never runs.
 *
 * Mirrors `asyncio.Handle`.
 *
 * @example
 * ```ts
 * import { newEventLoop } from "@asyncio/deno";
 * const loop = newEventLoop();
 * const handle = loop.callSoon(console.log, "never printed");
 * handle.cancel();
 * console.assert(handle.cancelled());
 * loop.close();
 * ```
 */
export class Handle {
  /** @ignore */
  _callback: (...args: never[]) => unknown;
  /**
   * @ignore The arguments, packed: an array of them, or the only argument
   * itself when there is one and it is not an array (the loop packs so; a
   * one-element array per timer was a third of the timer bench's garbage).
   */
  _args: unknown;
  /** @ignore */
  _loop: EventLoop;
  /**
   * @ignore `false` from the prototype until `cancel()` sets it, so that
   * handles (of which there are millions) do not carry the field.
   */
  declare _cancelled: boolean;
  /**
   * @ignore The task this handle steps: `null` (from the prototype, so that
   * plain handles, of which there are millions, do not carry the field) but
   * for each task's own step handle.
   */
  declare _task: Task<unknown> | null;
  /**
   * @ignore The context the callback runs in: `null` (from the prototype)
   * while it is an empty one of its own (lib/_context.ts).
   */
  declare _context: Held | null;

  /**
   * Made by the loop; use `loop.callSoon()` instead. `args`: an array of
   * the arguments, or the only argument itself when it is not an array.
   */
  constructor(
    callback: (...args: never[]) => unknown,
    args: unknown,
    loop: EventLoop,
  ) {
    this._callback = callback;
    this._args = args;
    this._loop = loop;
  }

  /** The function this handle calls. */
  get callback(): (...args: never[]) => unknown {
    return this._callback;
  }

  /** The arguments it is called with. */
  get args(): readonly unknown[] {
    return unpackArgs(this._args);
  }

  /** The task whose step this is, or `null` for a plain callback. */
  get task(): Task<unknown> | null {
    return this._task;
  }

  /**
   * The context the callback runs in: a copy of the context it was
   * scheduled in, or the one given in `CallbackOptions`.
   *
   * Mirrors `Handle.get_context`. Not promised: while nobody traces the
   * loop, a plain `callSoon`'s callback runs in a copy made only when it
   * sets a variable, so asked after it ran, this does not show what it set
   * (ask before it runs: then it runs in the context returned).
   */
  getContext(): Context {
    const held = this._context;
    if (held instanceof Context) return held;
    const made = this._context = contextIn(held);
    this._contextMade(made);
    return made;
  }

  /** @ignore `getContext()` made this handle's `Context` (see `_QueuedHandle`). */
  _contextMade(_context: Context): void {}

  /** Where the handle was scheduled (a stack), in debug mode; else `null`. */
  get sourceTraceback(): string | null {
    return sources.get(this) ?? null;
  }

  /** @ignore Remember where it is being scheduled (debug mode). */
  _recordSource(): void {
    sources.set(this, new Error().stack ?? "");
  }

  /** Cancel the callback; a no-op if it already ran or was cancelled. */
  cancel(): void {
    if (this._cancelled) return;
    this._cancelled = true;
    this._unschedule();
  }

  /** @ignore Tell the loop, which finds the handle where its kind is kept. */
  _unschedule(): void {
    this._loop._handleCancelled(this);
  }

  /** True if the handle was cancelled. */
  cancelled(): boolean {
    return this._cancelled;
  }

  /** The callback's name and arguments, as asyncio's `repr(handle)`. */
  describe(): string {
    if (this._task !== null) return `${this._task.getName()}.step()`;
    const name = this._callback.name || "<anonymous>";
    return `${name}(${unpackArgs(this._args).map(shortRepr).join(", ")})`;
  }

  /** For example `<Handle printer('call_soon')>`. */
  toString(): string {
    return `<${this.#info().join(" ")}>`;
  }

  /** @ignore What `console.log` shows: the repr, as Python prints a handle. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  #info(): string[] {
    const info = [this.constructor.name];
    if (this._cancelled) info.push("cancelled");
    if (this instanceof TimerHandle) info.push(`when=${this._when}`);
    // As asyncio, which drops a cancelled handle's callback unless in debug mode.
    if (!this._cancelled || this._loop.getDebug()) info.push(this.describe());
    const source = sources.get(this);
    if (source !== undefined) info.push(`created at ${firstFrame(source)}`);
    return info;
  }
}

Handle.prototype._task = null;
Handle.prototype._context = null;
Handle.prototype._cancelled = false;

function unpackArgs(packed: unknown): readonly unknown[] {
  return Array.isArray(packed) ? packed : [packed];
}

/**
 * @ignore What `callSoon` returns while nobody traces the loop: the queue holds its
 * callback and arguments, not the handle (see `lib/_ready.ts`), so the
 * handle cancels by slot.
 */
export class _QueuedHandle extends Handle {
  /** @ignore */
  _slot: number;
  /** @ignore The loop's `_gen` when it was queued. */
  _gen: number;

  constructor(
    callback: (...args: never[]) => unknown,
    args: unknown,
    loop: EventLoop,
    slot: number,
    gen: number,
  ) {
    super(callback, args, loop);
    this._slot = slot;
    this._gen = gen;
  }

  override _unschedule(): void {
    this._loop._cancelQueued(this);
  }

  /** @ignore The queue keeps this handle's context beside its callback: give it the one made. */
  override _contextMade(context: Context): void {
    this._loop._queuedContextMade(this, context);
  }
}
// asyncio's repr names the class: this is a Handle like any other.
Object.defineProperty(_QueuedHandle, "name", { value: "Handle" });

// Debug mode only: where each handle was scheduled.
const sources = new WeakMap<Handle, string>();

// One float64 seen as two int32s: how a deadline is split and joined.
const whenBits = new Float64Array(1);
const whenHalves = new Int32Array(whenBits.buffer);

/**
 * A handle for a callback scheduled at a time (`callLater`, `callAt`).
 * Mirrors `asyncio.TimerHandle`.
 */
export class TimerHandle extends Handle {
  /**
   * @ignore The deadline, as the low and high 32 bits of its float64 (read
   * it as `_when`). V8 without pointer compression (Deno's build) boxes a
   * double field in a HeapNumber of its own: one more object per handle
   * (a sleeping task keeps its timer's handle). Two int32 halves are stored
   * inline, as small integers.
   */
  _whenLo: number;
  /** @ignore See `_whenLo`. */
  _whenHi: number;
  /**
   * @ignore The timer's number, in the order of scheduling: it breaks ties
   * between equal deadlines, and tells whether the loop's timer table
   * (lib/_timers.ts) still holds this timer in `_slot`.
   */
  _seq: number;
  /** @ignore Where the loop's timer table keeps the timer. */
  _slot: number;

  /** Made by the loop; use `loop.callLater()` or `loop.callAt()`. */
  constructor(
    when: number,
    seq: number,
    callback: (...args: never[]) => unknown,
    args: unknown,
    loop: EventLoop,
    slot: number,
  ) {
    super(callback, args, loop);
    whenBits[0] = when;
    this._whenLo = whenHalves[0];
    this._whenHi = whenHalves[1];
    this._seq = seq;
    this._slot = slot;
  }

  /** @ignore The deadline, from its two halves. */
  get _when(): number {
    whenHalves[0] = this._whenLo;
    whenHalves[1] = this._whenHi;
    return whenBits[0];
  }

  /** The loop time (seconds) at which the callback is due. */
  when(): number {
    return this._when;
  }

  /** @ignore */
  override _unschedule(): void {
    this._loop._cancelTimer(this);
  }
}

let currentLoop: EventLoop | null = null;
// As CPython's BaseDefaultEventLoopPolicy: once a loop was set (`run()` sets
// one and unsets it on its way out), getEventLoop() no longer makes one.
let setCalled = false;

/**
 * The running loop.
 *
 * Mirrors `asyncio.get_running_loop`.
 * @throws {RuntimeError} `no running event loop` outside a running loop.
 */
export function getRunningLoop(): EventLoop {
  const loop = _getRunningLoopOrNull();
  if (loop === null) throw new RuntimeError("no running event loop");
  return loop;
}

/**
 * The running loop, or `null` outside one.
 *
 * Mirrors `asyncio._get_running_loop`: a low-level function, for code that
 * runs callbacks the way a loop does.
 */
export function _getRunningLoop(): EventLoop | null {
  return _getRunningLoopOrNull();
}

/**
 * Make `loop` the loop that `getRunningLoop()` returns (`null`: none) for
 * the code that runs until it is set again, whether or not `loop` runs:
 * `createTask`, `sleep` and the rest then schedule on it, and what they
 * schedule waits for it to run. A loop's `runForever()` sets it itself, and
 * refuses to start while another (or the same) loop is set.
 *
 * Mirrors `asyncio._set_running_loop`: a low-level function, for code that
 * runs callbacks the way a loop does (the REPL runs each `js` line so, as
 * `python -m asyncio` runs each line inside its running loop).
 * @example
 * ```ts
 * import { _setRunningLoop, createTask, newEventLoop } from "@asyncio/deno";
 * const loop = newEventLoop();
 * _setRunningLoop(loop);
 * const task = createTask(async () => "ran");
 * _setRunningLoop(null);
 * console.assert((await loop.runUntilComplete(task)) === "ran");
 * loop.close();
 * ```
 */
export function _setRunningLoop(loop: EventLoop | null): void {
  if (loop !== null && !(loop instanceof Loop)) {
    throw new TypeError("loop must be an instance of EventLoop or null");
  }
  setRunning(loop);
}

/**
 * The running loop if there is one; else the current loop, the one set
 * with `setEventLoop` (returned even once closed). Only while no loop was
 * ever set does it make a new loop, which becomes the current one; after
 * `setEventLoop(null)`, which `run()` and `Runner.close()` do on their way
 * out, it throws.
 *
 * Mirrors `asyncio.get_event_loop` as CPython 3.12 and 3.13 behave in the
 * main thread (3.12+ warn `DeprecationWarning` where it makes the loop;
 * 3.14 throws there too).
 * @throws {RuntimeError} `There is no current event loop in thread 'MainThread'.`
 * when no loop is running and the current one was unset.
 * @example
 * ```ts
 * import { getEventLoop, newEventLoop, setEventLoop } from "@asyncio/deno";
 * const loop = newEventLoop();
 * setEventLoop(loop);
 * console.assert(getEventLoop() === loop);
 * loop.close();
 * console.assert(getEventLoop() === loop, "a closed current loop is still the current one");
 * setEventLoop(null);
 * ```
 */
export function getEventLoop(): EventLoop {
  const running = _getRunningLoopOrNull();
  if (running !== null) return running;
  if (currentLoop === null && !setCalled) setEventLoop(new Loop());
  if (currentLoop === null) {
    throw new RuntimeError("There is no current event loop in thread 'MainThread'.");
  }
  return currentLoop;
}

/**
 * Make `loop` the current loop (`null` unsets it, and `getEventLoop()`
 * outside a running loop throws from then on).
 * Mirrors `asyncio.set_event_loop`.
 */
export function setEventLoop(loop: EventLoop | null): void {
  if (loop !== null && !(loop instanceof Loop)) {
    const value: unknown = loop;
    const type = typeof value === "object" ? (value?.constructor?.name ?? "Object") : typeof value;
    throw new TypeError(`loop must be an instance of EventLoop or null, not '${type}'`);
  }
  setCalled = true;
  currentLoop = loop;
}

/** A new loop on the real clock. Mirrors `asyncio.new_event_loop`. */
export function newEventLoop(): EventLoop {
  return new Loop();
}
