"""Peer of callsoon.ts: call_soon dispatch, bulk and chain; bulk with a context variable set."""

import contextvars
import time

from _common import emit, new_loop

N = 1_000_000


def bulk(n):
    loop = new_loop()
    count = 0

    def tick():
        nonlocal count
        count += 1

    t0 = time.perf_counter()
    for _ in range(n):
        loop.call_soon(tick)
    loop.call_soon(loop.stop)
    t1 = time.perf_counter()
    loop.run_forever()
    t2 = time.perf_counter()
    loop.close()
    assert count == n, (count, n)
    return t2 - t0, {"schedule_s": t1 - t0}


def chain(n):
    loop = new_loop()
    count = 0

    def tick():
        nonlocal count
        count += 1
        if count < n:
            loop.call_soon(tick)
        else:
            loop.stop()

    t0 = time.perf_counter()
    loop.call_soon(tick)
    loop.run_forever()
    seconds = time.perf_counter() - t0
    loop.close()
    assert count == n, (count, n)
    return seconds, {}


for name, fn in (("callsoon_bulk", bulk), ("callsoon_chain", chain)):
    fn(N // 10)  # warm-up, as ours does
    seconds, extra = fn(N)
    emit(name, N, seconds, "calls/s", **extra)

# A context variable set: asyncio copies the context into every handle either way.
contextvars.ContextVar("request_id").set("bench")
bulk(N // 10)
seconds, extra = bulk(N)
emit("callsoon_bulk_ctxvar", N, seconds, "calls/s", **extra)
