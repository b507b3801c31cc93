// The loop's timers, ordered by (when, seq), as libuv orders its timers:
// equal deadlines fire in insertion order, which keeps a frozen virtual
// clock deterministic.
//
// Two parts. New timers go into a 4-ary min-heap whose deadlines live in a
// packed Float64Array beside the items, so that sifting compares numbers in
// one contiguous array instead of loading two fields through a pointer per
// comparison; `_seq` is read only to break a tie. But popping from a large
// heap is a walk through memory at random (~300 ns a pop at 200,000 timers),
// so when the heap is large and nothing else is left to pop, its timers are
// radix-sorted at once into a "run", an array popped from the front in
// order. A timer is sorted at most once; later ones go to the heap, and a
// pop takes the earlier of the run's head and the heap's top. A push only
// appends; the heap takes in what was appended at the next look (peek,
// pop), so that a burst of timers goes to a run without being sifted first.

export interface HeapTimer {
  _when: number;
  _seq: number;
}

// A heap at least this large is sorted into a run when the run is empty.
// Each sort clears and sums 65,536 counters a pass: below this many timers
// that costs more than the pops it saves.
const RUN_MIN = 16384;

export class TimerHeap<T extends HeapTimer> {
  #runMin: number;
  #items: T[] = [];
  #whens = new Float64Array(64);
  // `#items` up to here is a heap; the rest was appended since the last look.
  #heapLen = 0;
  // Popped slots are emptied, so that a fired timer is not kept alive.
  #run: Array<T | undefined> = [];
  #runWhens = new Float64Array(0);
  #runPos = 0;

  /** `runMin`: how large the heap must be to be sorted into a run (tests make it small). */
  constructor(runMin = RUN_MIN) {
    this.#runMin = runMin;
  }

  get size(): number {
    return this.#items.length + this.#run.length - this.#runPos;
  }

  /** The items, in no particular order. */
  get items(): readonly T[] {
    // From the run's position on, its slots are all filled.
    return (this.#run.slice(this.#runPos) as T[]).concat(this.#items);
  }

  /** The item that fires first, if any. */
  peek(): T | undefined {
    return this.#fromRun() ? this.#run[this.#runPos] : this.#items[0];
  }

  /** The deadline of `peek()`'s item (Infinity when empty), without touching the item. */
  peekWhen(): number {
    if (this.#fromRun()) return this.#runWhens[this.#runPos];
    return this.#items.length === 0 ? Infinity : this.#whens[0];
  }

  push(item: T): void {
    const i = this.#items.length;
    this.#items.push(item);
    if (i >= this.#whens.length) {
      const grown = new Float64Array(this.#whens.length * 2);
      grown.set(this.#whens);
      this.#whens = grown;
    }
    this.#whens[i] = item._when;
  }

  pop(): T | undefined {
    return this.popDue(Infinity);
  }

  /** Remove and return the item that fires first if it is due by `end`. */
  popDue(end: number): T | undefined {
    if (this.#fromRun()) {
      const run = this.#run, pos = this.#runPos;
      if (this.#runWhens[pos] > end) return undefined;
      const item = run[pos];
      run[pos] = undefined;
      this.#runPos = pos + 1;
      if (pos + 1 === run.length) this.#clearRun();
      return item;
    }
    if (this.#items.length === 0 || this.#whens[0] > end) return undefined;
    return this.#popHeap();
  }

  /** Keep only the items `keep` accepts, then rebuild from them. */
  filter(keep: (item: T) => boolean): void {
    const kept = this.items.filter(keep);
    this.clear();
    for (const item of kept) this.push(item);
  }

  /** Drop every item. */
  clear(): void {
    this.#items = [];
    this.#whens = new Float64Array(64);
    this.#heapLen = 0;
    this.#clearRun();
  }

  /** The items in firing order (a sorted copy). */
  sorted(): T[] {
    return (this.items as T[]).sort((a, b) => a._when - b._when || a._seq - b._seq);
  }

  /**
   * Whether the next item comes from the run (else from the heap). An empty
   * run is refilled first from a heap large enough to be worth sorting.
   */
  #fromRun(): boolean {
    const pos = this.#runPos;
    if (pos === this.#run.length) {
      if (this.#items.length < this.#runMin) {
        this.#takeAppended();
        return false;
      }
      this.#sortHeapIntoRun();
      return true;
    }
    this.#takeAppended();
    const items = this.#items;
    if (items.length === 0) return true;
    const rw = this.#runWhens[pos], hw = this.#whens[0];
    return rw < hw || (rw === hw && this.#run[pos]!._seq < items[0]._seq);
  }

  /** Sift what was appended since the last look into the heap. */
  #takeAppended(): void {
    const items = this.#items, whens = this.#whens;
    for (let i = this.#heapLen; i < items.length; i++) this.#siftUp(items[i], whens[i], i);
    this.#heapLen = items.length;
  }

  #clearRun(): void {
    this.#run = [];
    this.#runWhens = new Float64Array(0);
    this.#runPos = 0;
  }

  /** Move every heap item into the (empty) run, in firing order. */
  #sortHeapIntoRun(): void {
    const items = this.#items, n = items.length;
    const whens = this.#whens.subarray(0, n);
    const order = radixOrder(whens);
    const run: T[] = new Array(n);
    const runWhens = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const i = order[k];
      run[k] = items[i];
      runWhens[k] = whens[i];
    }
    breakTies(run, runWhens);
    this.#run = run;
    this.#runWhens = runWhens;
    this.#runPos = 0;
    this.#items = [];
    this.#whens = new Float64Array(64);
    this.#heapLen = 0;
  }

  #popHeap(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    const n = items.length;
    this.#heapLen = n;
    if (n === 0 || last === undefined) return top;
    // Floyd's pop: walk the hole at the root down to a leaf along the
    // smallest children, then sift `last` up from there; it usually stays
    // near the bottom, so the sift-up is short. Four children a node: half
    // the levels of a binary heap (push got 2x faster; pop measured the same).
    const whens = this.#whens;
    const lastWhen = whens[n];
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let child = first;
      const end = first + 4 < n ? first + 4 : n;
      for (let c = first + 1; c < end; c++) {
        if (this.#less(c, child)) child = c;
      }
      items[i] = items[child];
      whens[i] = whens[child];
      i = child;
    }
    this.#siftUp(last, lastWhen, i);
    return top;
  }

  /** Whether the heap item at `i` fires before the one at `j`. */
  #less(i: number, j: number): boolean {
    const wi = this.#whens[i], wj = this.#whens[j];
    return wi < wj || (wi === wj && this.#items[i]._seq < this.#items[j]._seq);
  }

  #siftUp(item: T, when: number, i: number): void {
    const items = this.#items, whens = this.#whens;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pw = whens[parent];
      if (pw < when || (pw === when && items[parent]._seq < item._seq)) break;
      items[i] = items[parent];
      whens[i] = pw;
      i = parent;
    }
    items[i] = item;
    whens[i] = when;
  }
}

/**
 * The indices of `whens` in ascending order: a stable LSD radix sort on the
 * float64 bits, made to sort as unsigned integers, 16 bits a pass (passes
 * where every key has the same digit are skipped).
 */
export function radixOrder(whens: Float64Array): Uint32Array {
  const n = whens.length;
  const keys = new Uint32Array(2 * n);
  const view = new Float64Array(keys.buffer);
  for (let i = 0; i < n; i++) view[i] = whens[i] + 0; // -0 sorts as 0
  for (let i = 0; i < n; i++) {
    // Little-endian: [2i] holds the low half, [2i + 1] the high half with the sign.
    const hi = keys[2 * i + 1];
    const negative = hi >>> 31;
    keys[2 * i + 1] = negative ? ~hi : hi | 0x80000000;
    if (negative) keys[2 * i] = ~keys[2 * i];
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  const counts = new Uint32Array(0x10001);
  for (let pass = 0; pass < 4; pass++) {
    const half = pass >> 1, shift = (pass & 1) * 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((keys[2 * i + half] >>> shift) & 0xffff) + 1]++;
    if (counts.includes(n)) continue; // one digit for all: this pass changes nothing
    for (let d = 1; d <= 0x10000; d++) counts[d] += counts[d - 1];
    for (let k = 0; k < n; k++) {
      const i = order[k];
      next[counts[(keys[2 * i + half] >>> shift) & 0xffff]++] = i;
    }
    [order, next] = [next, order];
  }
  return order;
}

/** Order each run of equal deadlines by `_seq` (the radix sort saw only deadlines). */
function breakTies<T extends HeapTimer>(run: T[], whens: Float64Array): void {
  const n = run.length;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && whens[i] === whens[start]) continue;
    if (i - start > 1) {
      const tied = run.slice(start, i).sort((a, b) => a._seq - b._seq);
      for (let k = 0; k < tied.length; k++) run[start + k] = tied[k];
    }
    start = i;
  }
}
