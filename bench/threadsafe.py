"""Peer of threadsafe.ts: call_soon_threadsafe from a thread, and
run_in_executor on a ThreadPoolExecutor."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from _common import emit, new_loop

WAKES = 1000
FLOOD = 100_000
TRIPS = 2000


def percentile(xs, p):
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def wake():
    loop = new_loop()
    lat = []

    async def main():
        for _ in range(WAKES):
            fut = loop.create_future()

            def poke():
                time.sleep(0.001)
                t0 = time.perf_counter()

                def cb():
                    lat.append((time.perf_counter() - t0) * 1e6)
                    fut.set_result(None)

                loop.call_soon_threadsafe(cb)

            threading.Thread(target=poke).start()
            await fut

    t0 = time.perf_counter()
    loop.run_until_complete(main())
    seconds = time.perf_counter() - t0
    loop.close()
    lat.sort()
    emit("threadsafe_wake", WAKES, seconds, "µs p50", value=percentile(lat, 0.5), lower=True,
         caller="thread", p50_us=percentile(lat, 0.5), p99_us=percentile(lat, 0.99))


def flood():
    loop = new_loop()
    count = 0

    def tick():
        nonlocal count
        count += 1
        if count == FLOOD:
            loop.stop()

    def producer():
        for _ in range(FLOOD):
            loop.call_soon_threadsafe(tick)

    t0 = time.perf_counter()
    thread = threading.Thread(target=producer)
    thread.start()
    loop.run_forever()
    seconds = time.perf_counter() - t0
    thread.join()
    loop.close()
    emit("threadsafe_flood", FLOOD, seconds, "calls/s", producer="thread call_soon_threadsafe")


def roundtrip():
    loop = new_loop()
    pool = ThreadPoolExecutor()

    async def trips(n):
        for i in range(n):
            await loop.run_in_executor(pool, lambda x: x, i)

    loop.run_until_complete(trips(100))
    t0 = time.perf_counter()
    loop.run_until_complete(trips(TRIPS))
    seconds = time.perf_counter() - t0
    pool.shutdown()
    loop.close()
    emit("executor_roundtrip", TRIPS, seconds, "calls/s")


wake()
flood()
roundtrip()
