// The loop's pending timers: a table of slots (the callback, its packed
// arguments, the deadline) and a heap of slot numbers in firing order.
//
// The table, not a handle per timer, is what the loop keeps: a
// `TimerHandle` that its caller drops dies young, and the GC never copies
// or marks it (with the loop keeping them, V8's collections were a quarter
// of the 200,000-timer bench's JavaScript time). While the
// loop is traced (or in debug mode) a slot holds the handle itself, so that
// trace events and source tracebacks name the object `callLater` returned.
//
// A handle finds its slot by number and checks that the slot still holds
// its timer by `seq`, which no two timers share; a slot freed and taken
// again holds another seq. A timer leaves the heap when it is due and joins
// the running batch; its slot is kept until that batch has run, so that
// `cancel()` can still find it there.
import type { TimerHandle } from "./events.ts";
import type { Callback } from "./_ready.ts";
import { TimerHeap } from "./_heap.ts";

/** `where[slot]` of a timer in the heap (or of a free slot); a due one has `DUE + its batch slot`. */
export const PENDING = 0;
/** See `PENDING`. */
export const DUE = 1;

// Handles know their slot numbers, so a live timer is never moved; the
// table shrinks from the top instead. Slots in use are those below a
// high-water mark, which falls past the free slots at the top after each
// batch; when it is under a quarter of the arrays' size (and that is more
// than this), the arrays are cut down. After a burst, a timer left in a
// high slot keeps the slots below it (~50 B each, no objects) until it is gone.
const KEEP_SLOTS = 4096;
const INITIAL_SLOTS = 64;

export class TimerTable {
  readonly heap: TimerHeap;
  // The fields below are set by `clear()`.
  /** Per slot: the callback, or the handle (traced loop), or null once cancelled. */
  entries!: Array<Callback | TimerHandle | null | undefined>;
  /** Per slot: the packed arguments of a callback entry. */
  args!: unknown[];
  whens!: Float64Array;
  /** Per slot: the seq of the timer it holds, −1 when free. */
  seqs!: Float64Array;
  where!: Int32Array;
  // Freed slots to reuse, last freed first; an entry may have gone stale
  // (the slot was freed again, or the high-water mark fell past it), so a
  // slot taken from here is checked.
  #free!: number[];
  // The high-water mark: slots from here on are free.
  #used!: number;
  // The slots of the timers moved to the batch this iteration, in the order
  // of their batch slots (the array keeps its size).
  #due!: number[];
  #dueLength!: number;

  /** `runMin`: see `TimerHeap` (tests make it small). */
  constructor(runMin?: number) {
    this.heap = new TimerHeap(runMin);
    this.clear();
  }

  /** Timers in the heap, cancelled ones included. */
  get size(): number {
    return this.heap.size;
  }

  /** Take a slot for a timer and push it onto the heap; returns the slot. */
  add(when: number, seq: number, callback: Callback, args: unknown): number {
    const slot = this.#takeSlot();
    this.entries[slot] = callback;
    this.args[slot] = args;
    this.whens[slot] = when;
    this.seqs[slot] = seq;
    this.heap.push(slot, when, seq);
    return slot;
  }

  /** Keep `handle` in its slot instead of its callback (a traced loop). */
  hold(slot: number, handle: TimerHandle): void {
    this.entries[slot] = handle;
    this.args[slot] = undefined;
  }

  /** Whether `slot` still holds the timer numbered `seq`. */
  holds(slot: number, seq: number): boolean {
    return this.seqs[slot] === seq;
  }

  /** The timer in `slot` will not run; it stays in the heap until purged. */
  cancel(slot: number): void {
    this.entries[slot] = null;
    this.args[slot] = undefined;
  }

  /** It joined the running batch at `batchSlot`. */
  markDue(slot: number, batchSlot: number): void {
    this.where[slot] = DUE + batchSlot;
    this.#due[this.#dueLength++] = slot;
  }

  /** The slot of the timer that went due to `batchSlot` this iteration, or −1. */
  dueAt(batchSlot: number): number {
    const due = this.#due, where = this.where;
    let lo = 0, hi = this.#dueLength - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = where[due[mid]] - DUE;
      if (at === batchSlot) return due[mid];
      if (at < batchSlot) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Free a slot (its timer ran, was purged, or the loop closed). */
  release(slot: number): void {
    this.entries[slot] = undefined;
    this.args[slot] = undefined;
    this.seqs[slot] = -1;
    this.where[slot] = PENDING;
    this.#free.push(slot);
  }

  /** The batch has run: free the slots of this iteration's due timers. */
  releaseDue(): void {
    const due = this.#due, n = this.#dueLength;
    if (n === 0) return;
    for (let i = 0; i < n; i++) this.release(due[i]);
    this.#dueLength = 0;
    this.shrinkIfSparse();
  }

  /**
   * Lower the high-water mark past the free slots at the top; then cut the
   * arrays down if under a quarter of their slots are below it.
   */
  shrinkIfSparse(): void {
    let used = this.#used;
    while (used > 0 && this.seqs[used - 1] === -1) used--;
    this.#used = used;
    const size = this.seqs.length;
    if (size <= KEEP_SLOTS || used * 4 > size) return;
    const keep = Math.max(INITIAL_SLOTS, used * 2);
    this.whens = this.whens.slice(0, keep);
    this.seqs = this.seqs.slice(0, keep);
    this.where = this.where.slice(0, keep);
    this.entries.length = Math.min(this.entries.length, used);
    this.args.length = Math.min(this.args.length, used);
    this.#free = this.#free.filter((slot) => this.#isFree(slot));
    if (this.#dueLength === 0) this.#due = [];
  }

  /** Forget every timer; no handle finds its slot any more. */
  clear(): void {
    this.heap.clear();
    this.entries = [];
    this.args = [];
    this.whens = new Float64Array(INITIAL_SLOTS);
    this.seqs = new Float64Array(INITIAL_SLOTS).fill(-1);
    this.where = new Int32Array(INITIAL_SLOTS);
    this.#free = [];
    this.#used = 0;
    this.#due = [];
    this.#dueLength = 0;
  }

  #takeSlot(): number {
    const free = this.#free;
    while (free.length > 0) {
      const slot = free.pop()!;
      if (this.#isFree(slot)) return slot;
    }
    return this.#newSlot();
  }

  #isFree(slot: number): boolean {
    return slot < this.#used && this.seqs[slot] === -1;
  }

  #newSlot(): number {
    const slot = this.#used++;
    if (slot === this.seqs.length) {
      const size = slot * 2;
      this.whens = grown(this.whens, new Float64Array(size));
      this.seqs = grown(this.seqs, new Float64Array(size).fill(-1));
      this.where = grown(this.where, new Int32Array(size));
    }
    return slot;
  }
}

function grown<A extends Float64Array | Int32Array>(old: A, bigger: A): A {
  bigger.set(old);
  return bigger;
}
