"""Peer of task_memory.ts: bytes per pending task blocked on one Future, then on
one Event (tracemalloc)."""

import asyncio
import gc
import tracemalloc

from _common import emit, run

N = 100_000


class FutureGate:
    def __init__(self):
        self.fut = asyncio.get_running_loop().create_future()

    def block(self):
        return self.fut

    def open(self):
        self.fut.set_result(None)


class EventGate:
    def __init__(self):
        self.event = asyncio.Event()

    def block(self):
        return self.event.wait()

    def open(self):
        self.event.set()


async def waiter(gate):
    await gate.block()


async def pending_task_bytes(n, gate):
    loop = asyncio.get_running_loop()
    tasks = [None] * n
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(n):
        tasks[i] = loop.create_task(waiter(gate))
    await asyncio.sleep(0)  # every task runs its first step and blocks
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert not any(t.done() for t in tasks), "a task did not block"
    gate.open()
    for task in tasks:
        await task
    return used


for name, make_gate in (("future", FutureGate), ("event", EventGate)):

    async def main():
        await pending_task_bytes(N // 10, make_gate())  # warm-up, as ours does
        return await pending_task_bytes(N, make_gate())

    used = run(main)
    emit(f"task_memory_{name}", N, 0, "B/task", value=used / N, lower=True, heap_bytes=used)
