"""Peer of queue_pc.ts: 1,000,000 items through a Queue(100) between 10
producers and 10 consumers."""

import asyncio
import time

from _common import emit, run

N = 1_000_000
PRODUCERS = CONSUMERS = 10
MAXSIZE = 100


async def producer(queue, start, count):
    for i in range(start, start + count):
        await queue.put(i)


async def consumer(queue, totals):
    count = total = 0
    while True:
        item = await queue.get()
        if item is None:
            break
        count += 1
        total += item
    totals.append((count, total))


async def main(n):
    queue = asyncio.Queue(MAXSIZE)
    totals = []
    share = n // PRODUCERS
    t0 = time.perf_counter()
    consumers = [asyncio.create_task(consumer(queue, totals)) for _ in range(CONSUMERS)]
    producers = [asyncio.create_task(producer(queue, p * share, share)) for p in range(PRODUCERS)]
    for p in producers:
        await p
    for _ in range(CONSUMERS):
        await queue.put(None)
    for c in consumers:
        await c
    seconds = time.perf_counter() - t0
    count = sum(c for c, _ in totals)
    if count != n or sum(t for _, t in totals) != n * (n - 1) // 2:
        raise RuntimeError(f"moved {count} of {n} items")
    return seconds, max(c for c, _ in totals), min(c for c, _ in totals)


run(lambda: main(N // 10))  # warm-up, as the peer does
seconds, most, least = run(lambda: main(N))
emit("queue_pc", N, seconds, "items/s", producers=PRODUCERS, consumers=CONSUMERS,
     maxsize=MAXSIZE, most_per_consumer=most, least_per_consumer=least)
