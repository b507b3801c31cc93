// The timer heap (lib/_heap.ts): ordered by (when, seq), ties FIFO.
import { assert, assertEquals } from "./_assert.ts";
import v8 from "node:v8";
import vm from "node:vm";
import { radixOrder, TimerHeap } from "../lib/_heap.ts";

interface T {
  _when: number;
  _seq: number;
}

let seq = 0;
const timer = (when: number): T => ({ _when: when, _seq: seq++ });

function drain(heap: TimerHeap<T>): T[] {
  const out: T[] = [];
  for (let t = heap.pop(); t !== undefined; t = heap.pop()) out.push(t);
  return out;
}

const byWhenThenSeq = (a: T, b: T) => a._when - b._when || a._seq - b._seq;

Deno.test("TimerHeap: pops in deadline order", () => {
  const heap = new TimerHeap<T>();
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
  const heap = new TimerHeap<T>(1024); // 5000: sorted into a run
  const all: T[] = [];
  for (let i = 0; i < 5000; i++) {
    const t = timer(Math.floor(Math.random() * 20)); // many ties
    all.push(t);
    heap.push(t);
  }
  assertEquals(drain(heap), all.slice().sort(byWhenThenSeq));
});

Deno.test("TimerHeap: interleaved pushes and pops keep the order", () => {
  const heap = new TimerHeap<T>();
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
  const heap = new TimerHeap<T>();
  const all = Array.from({ length: 1000 }, () => timer(Math.random() * 100));
  for (const t of all) heap.push(t);
  const keep = (t: T) => t._seq % 3 === 0;
  heap.filter(keep);
  assertEquals(heap.size, all.filter(keep).length);
  assertEquals(drain(heap), all.filter(keep).sort(byWhenThenSeq));
});

Deno.test("TimerHeap: sorted() is a sorted copy and leaves the heap alone", () => {
  const heap = new TimerHeap<T>();
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
  const heap = new TimerHeap<T>(1024);
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
  const heap = new TimerHeap<T>(1024);
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

Deno.test("radixOrder: sorts float64 deadlines as numbers (negative, zero signs, infinities, subnormals)", () => {
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
  const order = radixOrder(new Float64Array(values));
  const sorted = Array.from(order, (i) => values[i]);
  assertEquals(sorted, values.slice().sort((a, b) => a - b));
  // Stable: equal keys (0 and -0 count as equal) keep their order.
  assertEquals([...radixOrder(new Float64Array([0, -0, 0]))], [0, 1, 2]);
});

Deno.test("TimerHeap: a timer popped from the run is not kept alive by it", async () => {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  const heap = new TimerHeap<T>(16);
  const refs: WeakRef<T>[] = [];
  for (let i = 0; i < 100; i++) {
    const t = timer(i);
    refs.push(new WeakRef(t));
    heap.push(t);
  }
  heap.push(timer(1e9)); // a far deadline: the run is not used up
  for (let i = 0; i < 50; i++) heap.pop();
  gc();
  await new Promise((resolve) => setTimeout(resolve, 0)); // WeakRefs clear after the turn
  gc();
  assertEquals(refs.slice(0, 50).filter((r) => r.deref() !== undefined).length, 0);
  assertEquals(refs.slice(50).filter((r) => r.deref() !== undefined).length, 50);
});
