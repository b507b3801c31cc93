// Private helpers of locks.ts and queues.ts: a ring-buffer deque (asyncio's
// `collections.deque` of waiters and of queue items) and the lazy loop
// binding of CPython's mixins.py `_LoopBoundMixin`.
import type { EventLoop } from "./base_events.ts";
import type { Future } from "./futures.ts";
import { getRunningLoop } from "./events.ts";
import { RuntimeError } from "./exceptions.ts";
import { awaitable } from "./_running.ts";

/**
 * A double-ended queue on a power-of-two ring buffer: `push`/`shift` are
 * O(1) without moving elements (unlike `Array.prototype.shift` on a big
 * array); `remove` is O(n), as `deque.remove`, and cheap at the front,
 * where woken waiters usually are.
 */
export class Deque<T> {
  #buf: (T | undefined)[];
  #head = 0;
  #size = 0;

  constructor(capacity = 8) {
    this.#buf = new Array(capacity);
  }

  get length(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#buf.length) this.#grow();
    this.#buf[(this.#head + this.#size) & (this.#buf.length - 1)] = item;
    this.#size++;
  }

  /** Remove and return the first item; `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const buf = this.#buf;
    const item = buf[this.#head];
    buf[this.#head] = undefined; // let it be collected
    this.#head = (this.#head + 1) & (buf.length - 1);
    this.#size--;
    return item;
  }

  /** Remove and return the last item; `undefined` when empty. */
  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const buf = this.#buf;
    const i = (this.#head + this.#size - 1) & (buf.length - 1);
    const item = buf[i];
    buf[i] = undefined;
    this.#size--;
    return item;
  }

  /** The item at `index` from the front (no bounds check beyond `length`). */
  at(index: number): T {
    return this.#buf[(this.#head + index) & (this.#buf.length - 1)] as T;
  }

  /** Remove the first occurrence of `item`; false if it is not there. */
  remove(item: T): boolean {
    const n = this.#size;
    for (let i = 0; i < n; i++) {
      if (this.at(i) !== item) continue;
      if (i === 0) {
        this.shift();
        return true;
      }
      const mask = this.#buf.length - 1;
      for (let j = i; j < n - 1; j++) {
        this.#buf[(this.#head + j) & mask] = this.#buf[(this.#head + j + 1) & mask];
      }
      this.#buf[(this.#head + n - 1) & mask] = undefined;
      this.#size--;
      return true;
    }
    return false;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#size; i++) yield this.at(i);
  }

  #grow(): void {
    const old = this.#buf;
    const buf = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.#size; i++) buf[i] = old[(this.#head + i) & (old.length - 1)];
    this.#buf = buf;
    this.#head = 0;
  }
}

/**
 * The running loop, checked against the loop `bound` that `owner` already
 * uses, as CPython's `mixins._LoopBoundMixin._get_loop`: objects can be made
 * before any loop runs, bind to the loop that first makes them wait, and
 * using one from two loops is an error. Callers store the result.
 */
export function bindLoop(bound: EventLoop | null, owner: object): EventLoop {
  const loop = getRunningLoop();
  if (bound !== null && loop !== bound) {
    throw new RuntimeError(`${owner} is bound to a different event loop`);
  }
  return loop;
}

/**
 * Queue `fut` at the back of `waiters`, wait for it, and leave the queue
 * however the wait ends (before the caller's own error handling, so that a
 * cancelled waiter never wakes itself, as CPython's locks do).
 */
export async function waitInLine(
  waiters: Deque<Future<boolean>>,
  fut: Future<boolean>,
): Promise<void> {
  waiters.push(fut);
  try {
    await awaitable(fut);
  } finally {
    waiters.remove(fut);
  }
}
