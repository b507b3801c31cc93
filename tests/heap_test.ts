// The timer heap (lib/_heap.ts): ordered by (when, seq), ties FIFO.
import { assert, assertEquals } from "./_assert.ts";
import { TimerHeap } from "../lib/_heap.ts";

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
  assertEquals(drain(heap).map((t) => t._when), [2, 3, 4, 5]);
  assertEquals(heap.size, 0);
});

Deno.test("TimerHeap: equal deadlines pop in insertion order, among many", () => {
  const heap = new TimerHeap<T>();
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
