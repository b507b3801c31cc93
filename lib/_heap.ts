// A binary min-heap of timers ordered by (when, seq), as libuv orders its
// timers: equal deadlines fire in insertion order, which keeps a frozen
// virtual clock deterministic. Specialised to timers so that comparisons
// read two fields instead of calling a comparator.

export interface HeapTimer {
  _when: number;
  _seq: number;
}

function less(a: HeapTimer, b: HeapTimer): boolean {
  return a._when < b._when || (a._when === b._when && a._seq < b._seq);
}

export class TimerHeap<T extends HeapTimer> {
  items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent];
      if (!less(item, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) this.#siftDown(last, 0);
    return top;
  }

  /** Keep only the items `keep` accepts, then restore heap order in O(n). */
  filter(keep: (item: T) => boolean): void {
    this.items = this.items.filter(keep);
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) {
      this.#siftDown(this.items[i], i);
    }
  }

  /** The items in firing order (a sorted copy). */
  sorted(): T[] {
    return this.items.slice().sort((a, b) => less(a, b) ? -1 : 1);
  }

  #siftDown(item: T, i: number): void {
    const items = this.items;
    const n = items.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && less(items[right], items[child])) child = right;
      if (!less(items[child], item)) break;
      items[i] = items[child];
      i = child;
    }
    items[i] = item;
  }
}
