// The loop's timer heap: timer ids (small integers, slots of the loop's
// timer table, lib/_timers.ts) ordered by (when, seq), as libuv orders its
// timers: equal deadlines fire in insertion order, which keeps a frozen
// virtual clock deterministic.
//
// Everything lives in typed arrays: ids, deadlines and sequence numbers side
// by side, so that sifting compares numbers in contiguous memory and the GC
// has nothing to trace. Two parts. New timers go into a 4-ary min-heap. But
// popping from a large heap is a walk through memory at random, so when the
// heap is large and nothing else is left to pop, its timers are sorted at
// once into a "run", popped from the front in order. A timer is sorted at
// most once; later ones go to the heap, and a pop takes the earlier of the
// run's head and the heap's top. A push only appends; the heap takes in what
// was appended at the next look (peek, pop), so that a burst of timers goes
// to a run without being sifted first.

// A heap at least this large is sorted into a run when the run is empty.
const RUN_MIN = 16384;
const INITIAL_SIZE = 64;

/** Ids, deadlines and tie-breakers, in parallel typed arrays. */
class Columns {
  ids: Int32Array;
  whens: Float64Array;
  seqs: Float64Array;

  constructor(size: number) {
    this.ids = new Int32Array(size);
    this.whens = new Float64Array(size);
    this.seqs = new Float64Array(size);
  }

  /** Copy entry `from` of `source` to entry `to`. */
  copy(to: number, source: Columns, from: number): void {
    this.ids[to] = source.ids[from];
    this.whens[to] = source.whens[from];
    this.seqs[to] = source.seqs[from];
  }

  /** New columns of `size` entries, the first `n` copied from these. */
  resized(size: number, n: number): Columns {
    const other = new Columns(size);
    other.ids.set(this.ids.subarray(0, n));
    other.whens.set(this.whens.subarray(0, n));
    other.seqs.set(this.seqs.subarray(0, n));
    return other;
  }
}

export class TimerHeap {
  #runMin: number;
  #heap = new Columns(INITIAL_SIZE);
  #length = 0;
  // Entries up to here are a heap; the rest were appended since the last look.
  #heapLen = 0;
  #run = new Columns(0);
  #runPos = 0;

  /** `runMin`: how large the heap must be to be sorted into a run (tests make it small). */
  constructor(runMin = RUN_MIN) {
    this.#runMin = runMin;
  }

  get size(): number {
    return this.#length + this.#run.ids.length - this.#runPos;
  }

  /** The ids, in no particular order. */
  ids(): number[] {
    const run = this.#run.ids.subarray(this.#runPos);
    return [...run, ...this.#heap.ids.subarray(0, this.#length)];
  }

  /** The id that fires first, or −1 when empty. */
  peek(): number {
    if (this.#fromRun()) return this.#run.ids[this.#runPos];
    return this.#length === 0 ? -1 : this.#heap.ids[0];
  }

  /** The deadline of `peek()`'s timer (Infinity when empty). */
  peekWhen(): number {
    if (this.#fromRun()) return this.#run.whens[this.#runPos];
    return this.#length === 0 ? Infinity : this.#heap.whens[0];
  }

  /** Add timer `id`, due at `when`; `seq` orders equal deadlines. */
  push(id: number, when: number, seq: number): void {
    const i = this.#length++;
    if (i === this.#heap.ids.length) this.#heap = this.#heap.resized(2 * i, i);
    const heap = this.#heap;
    heap.ids[i] = id;
    heap.whens[i] = when;
    heap.seqs[i] = seq;
  }

  /** Remove and return the id that fires first (−1 when empty). */
  pop(): number {
    return this.popDue(Infinity);
  }

  /** Remove and return the id that fires first if it is due by `end`; else −1. */
  popDue(end: number): number {
    // While a burst drains, only its run holds timers: skip the comparison with the heap.
    const onlyRun = this.#length === 0 && this.#runPos < this.#run.ids.length;
    if (onlyRun || this.#fromRun()) {
      const run = this.#run, pos = this.#runPos;
      if (run.whens[pos] > end) return -1;
      const id = run.ids[pos];
      this.#runPos = pos + 1;
      if (pos + 1 === run.ids.length) this.#clearRun();
      return id;
    }
    if (this.#length === 0 || this.#heap.whens[0] > end) return -1;
    return this.#popHeap();
  }

  /** Keep only the ids `keep` accepts (in firing order), dropping the rest. */
  filter(keep: (id: number) => boolean): void {
    const heap = this.#heap;
    // Without a run the heap is compacted in place (no allocation per purge);
    // with one, both go into new arrays.
    const hasRun = this.#runPos < this.#run.ids.length;
    const kept = hasRun ? new Columns(Math.max(INITIAL_SIZE, this.size)) : heap;
    let n = 0;
    const take = (source: Columns, from: number, to: number) => {
      for (let i = from; i < to; i++) {
        if (keep(source.ids[i])) kept.copy(n++, source, i);
      }
    };
    if (hasRun) {
      take(this.#run, this.#runPos, this.#run.ids.length);
      this.#clearRun();
    }
    take(heap, 0, this.#length);
    // Mostly empty now (a mass cancellation): smaller arrays.
    const size = kept.ids.length;
    this.#heap = size > INITIAL_SIZE && n * 4 < size
      ? kept.resized(Math.max(INITIAL_SIZE, n * 2), n)
      : kept;
    this.#length = n;
    this.#heapLen = 0; // sifted at the next look
  }

  /** Drop every id. */
  clear(): void {
    this.#heap = new Columns(INITIAL_SIZE);
    this.#length = 0;
    this.#heapLen = 0;
    this.#clearRun();
  }

  /** The ids in firing order (a sorted copy). */
  sorted(): number[] {
    const whens: number[] = [], seqs: number[] = [], ids: number[] = [];
    const collect = (source: Columns, from: number, to: number) => {
      for (let i = from; i < to; i++) {
        ids.push(source.ids[i]);
        whens.push(source.whens[i]);
        seqs.push(source.seqs[i]);
      }
    };
    collect(this.#run, this.#runPos, this.#run.ids.length);
    collect(this.#heap, 0, this.#length);
    const order = ids.map((_, k) => k).sort((a, b) => whens[a] - whens[b] || seqs[a] - seqs[b]);
    return order.map((k) => ids[k]);
  }

  /**
   * Whether the next id comes from the run (else from the heap). An empty
   * run is refilled first from a heap large enough to be worth sorting.
   */
  #fromRun(): boolean {
    const pos = this.#runPos;
    if (pos === this.#run.ids.length) {
      if (this.#length < this.#runMin) {
        this.#takeAppended();
        return false;
      }
      this.#sortHeapIntoRun();
      return true;
    }
    this.#takeAppended();
    if (this.#length === 0) return true;
    const run = this.#run, heap = this.#heap;
    const rw = run.whens[pos], hw = heap.whens[0];
    return rw < hw || (rw === hw && run.seqs[pos] < heap.seqs[0]);
  }

  /** Sift what was appended since the last look into the heap. */
  #takeAppended(): void {
    const heap = this.#heap;
    for (let i = this.#heapLen; i < this.#length; i++) {
      this.#siftUp(heap.ids[i], heap.whens[i], heap.seqs[i], i);
    }
    this.#heapLen = this.#length;
  }

  #clearRun(): void {
    this.#run = new Columns(0);
    this.#runPos = 0;
  }

  /** Move every heap entry into the (empty) run, in firing order. */
  #sortHeapIntoRun(): void {
    const n = this.#length;
    const run = this.#heap.resized(n, n);
    sortTimers(run);
    this.#run = run;
    this.#runPos = 0;
    this.#heap = new Columns(INITIAL_SIZE);
    this.#length = 0;
    this.#heapLen = 0;
  }

  #popHeap(): number {
    const heap = this.#heap;
    const top = heap.ids[0];
    const n = --this.#length;
    this.#heapLen = n;
    if (n === 0) return top;
    // Floyd's pop: walk the hole at the root down to a leaf along the
    // smallest children, then sift the last entry up from there; it usually
    // stays near the bottom, so the sift-up is short. Four children a node:
    // half the levels of a binary heap (push got 2x faster; pop measured the same).
    const { whens, seqs } = heap;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let child = first;
      const end = first + 4 < n ? first + 4 : n;
      for (let c = first + 1; c < end; c++) {
        if (whens[c] < whens[child] || (whens[c] === whens[child] && seqs[c] < seqs[child])) {
          child = c;
        }
      }
      heap.copy(i, heap, child);
      i = child;
    }
    this.#siftUp(heap.ids[n], whens[n], seqs[n], i);
    return top;
  }

  #siftUp(id: number, when: number, seq: number, i: number): void {
    const heap = this.#heap;
    const { whens, seqs } = heap;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pw = whens[parent];
      if (pw < when || (pw === when && seqs[parent] < seq)) break;
      heap.copy(i, heap, parent);
      i = parent;
    }
    heap.ids[i] = id;
    whens[i] = when;
    seqs[i] = seq;
  }
}

// Sorting: a counting sort on the deadline scaled to a bucket number
// (scaling is monotonic, so the buckets come in order), then each bucket is
// sorted by itself, small ones by insertion; deadlines spread evenly (what
// timers mostly are) leave a few per bucket. One pass to count and one to
// move, against the 3–4 of a radix sort on the float64 bits.
const SMALL = 24;
const MAX_BUCKETS = 65536;
// Buckets within buckets (clustered deadlines) go this deep; below, a comparison sort.
const MAX_DEPTH = 4;

/** Timers as columns: what `sortTimers` sorts. */
export interface TimerColumns {
  ids: Int32Array;
  whens: Float64Array;
  seqs: Float64Array;
}

/**
 * Sort the columns in place by (when, seq). `seqs` must tell apart the
 * timers of equal deadlines.
 */
export function sortTimers(c: TimerColumns): void {
  const n = c.ids.length;
  const scratch: TimerColumns = {
    ids: new Int32Array(n),
    whens: new Float64Array(n),
    seqs: new Float64Array(n),
  };
  sortRange(c, 0, n, scratch, 0);
}

function sortRange(c: TimerColumns, lo: number, hi: number, scratch: TimerColumns, depth: number) {
  const n = hi - lo;
  if (n <= SMALL) return insertionSort(c, lo, hi);
  const { ids, whens, seqs } = c;
  let min = whens[lo], max = min;
  for (let i = lo + 1; i < hi; i++) {
    const w = whens[i];
    if (w < min) min = w;
    else if (w > max) max = w;
  }
  const buckets = Math.min(MAX_BUCKETS, n);
  const scale = (buckets - 1) / (max - min);
  // Equal deadlines (or too close to scale), or clustered too deep.
  if (!(scale < Infinity) || depth === MAX_DEPTH) return comparisonSort(c, lo, hi);
  const last = buckets - 1;
  const ends = new Uint32Array(buckets);
  for (let i = lo; i < hi; i++) {
    const b = ((whens[i] - min) * scale) | 0;
    ends[b < last ? b : last]++;
  }
  for (let b = 0, sum = lo; b < buckets; b++) {
    const count = ends[b];
    ends[b] = sum; // the bucket's start for now; its end once filled
    sum += count;
  }
  const sIds = scratch.ids, sWhens = scratch.whens, sSeqs = scratch.seqs;
  for (let i = lo; i < hi; i++) {
    const w = whens[i];
    const b = ((w - min) * scale) | 0;
    const to = ends[b < last ? b : last]++;
    sIds[to] = ids[i];
    sWhens[to] = w;
    sSeqs[to] = seqs[i];
  }
  ids.set(scratch.ids.subarray(lo, hi), lo);
  whens.set(scratch.whens.subarray(lo, hi), lo);
  seqs.set(scratch.seqs.subarray(lo, hi), lo);
  for (let b = 0, start = lo; b < buckets; b++) {
    const end = ends[b];
    if (end - start > SMALL) sortRange(c, start, end, scratch, depth + 1);
    else if (end - start > 1) insertionSort(c, start, end);
    start = end;
  }
}

function insertionSort({ ids, whens, seqs }: TimerColumns, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const id = ids[i], w = whens[i], s = seqs[i];
    let j = i - 1;
    for (; j >= lo && (whens[j] > w || (whens[j] === w && seqs[j] > s)); j--) {
      ids[j + 1] = ids[j];
      whens[j + 1] = whens[j];
      seqs[j + 1] = seqs[j];
    }
    ids[j + 1] = id;
    whens[j + 1] = w;
    seqs[j + 1] = s;
  }
}

function comparisonSort({ ids, whens, seqs }: TimerColumns, lo: number, hi: number): void {
  const order = Array.from({ length: hi - lo }, (_, k) => lo + k)
    .sort((a, b) => whens[a] - whens[b] || seqs[a] - seqs[b]);
  const sorted = order.map((i) => [ids[i], whens[i], seqs[i]]);
  sorted.forEach(([id, w, s], k) => {
    ids[lo + k] = id;
    whens[lo + k] = w;
    seqs[lo + k] = s;
  });
}
