/**
 * Queues between tasks, as CPython's `asyncio/queues.py`: `Queue` (FIFO),
 * `PriorityQueue` (smallest first) and `LifoQueue`, with `shutdown()`.
 *
 * Ported from CPython 3.13, including `shutdown(immediate)` and
 * `QueueShutDown` (this machine's Python is 3.11, which lacks them; their
 * behaviour follows 3.13's source and documentation). The rules:
 * - `put` waits while the queue is full, `get` while it is empty; waiters
 *   are woken one at a time, in the order they began waiting;
 * - a woken waiter takes its item (or slot) only when it runs, so a
 *   cancelled `get` loses no item and a cancelled `put` adds none; each
 *   passes its wake-up on to the next waiter;
 * - a call that can complete at once does not wait, does not yield to the
 *   loop and creates no future.
 *
 * Python's `ValueError` (`task_done()` called too many times) is a
 * `RangeError` here.
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { QueueEmpty, QueueFull, QueueShutDown } from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { Event } from "./locks.ts";
import { bindLoop, Deque } from "./_sync.ts";
import { pyRepr, shortRepr } from "./_util.ts";
import { onResource } from "./_watch.ts";
import { awaitable } from "./_running.ts";

// The settled promise of every `put` that completes at once (no
// allocation, no loop iteration, as asyncio's `await q.put(x)` that does
// not block).
const DONE: Promise<void> = Promise.resolve();

/** Where a queue keeps its items: FIFO, LIFO or a heap. */
interface Store<T> {
  readonly length: number;
  push(item: T): void;
  take(): T;
  [Symbol.iterator](): Iterator<T>;
}

class FifoStore<T> extends Deque<T> implements Store<T> {
  take(): T {
    return this.shift() as T;
  }
}

class LifoStore<T> extends Deque<T> implements Store<T> {
  take(): T {
    return this.pop() as T;
  }
}

/**
 * A first-in first-out queue of items between tasks, bounded by `maxsize`
 * (`0` or less: unbounded).
 *
 * `put` waits while the queue is full and `get` while it is empty, each in
 * the order the callers arrived. `taskDone()`/`join()` count items whose
 * processing is not finished yet. `shutdown()` ends the queue: `put`
 * throws `QueueShutDown`, and `get` does once the queue is empty (at once
 * with `immediate`).
 *
 * Async iteration: `for await (const item of queue)` gets items until the
 * queue is shut down and empty (the loop then ends; a `QueueShutDown` is
 * not thrown). It does not call `taskDone()`: do that yourself if anyone
 * uses `join()`. Breaking out of the loop leaves the queue as it is.
 *
 * Mirrors `asyncio.Queue` (3.13).
 *
 * @example
 * ```ts
 * import { createTask, Queue, run } from "@asyncio/deno";
 * const got: number[] = [];
 * await run(async () => {
 *   const queue = new Queue<number>(2);
 *   const consumer = createTask(async () => {
 *     for await (const item of queue) {
 *       got.push(item);
 *       queue.taskDone();
 *     }
 *   });
 *   for (let i = 0; i < 5; i++) await queue.put(i);
 *   await queue.join();
 *   queue.shutdown();
 *   await consumer;
 * });
 * console.assert(got.join() === "0,1,2,3,4");
 * ```
 */
export class Queue<T = unknown> implements AsyncIterable<T> {
  /** @ignore Where the items are; subclasses set their own. */
  _items: Store<T> = new FifoStore<T>();
  #maxsize: number;
  #loop: EventLoop | null = null;
  #getters = new Deque<Future<void>>();
  #putters = new Deque<Future<void>>();
  #unfinishedTasks = 0;
  #finished = new Event();
  #isShutdown = false;

  /**
   * An empty queue.
   * @param maxsize the most items it holds; `0` (the default) or less means
   *   no bound.
   * @throws {TypeError} if `maxsize` is not a number.
   */
  constructor(maxsize = 0) {
    if (typeof maxsize !== "number" || Number.isNaN(maxsize)) {
      throw new TypeError(`maxsize must be a number, got ${shortRepr(maxsize)}`);
    }
    this.#maxsize = maxsize;
    this.#finished.set();
    if (onResource !== null) onResource(this);
  }

  /** @ignore The futures of the tasks waiting to get and to put (for a monitor). */
  _waiterFutures(): { getters: Future<unknown>[]; putters: Future<unknown>[] } {
    return { getters: [...this.#getters], putters: [...this.#putters] };
  }

  /** @ignore The event `join()` waits on (for a monitor, which lists the queue, not it). */
  get _finishedEvent(): Event {
    return this.#finished;
  }

  /** @ignore How many items are not yet marked done (for a monitor). */
  get _unfinished(): number {
    return this.#unfinishedTasks;
  }

  /** The bound given at creation. Mirrors `Queue.maxsize`. */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** How many items are in the queue. Mirrors `Queue.qsize`. */
  qsize(): number {
    return this._items.length;
  }

  /** True if it holds no item. Mirrors `Queue.empty`. */
  empty(): boolean {
    return this._items.length === 0;
  }

  /** True if it holds `maxsize` items (never, when unbounded). Mirrors `Queue.full`. */
  full(): boolean {
    return this.#maxsize > 0 && this._items.length >= this.#maxsize;
  }

  /**
   * Put `item` in, waiting while the queue is full.
   *
   * Mirrors `Queue.put`.
   * @throws {QueueShutDown} if the queue is (or, while waiting, gets) shut down.
   * @throws {CancelledError} if cancelled while waiting; the item is not added.
   */
  put(item: T): Promise<void> {
    if (this.full()) return this.#putSlow(item);
    try {
      this.putNowait(item);
    } catch (err) {
      return Promise.reject(err);
    }
    return DONE;
  }

  async #putSlow(item: T): Promise<void> {
    while (this.full()) {
      if (this.#isShutdown) throw new QueueShutDown();
      const putter = this.#newWaiter();
      this.#putters.push(putter);
      try {
        await awaitable(putter);
      } catch (err) {
        putter.cancel(); // in case it was not done yet
        // Still queued unless getNowait() or shutdown() took it out.
        this.#putters.remove(putter);
        // Woken by a get but not putting: let the next putter have the slot.
        if (!this.full() && !putter.cancelled()) wakeUpNext(this.#putters);
        throw err;
      }
    }
    this.putNowait(item);
  }

  /**
   * Put `item` in without waiting.
   *
   * Mirrors `Queue.put_nowait`.
   * @throws {QueueFull} if the queue is full.
   * @throws {QueueShutDown} if the queue is shut down.
   */
  putNowait(item: T): void {
    if (this.#isShutdown) throw new QueueShutDown();
    if (this.full()) throw new QueueFull();
    this._items.push(item);
    this.#unfinishedTasks++;
    this.#finished.clear();
    if (this.#getters.length > 0) wakeUpNext(this.#getters);
  }

  /**
   * Take the next item out, waiting while the queue is empty.
   *
   * Mirrors `Queue.get`.
   * @throws {QueueShutDown} if the queue is shut down and empty.
   * @throws {CancelledError} if cancelled while waiting; no item is taken.
   */
  get(): Promise<T> {
    if (this.empty()) return this.#getSlow();
    return Promise.resolve(this.getNowait());
  }

  async #getSlow(): Promise<T> {
    while (this.empty()) {
      if (this.#isShutdown) throw new QueueShutDown();
      const getter = this.#newWaiter();
      this.#getters.push(getter);
      try {
        await awaitable(getter);
      } catch (err) {
        getter.cancel(); // in case it was not done yet
        this.#getters.remove(getter);
        // Woken by a put but not getting: the item goes to the next getter.
        if (!this.empty() && !getter.cancelled()) wakeUpNext(this.#getters);
        throw err;
      }
    }
    return this.getNowait();
  }

  /**
   * Take the next item out without waiting.
   *
   * Mirrors `Queue.get_nowait`.
   * @throws {QueueEmpty} if the queue is empty.
   * @throws {QueueShutDown} if the queue is shut down and empty.
   */
  getNowait(): T {
    if (this.empty()) {
      if (this.#isShutdown) throw new QueueShutDown();
      throw new QueueEmpty();
    }
    const item = this._items.take();
    if (this.#putters.length > 0) wakeUpNext(this.#putters);
    return item;
  }

  /**
   * Say that the processing of an item taken with `get` is finished; when
   * every item put so far is, `join()` returns.
   *
   * Mirrors `Queue.task_done`.
   * @throws {RangeError} `task_done() called too many times`.
   */
  taskDone(): void {
    if (this.#unfinishedTasks <= 0) throw new RangeError("task_done() called too many times");
    this.#unfinishedTasks--;
    if (this.#unfinishedTasks === 0) this.#finished.set();
  }

  /**
   * Wait until every item put so far has been taken and marked done with
   * `taskDone()`. Mirrors `Queue.join`.
   */
  async join(): Promise<void> {
    if (this.#unfinishedTasks > 0) await this.#finished.wait();
  }

  /**
   * Shut the queue down: `put`/`putNowait` throw `QueueShutDown` from now
   * on, and `get`/`getNowait` do once the queue is empty. Every blocked
   * `put` and `get` wakes up (and throws, unless a `get` finds an item).
   *
   * Mirrors `Queue.shutdown` (3.13).
   * @param immediate also drop the items left, marking each as done (which
   *   may release `join()`), so that `get` throws at once.
   */
  shutdown(immediate = false): void {
    this.#isShutdown = true;
    if (immediate) {
      while (!this.empty()) {
        this._items.take();
        if (this.#unfinishedTasks > 0) this.#unfinishedTasks--;
      }
      if (this.#unfinishedTasks === 0) this.#finished.set();
    }
    // Every waiter must look again, to see the shutdown.
    for (const waiters of [this.#getters, this.#putters]) {
      while (waiters.length > 0) {
        const fut = waiters.shift()!;
        if (!fut.done()) fut.setResult();
      }
    }
  }

  /**
   * Get items until the queue is shut down and empty; see the class
   * documentation.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (err) {
        if (err instanceof QueueShutDown) return;
        throw err;
      }
      yield item;
    }
  }

  /** For example `<Queue maxsize=2 _queue=[1, 2] tasks=2>`, as Python's `str(q)`. */
  toString(): string {
    const parts = [`maxsize=${this.#maxsize}`];
    if (this._items.length > 0) parts.push(`_queue=${pyRepr([...this._items])}`);
    if (this.#getters.length > 0) parts.push(`_getters[${this.#getters.length}]`);
    if (this.#putters.length > 0) parts.push(`_putters[${this.#putters.length}]`);
    if (this.#unfinishedTasks > 0) parts.push(`tasks=${this.#unfinishedTasks}`);
    if (this.#isShutdown) parts.push("shutdown");
    return `<${this.constructor.name} ${parts.join(" ")}>`;
  }

  #newWaiter(): Future<void> {
    this.#loop = bindLoop(this.#loop, this);
    return this.#loop.createFuture<void>();
  }
}

/** Wake the first waiter not already done, dropping it from the queue. */
function wakeUpNext(waiters: Deque<Future<void>>): void {
  while (waiters.length > 0) {
    const waiter = waiters.shift()!;
    if (!waiter.done()) {
      waiter.setResult();
      return;
    }
  }
}

/**
 * Orders the items of a `PriorityQueue`: negative if `a` comes first,
 * positive if `b` does, zero if equal.
 */
export type Comparator<T> = (a: T, b: T) => number;

/** Options of `PriorityQueue`. */
export interface PriorityQueueOptions<T> {
  /** The order of the items; `defaultCompare` (Python's `<`) by default. */
  compare?: Comparator<T>;
}

/**
 * Compares as Python's `<` does for the values a priority queue usually
 * holds: numbers and bigints by value, strings by UTF-16 code units,
 * booleans as 0/1, and arrays (Python's tuples) element by element, a
 * shorter prefix first; elements that are `===` are skipped, so
 * `[priority, data]` pairs order by priority and compare `data` only on a
 * tie (Python also skips elements that are `==`, e.g. two empty dicts).
 *
 * @throws {TypeError} `'<' not supported between ...` for anything else
 *   (objects, `null`, a string against a number), as Python does.
 * @example
 * ```ts
 * import { defaultCompare } from "@asyncio/deno";
 * console.assert(defaultCompare([1, "b"], [1, "c"]) < 0);
 * console.assert(defaultCompare(2, 1) > 0);
 * ```
 */
export function defaultCompare(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      // Identical elements are equal without being compared, as Python's
      // tuple comparison (which goes further and skips `==` ones).
      if (a[i] === b[i]) continue;
      const c = defaultCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (scalarKind(a) !== scalarKind(b) || scalarKind(a) === null) {
    throw new TypeError(`'<' not supported between ${typeName(a)} and ${typeName(b)}`);
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

function scalarKind(value: unknown): "number" | "string" | null {
  switch (typeof value) {
    case "number":
    case "bigint":
    case "boolean":
      return "number";
    case "string":
      return "string";
    default:
      return null;
  }
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object"
    ? `an instance of ${value.constructor?.name ?? "Object"}`
    : `a ${typeof value}`;
}

/**
 * A binary min-heap by (compare, arrival): equal items leave in the order
 * they came (stable). Items and their arrival numbers live in two
 * parallel arrays, so a push allocates nothing.
 */
class HeapStore<T> implements Store<T> {
  #items: T[] = [];
  #seqs: number[] = [];
  #seq = 0;
  #compare: Comparator<T>;

  constructor(compare: Comparator<T>) {
    this.#compare = compare;
  }

  get length(): number {
    return this.#items.length;
  }

  #less(i: number, j: number): boolean {
    const c = this.#compare(this.#items[i], this.#items[j]);
    return c < 0 || (c === 0 && this.#seqs[i] < this.#seqs[j]);
  }

  #swap(i: number, j: number): void {
    const items = this.#items, seqs = this.#seqs;
    const item = items[i], seq = seqs[i];
    items[i] = items[j];
    seqs[i] = seqs[j];
    items[j] = item;
    seqs[j] = seq;
  }

  push(item: T): void {
    const items = this.#items, seqs = this.#seqs;
    // Find the item's place before moving anything, so that a comparator
    // that throws (Python's TypeError) leaves the heap intact. The newest
    // item loses ties, which keeps equal items in arrival order.
    let i = items.length;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#compare(item, items[parent]) >= 0) break;
      i = parent;
    }
    for (let j = items.length; j > i;) {
      const parent = (j - 1) >> 1;
      items[j] = items[parent];
      seqs[j] = seqs[parent];
      j = parent;
    }
    items[i] = item;
    seqs[i] = this.#seq++;
  }

  take(): T {
    const items = this.#items, seqs = this.#seqs;
    const top = items[0];
    const lastItem = items.pop()!, lastSeq = seqs.pop()!;
    const n = items.length;
    if (n === 0) return top;
    items[0] = lastItem;
    seqs[0] = lastSeq;
    for (let i = 0;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < n && this.#less(l, m)) m = l;
      if (r < n && this.#less(r, m)) m = r;
      if (m === i) return top;
      this.#swap(i, m);
      i = m;
    }
  }

  *[Symbol.iterator](): Iterator<T> {
    yield* this.#items;
  }
}

/**
 * A queue that hands out the smallest item first (by `compare`, default
 * `defaultCompare`, i.e. Python's `<`, so `[priority, data]` pairs work).
 * Unlike asyncio's `heapq`-based queue, it is stable: equal items leave in
 * the order they were put. An item the comparator rejects makes `put`
 * throw (Python's `TypeError`) and is not added (asyncio's `heappush`
 * leaves such an item in the heap, uncounted; we keep the queue intact).
 *
 * Mirrors `asyncio.PriorityQueue`.
 *
 * @example
 * ```ts
 * import { PriorityQueue } from "@asyncio/deno";
 * const q = new PriorityQueue<[number, string]>();
 * q.putNowait([2, "low"]);
 * q.putNowait([1, "high"]);
 * console.assert(q.getNowait()[1] === "high");
 * ```
 */
export class PriorityQueue<T = unknown> extends Queue<T> {
  /**
   * An empty priority queue.
   * @param maxsize as `Queue`.
   * @param options `compare`: the order of the items.
   */
  constructor(maxsize = 0, options: PriorityQueueOptions<T> = {}) {
    super(maxsize);
    const compare = options.compare ?? defaultCompare;
    if (typeof compare !== "function") throw new TypeError("compare must be a function");
    this._items = new HeapStore<T>(compare);
  }
}

/**
 * A queue that hands out the item put last first (a stack).
 *
 * Mirrors `asyncio.LifoQueue`.
 *
 * @example
 * ```ts
 * import { LifoQueue } from "@asyncio/deno";
 * const q = new LifoQueue<number>();
 * q.putNowait(1);
 * q.putNowait(2);
 * console.assert(q.getNowait() === 2);
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  /**
   * An empty LIFO queue.
   * @param maxsize as `Queue`.
   */
  constructor(maxsize = 0) {
    super(maxsize);
    this._items = new LifoStore<T>();
  }
}
