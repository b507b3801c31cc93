/**
 * Synchronisation primitives for tasks, as CPython's `asyncio/locks.py`:
 * `Lock`, `Event`, `Condition`, `Semaphore`, `BoundedSemaphore`, `Barrier`.
 *
 * Ported from CPython 3.13 (`Lib/asyncio/locks.py`, `mixins.py`), with its
 * fairness and cancellation rules:
 * - waiters are loop futures in a FIFO and are woken in arrival order;
 * - a call that can complete at once does not wait and does not yield to
 *   the loop (`await lock.acquire()` on a free lock resumes in the same
 *   step, as in asyncio);
 * - each object binds to the running loop the first time it makes a task
 *   wait (`_LoopBoundMixin`); using it from another loop is a
 *   `RuntimeError`.
 *
 * `async with lock:` becomes `using _ = await lock.acquireScope();`
 * (`await using` works too): the scope is a `Disposable` whose disposal
 * calls `release()` once. Release is synchronous, so nothing is awaited at
 * the end of the block. `Lock`, `Semaphore` and `Condition` have it.
 *
 * Python's `ValueError` (a bad count, a semaphore released above its bound)
 * is a `RangeError` here; state errors are `RuntimeError` with CPython's
 * messages.
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { BrokenBarrierError, CancelledError, RuntimeError } from "./exceptions.ts";
import { Future } from "./futures.ts";
import type { Continuation } from "./_continuation.ts";
import { bindLoop, Deque, waitInLine } from "./_sync.ts";
import { shortRepr } from "./_util.ts";
import type { Task } from "./tasks.ts";
import { _taskContext } from "./_running.ts";
import { onResource } from "./_watch.ts";

// Shared settled promises for the calls that complete at once: no
// allocation, and no loop iteration (only a microtask), as asyncio's
// coroutines that return without awaiting.
const TRUE: Promise<true> = Promise.resolve(true);

/** Something with `acquire()` and `release()`, scoped by `acquireScope()`. */
interface Acquirable {
  acquire(): Promise<unknown>;
  release(): void;
}

async function acquireScope(sync: Acquirable): Promise<Disposable> {
  await sync.acquire();
  let held = true;
  return {
    [Symbol.dispose]() {
      // Disposing twice must not release a hold someone else now has.
      if (!held) return;
      held = false;
      sync.release();
    },
  };
}

function waitersInfo(waiters: Deque<unknown> | null): string {
  return waiters !== null && waiters.length > 0 ? `, waiters:${waiters.length}` : "";
}

function checkCount(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${what} must be an integer, got ${shortRepr(value)}`);
  }
  return value;
}

/**
 * A mutual-exclusion lock for tasks, not owned by a task: any task may
 * release it.
 *
 * Fair: when it is released, the task that has waited longest gets it. A
 * waiter that is cancelled after being woken (before it could take the
 * lock) passes the wake-up to the next waiter, so the lock is never left
 * free while tasks wait. `acquire()` on a free lock with no live waiters
 * takes it at once, without yielding.
 *
 * Mirrors `asyncio.Lock`.
 *
 * @example
 * ```ts
 * import { createTask, Lock, run, sleep } from "@asyncio/deno";
 * const lock = new Lock();
 * const order: string[] = [];
 * async function worker(name: string) {
 *   using _ = await lock.acquireScope(); // `async with lock:`
 *   order.push(`${name} in`);
 *   await sleep(0.01);
 *   order.push(`${name} out`);
 * }
 * await run(async () => {
 *   const a = createTask(() => worker("a"));
 *   const b = createTask(() => worker("b"));
 *   await a;
 *   await b;
 * });
 * console.assert(order.join() === "a in,a out,b in,b out");
 * ```
 */
export class Lock {
  /**
   * @ignore The task that took the lock, recorded only while a monitor
   * watches (lib/_monitor.ts); `null` from the prototype otherwise.
   */
  declare _holder: Task<unknown> | null;
  #loop: EventLoop | null = null;
  #waiters: Deque<Future<boolean>> | null = null;
  #locked = false;

  /** A free lock. */
  constructor() {
    if (onResource !== null) onResource(this);
  }

  /** True if some task holds the lock. Mirrors `Lock.locked`. */
  locked(): boolean {
    return this.#locked;
  }

  /**
   * Wait until the lock is free and take it.
   *
   * Mirrors `Lock.acquire`.
   * @returns a promise of `true`.
   * @throws {CancelledError} if the task is cancelled while waiting; the
   *   lock is then not held by it.
   */
  acquire(): Promise<true> {
    // Jumping the queue when every waiter is cancelled is asyncio's
    // optimisation; otherwise wait in turn even if the lock is free.
    if (!this.#locked && (this.#waiters === null || allCancelled(this.#waiters))) {
      this.#locked = true;
      if (onResource !== null) this._holder = _taskContext.getStore() ?? null;
      return TRUE;
    }
    return this.#acquireSlow();
  }

  async #acquireSlow(): Promise<true> {
    this.#loop = bindLoop(this.#loop, this);
    const waiters = this.#waiters ??= new Deque();
    try {
      await waitInLine(waiters, this.#loop.createFuture<boolean>());
    } catch (err) {
      // Woken but cancelled before taking the lock: pass the turn on.
      if (!this.#locked) this.#wakeUpFirst();
      throw err;
    }
    this.#locked = true;
    if (onResource !== null) this._holder = _taskContext.getStore() ?? null;
    return true;
  }

  /**
   * Take the lock and return a scope that releases it when disposed:
   * `using _ = await lock.acquireScope();` is Python's `async with lock:`.
   * @returns a `Disposable` whose disposal releases the lock (once).
   */
  acquireScope(): Promise<Disposable> {
    return acquireScope(this);
  }

  /**
   * Free the lock and wake the first waiter, if any.
   *
   * Mirrors `Lock.release`.
   * @throws {RuntimeError} `Lock is not acquired.` if it is not locked.
   */
  release(): void {
    if (!this.#locked) throw new RuntimeError("Lock is not acquired.");
    this.#locked = false;
    if (this._holder !== null) this._holder = null;
    this.#wakeUpFirst();
  }

  /** @ignore The futures its waiting tasks await, in line order (for a monitor). */
  _waiterFutures(): Future<unknown>[] {
    return this.#waiters === null ? [] : [...this.#waiters];
  }

  #wakeUpFirst(): void {
    // A done head waiter will run and either take the lock or, if it was
    // cancelled, wake the next one then (as CPython `_wake_up_first`).
    const waiters = this.#waiters;
    if (waiters === null || waiters.length === 0) return;
    const first = waiters.at(0);
    if (!first.done()) first.setResult(true);
  }

  /** For example `<Lock [locked, waiters:2]>`. */
  toString(): string {
    return `<Lock [${this.#locked ? "locked" : "unlocked"}${waitersInfo(this.#waiters)}]>`;
  }
}

Lock.prototype._holder = null;

function allCancelled(waiters: Deque<Future<unknown>>): boolean {
  for (let i = 0; i < waiters.length; i++) if (!waiters.at(i).cancelled()) return false;
  return true;
}

/**
 * A flag tasks can wait for: `set()` wakes every waiter, and `wait()`
 * returns at once while the flag is set.
 *
 * Mirrors `asyncio.Event`.
 *
 * @example
 * ```ts
 * import { createTask, Event, run } from "@asyncio/deno";
 * await run(async () => {
 *   const ready = new Event();
 *   const waiter = createTask(async () => {
 *     await ready.wait();
 *     return "go";
 *   });
 *   ready.set();
 *   console.assert((await waiter) === "go" && ready.isSet());
 * });
 * ```
 */
export class Event {
  #loop: EventLoop | null = null;
  #waiters = new Deque<Future<boolean>>();
  #value = false;

  /** An unset flag. */
  constructor() {
    if (onResource !== null) onResource(this);
  }

  /** @ignore The futures its waiting tasks await (for a monitor). */
  _waiterFutures(): Future<unknown>[] {
    return [...this.#waiters];
  }

  /** True while the flag is set. Mirrors `Event.is_set`. */
  isSet(): boolean {
    return this.#value;
  }

  /** Set the flag and wake every waiter. Mirrors `Event.set`. */
  set(): void {
    if (this.#value) return;
    this.#value = true;
    for (const fut of this.#waiters) if (!fut.done()) fut.setResult(true);
  }

  /** Unset the flag: later `wait()` calls block until `set()`. Mirrors `Event.clear`. */
  clear(): void {
    this.#value = false;
  }

  /**
   * Wait until the flag is set (at once, without yielding, if it is).
   *
   * Mirrors `Event.wait`.
   * @returns an awaitable of `true` (a future while the flag is unset).
   * @throws {CancelledError} if the task is cancelled while waiting.
   */
  wait(): PromiseLike<true> {
    if (this.#value) return TRUE;
    // Asyncio's body (a future in the waiters, awaited, then removed) with
    // no async frame of its own: the caller awaits the future itself, which
    // leaves the waiters when its awaiter resumes (see `EventWaiter`), so a
    // waiting task costs what awaiting a future costs (bench/README.md).
    try {
      this.#loop = bindLoop(this.#loop, this);
    } catch (err) {
      return Promise.reject(err); // as the async function it was: at the await, not the call
    }
    const fut = new EventWaiter(this.#loop, this.#waiters);
    this.#waiters.push(fut);
    return fut;
  }

  /** For example `<Event [unset, waiters:1]>`. */
  toString(): string {
    return `<Event [${this.#value ? "set" : "unset"}${waitersInfo(this.#waiters)}]>`;
  }
}

/**
 * The future an `Event.wait()` returns: it leaves the event's waiters when
 * whoever awaits it resumes, however the wait ended, as asyncio's
 * `finally: self._waiters.remove(fut)` (so `set()` leaves them listed until
 * they run, as in CPython).
 */
class EventWaiter extends Future<true> {
  #waiters: Deque<Future<boolean>>;

  constructor(loop: EventLoop, waiters: Deque<Future<boolean>>) {
    super(loop);
    this.#waiters = waiters;
  }

  override _settle(next: Continuation): void {
    this.#waiters.remove(this);
    super._settle(next);
  }

  override _abandon(): void {
    this.#waiters.remove(this);
  }

  override _reprInfo(): string[] {
    const info = super._reprInfo();
    info[0] = "Future"; // as asyncio's repr of the future `Event.wait` awaits
    return info;
  }
}

/**
 * A condition variable: tasks holding its lock `wait()` until another task
 * holding the lock calls `notify()` or `notifyAll()`.
 *
 * `wait()` releases the lock, waits for a notification, then takes the
 * lock again before it returns, even when it is cancelled (the
 * `CancelledError` comes once the lock is held again, as in asyncio). A
 * waiter that was notified but fails (cancelled) passes the notification
 * to another waiter (CPython 3.13, gh-112202), so none is lost.
 *
 * Mirrors `asyncio.Condition`.
 *
 * @example
 * ```ts
 * import { Condition, createTask, run, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   const cond = new Condition();
 *   const items: number[] = [];
 *   const consumer = createTask(async () => {
 *     using _ = await cond.acquireScope();
 *     await cond.waitFor(() => items.length > 0);
 *     return items.shift();
 *   });
 *   await sleep(0);
 *   {
 *     using _ = await cond.acquireScope();
 *     items.push(7);
 *     cond.notify();
 *   }
 *   console.assert((await consumer) === 7);
 * });
 * ```
 */
export class Condition {
  #lock: Lock;
  #loop: EventLoop | null = null;
  #waiters = new Deque<Future<boolean>>();

  /**
   * A condition on `lock`.
   * @param lock the lock to share (several conditions may share one);
   *   a new `Lock` by default.
   * @throws {TypeError} if `lock` is not a `Lock`.
   */
  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) {
      throw new TypeError(`lock must be a Lock, got ${shortRepr(lock)}`);
    }
    this.#lock = lock ?? new Lock();
    if (onResource !== null) onResource(this);
  }

  /** @ignore Its lock (for a monitor: who holds it). */
  get _lock(): Lock {
    return this.#lock;
  }

  /** @ignore The futures its waiting tasks await (for a monitor). */
  _waiterFutures(): Future<unknown>[] {
    return [...this.#waiters];
  }

  /** True if the underlying lock is held. */
  locked(): boolean {
    return this.#lock.locked();
  }

  /** Take the underlying lock (`Lock.acquire`). */
  acquire(): Promise<true> {
    return this.#lock.acquire();
  }

  /**
   * Release the underlying lock (`Lock.release`).
   * @throws {RuntimeError} `Lock is not acquired.` if it is not locked.
   */
  release(): void {
    this.#lock.release();
  }

  /** Take the underlying lock; the returned scope releases it when disposed. */
  acquireScope(): Promise<Disposable> {
    return acquireScope(this.#lock);
  }

  /**
   * Release the lock, wait until notified, take the lock again.
   *
   * Mirrors `Condition.wait`.
   * @returns a promise of `true`.
   * @throws {RuntimeError} `cannot wait on un-acquired lock`.
   * @throws {CancelledError} if cancelled, once the lock is held again.
   */
  async wait(): Promise<true> {
    if (!this.locked()) throw new RuntimeError("cannot wait on un-acquired lock");
    this.#loop = bindLoop(this.#loop, this);
    const fut = this.#loop.createFuture<boolean>();
    this.release();
    // Python's try/finally/except nest, unrolled: the last error wins.
    let failure: { error: unknown } | null = null;
    try {
      await waitInLine(this.#waiters, fut);
    } catch (error) {
      failure = { error };
    }
    try {
      const cancelled = await this.#reacquire();
      if (cancelled !== null) failure = { error: cancelled };
    } catch (error) {
      failure = { error };
    }
    if (failure !== null) {
      // This task may have been notified before it failed: hand the
      // notification on (a spurious wake-up is allowed, a lost one not).
      this.#notify(1);
      throw failure.error;
    }
    return true;
  }

  /**
   * Take the lock again however the wait ended; a cancel that lands
   * meanwhile is kept and returned, to be thrown once the lock is held.
   */
  async #reacquire(): Promise<CancelledError | null> {
    let cancelled: CancelledError | null = null;
    for (;;) {
      try {
        await this.acquire();
        return cancelled;
      } catch (err) {
        if (!(err instanceof CancelledError)) throw err;
        cancelled = err;
      }
    }
  }

  /**
   * Wait until `predicate()` is truthy, checking it first and after each
   * wake-up; the lock must be held.
   *
   * Mirrors `Condition.wait_for`.
   * @returns the predicate's last (truthy) value.
   */
  async waitFor<R>(predicate: () => R): Promise<R> {
    let result = predicate();
    while (!result) {
      await this.wait();
      result = predicate();
    }
    return result;
  }

  /**
   * Wake up to `n` waiters (in the order they began waiting). They return
   * from `wait()` only once they get the lock, so release it afterwards.
   *
   * Mirrors `Condition.notify`.
   * @throws {RuntimeError} `cannot notify on un-acquired lock`.
   */
  notify(n = 1): void {
    if (!this.locked()) throw new RuntimeError("cannot notify on un-acquired lock");
    this.#notify(n);
  }

  /**
   * Wake every waiter.
   *
   * Mirrors `Condition.notify_all`.
   * @throws {RuntimeError} `cannot notify on un-acquired lock`.
   */
  notifyAll(): void {
    this.notify(this.#waiters.length);
  }

  #notify(n: number): void {
    let woken = 0;
    for (const fut of this.#waiters) {
      if (woken >= n) break;
      if (!fut.done()) {
        woken++;
        fut.setResult(false);
      }
    }
  }

  /** For example `<Condition [locked, waiters:1]>`. */
  toString(): string {
    return `<Condition [${this.locked() ? "locked" : "unlocked"}${waitersInfo(this.#waiters)}]>`;
  }
}

/**
 * A counter of free slots: `acquire()` takes one (waiting while there are
 * none), `release()` gives one back.
 *
 * Fair as asyncio 3.13: a task that finds the counter above zero still
 * waits while earlier waiters have not run yet; a waiter woken and then
 * cancelled gives its slot back and wakes the next one.
 *
 * Mirrors `asyncio.Semaphore`.
 *
 * @example
 * ```ts
 * import { createTask, run, Semaphore, sleep } from "@asyncio/deno";
 * const sem = new Semaphore(2);
 * let running = 0, most = 0;
 * await run(async () => {
 *   const tasks = [1, 2, 3, 4, 5].map(() =>
 *     createTask(async () => {
 *       using _ = await sem.acquireScope();
 *       most = Math.max(most, ++running);
 *       await sleep(0.01);
 *       running--;
 *     })
 *   );
 *   for (const t of tasks) await t;
 * });
 * console.assert(most === 2);
 * ```
 */
export class Semaphore {
  /** @ignore The free slots (asyncio's `_value`). */
  _value: number;
  /**
   * @ignore The tasks holding a slot, while a monitor watches (lib/_watch.ts):
   * who acquired and has not released; null otherwise (on the prototype).
   */
  declare _holders: Task<unknown>[] | null;
  #loop: EventLoop | null = null;
  #waiters: Deque<Future<boolean>> | null = null;

  /**
   * A semaphore with `value` free slots.
   * @param value the initial count (default 1).
   * @throws {TypeError} if `value` is not an integer.
   * @throws {RangeError} `Semaphore initial value must be >= 0`.
   */
  constructor(value = 1) {
    if (checkCount(value, "value") < 0) {
      throw new RangeError("Semaphore initial value must be >= 0");
    }
    this._value = value;
    if (onResource !== null) onResource(this);
  }

  /** @ignore The futures its waiting tasks await, in line order (for a monitor). */
  _waiterFutures(): Future<unknown>[] {
    return this.#waiters === null ? [] : [...this.#waiters];
  }

  /**
   * True if `acquire()` would wait: no free slot, or live waiters ahead.
   * Mirrors `Semaphore.locked`.
   */
  locked(): boolean {
    return this._value === 0 || (this.#waiters !== null && !allCancelled(this.#waiters));
  }

  /**
   * Take a slot, waiting for one (in FIFO order) if needed.
   *
   * Mirrors `Semaphore.acquire`.
   * @returns a promise of `true`.
   * @throws {CancelledError} if cancelled while waiting; no slot is held then.
   */
  acquire(): Promise<true> {
    if (!this.locked()) {
      this._value--;
      if (onResource !== null) this.#held();
      return TRUE;
    }
    return this.#acquireSlow();
  }

  /** A monitor watches: the task running now holds a slot. */
  #held(): void {
    const task = _taskContext.getStore();
    if (task !== undefined) (this._holders ??= []).push(task);
  }

  async #acquireSlow(): Promise<true> {
    this.#loop = bindLoop(this.#loop, this);
    const waiters = this.#waiters ??= new Deque();
    const fut = this.#loop.createFuture<boolean>();
    try {
      await waitInLine(waiters, fut);
    } catch (err) {
      // Woken (a slot was counted for us) but not acquiring: give it back.
      if (fut.done() && !fut.cancelled()) this._value++;
      throw err;
    } finally {
      // Later arrivals waited for FIFO's sake; wake as many as there are
      // slots (as CPython 3.13).
      while (this._value > 0 && this.#wakeUpNext());
    }
    if (onResource !== null) this.#held();
    return true;
  }

  /** Take a slot; the returned scope gives it back when disposed. */
  acquireScope(): Promise<Disposable> {
    return acquireScope(this);
  }

  /**
   * Give a slot back and wake the first waiter, if any.
   * Mirrors `Semaphore.release`.
   */
  release(): void {
    this._value++;
    const holders = this._holders;
    if (holders !== null && holders.length > 0) {
      // The releasing task's slot, else (released for another) the oldest.
      const at = holders.indexOf(_taskContext.getStore()!);
      holders.splice(at < 0 ? 0 : at, 1);
    }
    this.#wakeUpNext();
  }

  /** Wake the first waiter not yet woken, counting its slot; false if none. */
  #wakeUpNext(): boolean {
    const waiters = this.#waiters;
    if (waiters === null) return false;
    for (let i = 0; i < waiters.length; i++) {
      const fut = waiters.at(i);
      if (fut.done()) continue;
      this._value--;
      fut.setResult(true);
      return true;
    }
    return false;
  }

  /** For example `<Semaphore [unlocked, value:2]>`. */
  toString(): string {
    const state = this.locked() ? "locked" : `unlocked, value:${this._value}`;
    return `<${this.constructor.name} [${state}${waitersInfo(this.#waiters)}]>`;
  }
}

Semaphore.prototype._holders = null;

/**
 * A `Semaphore` that may not be released above its initial value.
 *
 * Mirrors `asyncio.BoundedSemaphore`; Python's `ValueError` is a
 * `RangeError` here.
 *
 * @example
 * ```ts
 * import { BoundedSemaphore } from "@asyncio/deno";
 * const sem = new BoundedSemaphore(1);
 * try {
 *   sem.release();
 * } catch (err) {
 *   console.assert(err instanceof RangeError);
 * }
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  #bound: number;

  /**
   * A semaphore with `value` free slots, never more.
   * @param value the initial count, and the most it may reach (default 1).
   */
  constructor(value = 1) {
    super(value);
    this.#bound = value;
  }

  /**
   * Give a slot back.
   * @throws {RangeError} `BoundedSemaphore released too many times`.
   */
  override release(): void {
    if (this._value >= this.#bound) {
      throw new RangeError("BoundedSemaphore released too many times");
    }
    super.release();
  }
}

// The states of a Barrier, as CPython's `_BarrierState`.
const FILLING = "filling", DRAINING = "draining", RESETTING = "resetting", BROKEN = "broken";
type BarrierState = typeof FILLING | typeof DRAINING | typeof RESETTING | typeof BROKEN;

/**
 * Makes `parties` tasks wait for one another: each `wait()` blocks until
 * `parties` tasks are waiting, then all are released together. It can be
 * used again (cyclic). `reset()` and `abort()` make the waiting tasks
 * throw `BrokenBarrierError`; after `abort()` every `wait()` does.
 *
 * A task cancelled in `wait()` just leaves (the barrier is not broken), as
 * in asyncio.
 *
 * Mirrors `asyncio.Barrier`.
 *
 * @example
 * ```ts
 * import { Barrier, createTask, run } from "@asyncio/deno";
 * await run(async () => {
 *   const barrier = new Barrier(3);
 *   const tasks = [0, 1, 2].map(() => createTask(() => barrier.wait()));
 *   const indices: number[] = [];
 *   for (const t of tasks) indices.push(await t);
 *   console.assert(indices.join() === "0,1,2");
 * });
 * ```
 */
export class Barrier {
  #cond = new Condition();
  #parties: number;
  #state: BarrierState = FILLING;
  #count = 0;

  /**
   * A barrier for `parties` tasks.
   * @param parties how many tasks must wait before all are released.
   * @throws {TypeError} if `parties` is not an integer.
   * @throws {RangeError} `parties must be > 0`.
   */
  constructor(parties: number) {
    if (checkCount(parties, "parties") < 1) throw new RangeError("parties must be > 0");
    this.#parties = parties;
    if (onResource !== null) onResource(this);
  }

  /** @ignore The condition its tasks wait on (for a monitor). */
  get _cond(): Condition {
    return this.#cond;
  }

  /**
   * Wait until `parties` tasks are waiting, then return this task's index
   * (0 to `parties - 1`, in arrival order).
   *
   * Mirrors `Barrier.wait`.
   * @throws {BrokenBarrierError} if the barrier is or becomes broken
   *   (`abort()`) or is reset while this task waits.
   */
  async wait(): Promise<number> {
    await this.#cond.acquire();
    try {
      await this.#block();
      try {
        const index = this.#count++;
        if (index + 1 === this.#parties) {
          // The last arrival releases everyone.
          this.#state = DRAINING;
          this.#cond.notifyAll();
        } else {
          await this.#cond.waitFor(() => this.#state !== FILLING);
          if (this.#state === BROKEN || this.#state === RESETTING) {
            throw new BrokenBarrierError("Abort or reset of barrier");
          }
        }
        return index;
      } finally {
        this.#count--;
        this.#exit();
      }
    } finally {
      this.#cond.release();
    }
  }

  /** Wait while the barrier drains or resets; throw if it is broken. */
  async #block(): Promise<void> {
    await this.#cond.waitFor(() => this.#state !== DRAINING && this.#state !== RESETTING);
    if (this.#state === BROKEN) throw new BrokenBarrierError("Barrier aborted");
  }

  /** The last task out ends draining or resetting and wakes those blocked. */
  #exit(): void {
    if (this.#count !== 0) return;
    if (this.#state === RESETTING || this.#state === DRAINING) this.#state = FILLING;
    this.#cond.notifyAll();
  }

  /**
   * Return to the empty state; tasks waiting now throw
   * `BrokenBarrierError`. Mirrors `Barrier.reset`.
   */
  async reset(): Promise<void> {
    await this.#cond.acquire();
    try {
      this.#state = this.#count > 0 ? RESETTING : FILLING;
      this.#cond.notifyAll();
    } finally {
      this.#cond.release();
    }
  }

  /**
   * Break the barrier: waiting and future `wait()` calls throw
   * `BrokenBarrierError`. Mirrors `Barrier.abort`.
   */
  async abort(): Promise<void> {
    await this.#cond.acquire();
    try {
      this.#state = BROKEN;
      this.#cond.notifyAll();
    } finally {
      this.#cond.release();
    }
  }

  /** How many tasks must wait to release the barrier. Mirrors `Barrier.parties`. */
  get parties(): number {
    return this.#parties;
  }

  /** How many tasks wait now (0 unless filling). Mirrors `Barrier.n_waiting`. */
  get nWaiting(): number {
    return this.#state === FILLING ? this.#count : 0;
  }

  /** True after `abort()`. Mirrors `Barrier.broken`. */
  get broken(): boolean {
    return this.#state === BROKEN;
  }

  /** For example `<Barrier [filling, waiters:1/3]>`. */
  toString(): string {
    const extra = this.broken ? "" : `, waiters:${this.nWaiting}/${this.#parties}`;
    return `<Barrier [${this.#state}${extra}]>`;
  }
}
