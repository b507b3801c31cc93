// A 4-ary min-heap of timers ordered by (when, seq), as libuv orders its
// timers: equal deadlines fire in insertion order, which keeps a frozen
// virtual clock deterministic.
//
// The deadlines live in a packed Float64Array beside the items, so that
// sifting compares numbers in one contiguous array instead of loading two
// fields through a pointer per comparison (cache misses dominated the
// 200,000-timer bench); `_seq` is read only to break a tie.

export interface HeapTimer {
  _when: number;
  _seq: number;
}

export class TimerHeap<T extends HeapTimer> {
  #items: T[] = [];
  #whens = new Float64Array(64);

  get size(): number {
    return this.#items.length;
  }

  /** The items, in heap (not firing) order. */
  get items(): readonly T[] {
    return this.#items;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  /** The deadline of `peek()`'s item (Infinity when empty), without touching the item. */
  peekWhen(): number {
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
    this.#siftUp(item, item._when, i);
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    const n = items.length;
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

  /** Keep only the items `keep` accepts, then rebuild the heap from them. */
  filter(keep: (item: T) => boolean): void {
    const kept = this.#items.filter(keep);
    this.clear();
    for (const item of kept) this.push(item);
  }

  /** Drop every item. */
  clear(): void {
    this.#items = [];
    this.#whens = new Float64Array(64);
  }

  /** The items in firing order (a sorted copy). */
  sorted(): T[] {
    return this.#items.slice().sort((a, b) => a._when - b._when || a._seq - b._seq);
  }

  /** Whether the item at `i` fires before the one at `j`. */
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
