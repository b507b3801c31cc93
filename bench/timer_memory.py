"""Peer of timer_memory.ts: bytes per pending TimerHandle, measured with tracemalloc."""

import gc
import tracemalloc

from _common import emit, new_loop

N = 100_000


def noop():
    pass


def pending_timer_bytes(n):
    loop = new_loop()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(n):
        loop.call_later(1 + i / n, noop)
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    loop.close()
    return used


pending_timer_bytes(N // 10)  # warm-up, as ours does
used = pending_timer_bytes(N)
emit("timer_memory", N, 0, "B/timer", value=used / N, lower=True, heap_bytes=used)
