// The timer heap (lib/_heap.ts): timer ids ordered by (when, seq), ties FIFO.
import { assert, assertEquals } from "./_assert.ts";
import { sortTimers, TimerHeap as IdHeap } from "../lib/_heap.ts";

interface T {
  _when: number;
  _seq: number;
}

let seq = 0;
const timer = (when: number): T => ({ _when: when, _seq: seq++ });

/** The heap of ids, seen as a heap of `T`s (each `T` gets an id as it is pushed). */
class TimerHeap {
  #heap: IdHeap;
  #byId: T[] = [];

  constructor(runMin?: number) {
    this.#heap = new IdHeap(runMin);
  }
  get size(): number {
    return this.#heap.size;
  }
  get items(): T[] {
    return this.#heap.ids().map((id) => this.#byId[id]);
  }
  push(t: T): void {
    this.#byId.push(t);
    this.#heap.push(this.#byId.length - 1, t._when, t._seq);
  }
  peek(): T | undefined {
    return this.#byId[this.#heap.peek()];
  }
  peekWhen(): number {
    return this.#heap.peekWhen();
  }
  pop(): T | undefined {
    return this.#byId[this.#heap.pop()];
  }
  popDue(end: number): T | undefined {
    return this.#byId[this.#heap.popDue(end)];
  }
  filter(keep: (t: T) => boolean): void {
    this.#heap.filter((id) => keep(this.#byId[id]));
  }
  sorted(): T[] {
    return this.#heap.sorted().map((id) => this.#byId[id]);
  }
}

function drain(heap: TimerHeap): T[] {
  const out: T[] = [];
  for (let t = heap.pop(); t !== undefined; t = heap.pop()) out.push(t);
  return out;
}

const byWhenThenSeq = (a: T, b: T) => a._when - b._when || a._seq - b._seq;

Deno.test("TimerHeap: pops in deadline order", () => {
  const heap = new TimerHeap();
  assertEquals(heap.size, 0);
  assertEquals(heap.peek(), undefined);
  assertEquals(heap.pop(), undefined);
  assertEquals(heap.peekWhen(), Infinity);
  for (const w of [5, 1, 4, 2, 3]) heap.push(timer(w));
  assertEquals(heap.size, 5);
  assertEquals(heap.peek()!._when, 1);
  assertEquals(heap.peekWhen(), 1);
  heap.pop();
  assertEquals(heap.peekWhen(), 2, "the deadlines moved with their timers");
  assertEquals(heap.popDue(1.5), undefined, "nothing due by 1.5");
  assertEquals(heap.popDue(2)?._when, 2);
  assertEquals(drain(heap).map((t) => t._when), [3, 4, 5]);
  assertEquals(heap.size, 0);
});

Deno.test("TimerHeap: equal deadlines pop in insertion order, among many", () => {
  const heap = new TimerHeap(1024); // 5000: sorted into a run
  const all: T[] = [];
  for (let i = 0; i < 5000; i++) {
    const t = timer(Math.floor(Math.random() * 20)); // many ties
    all.push(t);
    heap.push(t);
  }
  assertEquals(drain(heap), all.slice().sort(byWhenThenSeq));
});

Deno.test("TimerHeap: interleaved pushes and pops keep the order", () => {
  const heap = new TimerHeap();
  const model: T[] = [];
  for (let round = 0; round < 2000; round++) {
    if (Math.random() < 0.6 || model.length === 0) {
      const t = timer(Math.floor(Math.random() * 50));
      heap.push(t);
      model.push(t);
      model.sort(byWhenThenSeq);
    } else {
      assertEquals(heap.pop(), model.shift());
    }
    assertEquals(heap.size, model.length);
    assertEquals(heap.peek(), model[0]);
  }
  assertEquals(drain(heap), model);
});

Deno.test("TimerHeap: filter() keeps what it accepts and restores heap order", () => {
  const heap = new TimerHeap();
  const all = Array.from({ length: 1000 }, () => timer(Math.random() * 100));
  for (const t of all) heap.push(t);
  const keep = (t: T) => t._seq % 3 === 0;
  heap.filter(keep);
  assertEquals(heap.size, all.filter(keep).length);
  assertEquals(drain(heap), all.filter(keep).sort(byWhenThenSeq));
});

Deno.test("TimerHeap: sorted() is a sorted copy and leaves the heap alone", () => {
  const heap = new TimerHeap();
  const all = Array.from({ length: 300 }, () => timer(Math.floor(Math.random() * 10)));
  for (const t of all) heap.push(t);
  const before = heap.items.slice();
  const sorted = heap.sorted();
  assertEquals(sorted, all.slice().sort(byWhenThenSeq));
  assertEquals(heap.items, before);
  assert(sorted !== heap.items);
});

/** Insert `t` into the sorted `model` (binary search), as the heap must order it. */
function insertSorted(model: T[], t: T): void {
  let lo = 0, hi = model.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (byWhenThenSeq(model[mid], t) < 0) lo = mid + 1;
    else hi = mid;
  }
  model.splice(lo, 0, t);
}

Deno.test("TimerHeap: large heaps are sorted into a run; pushes while it drains still pop in order", () => {
  const heap = new TimerHeap(1024);
  const model: T[] = [];
  const random = (() => {
    let s = 7;
    return () => (s = (s * 16807) % 2147483647) / 2147483647;
  })();
  for (let round = 0; round < 6; round++) {
    // A burst (sorted into a run at the next pop), then pops mixed with
    // pushes that land before, among and after the run's deadlines.
    for (let i = 0; i < 3000; i++) {
      const t = timer(round + Math.floor(random() * 200) / 100); // ties too
      heap.push(t);
      insertSorted(model, t);
    }
    for (let i = 0; i < 4000 && model.length > 0; i++) {
      if (random() < 0.3) {
        const t = timer(round + random() * 3 - 1);
        heap.push(t);
        insertSorted(model, t);
      }
      assertEquals(heap.peekWhen(), model[0]._when);
      const popped = heap.pop()!;
      const expected = model.shift()!;
      assert(popped === expected, `round ${round} pop ${i}: ${popped._when}/${popped._seq}`);
      assertEquals(heap.size, model.length);
    }
  }
  assertEquals(drain(heap), model);
});

Deno.test("TimerHeap: filter() and items see the run and the heap alike", () => {
  const heap = new TimerHeap(1024);
  const all = Array.from({ length: 3000 }, (_, i) => timer(i % 500));
  for (const t of all) heap.push(t);
  heap.peek(); // sorts the 3000 into a run
  const late = timer(-1);
  heap.push(late); // in the heap part, fires first
  assertEquals(heap.items.length, 3001);
  assertEquals(heap.pop(), late);
  const keep = (t: T) => t._seq % 2 === 0;
  heap.filter(keep);
  assertEquals(drain(heap), all.filter(keep).sort(byWhenThenSeq));
});

/** Sort `values` with `sortTimers`; seqs are the indices. */
function sortedBySortTimers(values: number[]): number[] {
  const ids = Int32Array.from(values, (_, i) => i);
  const columns = { ids, whens: Float64Array.from(values), seqs: Float64Array.from(ids) };
  sortTimers(columns);
  assertEquals(
    [...columns.whens],
    [...columns.ids].map((i) => values[i]),
    "columns moved together",
  );
  return [...columns.ids];
}

Deno.test("sortTimers: float64 deadlines in order (negative, zero signs, infinities, subnormals)", () => {
  const values = [
    3,
    -0,
    0,
    -2.5,
    Infinity,
    1e-310,
    -1e-310,
    -Infinity,
    2 ** 40 + 0.5,
    0.1 + 0.2,
    0.3,
    -7,
  ];
  const many = Array.from({ length: 200 }, (_, i) => values[i % values.length]);
  const order = sortedBySortTimers(many);
  assertEquals(order.map((i) => many[i]), many.slice().sort((a, b) => a - b));
  // Equal deadlines (0 and -0 are equal) in seq order.
  for (let k = 1; k < order.length; k++) {
    if (many[order[k]] === many[order[k - 1]]) assert(order[k] > order[k - 1]);
  }
});

Deno.test("sortTimers: spread, clustered and equal deadlines sort by (when, seq)", () => {
  let s = 11;
  const random = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const cases: Record<string, number[]> = {
    spread: Array.from({ length: 50_000 }, () => 1000 + random()),
    "all equal": Array.from({ length: 5_000 }, () => 42),
    "two instants": Array.from({ length: 5_000 }, (_, i) => (i % 2 ? 1 : 2)),
    // Most within a microsecond, one outlier a day later: buckets within buckets.
    clustered: Array.from({ length: 5_000 }, (_, i) => (i === 7 ? 86400 : 5 + random() * 1e-6)),
    "adjacent floats": Array.from({ length: 3_000 }, (_, i) => 1 + (i % 5) * Number.EPSILON),
  };
  for (const [name, values] of Object.entries(cases)) {
    const expected = values.map((_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
    assertEquals(sortedBySortTimers(values), expected, name);
  }
});
