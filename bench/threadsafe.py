"""Peer of threadsafe.ts: call_soon_threadsafe from a thread, and
run_in_executor on a ThreadPoolExecutor."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from _common import emit, new_loop

WAKES = 1000
FLOOD = 100_000
TRIPS = 10_000
INFLIGHT = 100_000
MIB_TRIPS = 500


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
    target = 0

    def tick():
        nonlocal count
        count += 1
        if count == target:
            loop.stop()

    def producer(n):
        for _ in range(n):
            loop.call_soon_threadsafe(tick)

    def round_(n):
        nonlocal count, target
        count, target = 0, n
        t0 = time.perf_counter()
        thread = threading.Thread(target=producer, args=(n,))
        thread.start()
        loop.run_forever()
        seconds = time.perf_counter() - t0
        thread.join()
        return seconds

    round_(FLOOD // 10)
    seconds = round_(FLOOD)
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


def inflight():
    loop = new_loop()
    pool = ThreadPoolExecutor(max_workers=2)

    async def burst(n):
        futures = [loop.run_in_executor(pool, lambda x: x, i) for i in range(n)]
        for i, f in enumerate(futures):
            if await f != i:
                raise RuntimeError("wrong result")

    loop.run_until_complete(burst(INFLIGHT // 10))
    t0 = time.perf_counter()
    loop.run_until_complete(burst(INFLIGHT))
    seconds = time.perf_counter() - t0
    pool.shutdown()
    loop.close()
    emit("executor_inflight", INFLIGHT, seconds, "calls/s", pool=2)


def mib():
    loop = new_loop()
    pool = ThreadPoolExecutor(max_workers=1)
    data = bytearray(1 << 20)

    def touch(b):
        b[0] = (b[0] + 1) % 256
        return b

    async def trips(n):
        nonlocal data
        for _ in range(n):
            data = await loop.run_in_executor(pool, touch, data)

    loop.run_until_complete(trips(MIB_TRIPS // 10))
    t0 = time.perf_counter()
    loop.run_until_complete(trips(MIB_TRIPS))
    seconds = time.perf_counter() - t0
    pool.shutdown()
    loop.close()
    emit("executor_1mib", MIB_TRIPS, seconds, "round trips/s", shared="one heap: nothing copied")


wake()
flood()
roundtrip()
inflight()
mib()
