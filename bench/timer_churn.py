"""Peer of timer_churn.ts: call_later + cancel pairs while live timers fire."""

import time

from _common import emit, new_loop

N = 1_000_000
BATCH = 1_000
LIVE = 10


def noop():
    pass


def churn(n):
    loop = new_loop()
    pairs = 0
    live_fired = 0
    done = False
    live = [None] * LIVE

    def tick(k):
        nonlocal live_fired
        live_fired += 1
        if not done:
            live[k] = loop.call_later(0.001, tick, k)

    def batch():
        nonlocal pairs, done
        for _ in range(BATCH):
            loop.call_later(1 + (pairs & 1023) / 1024, noop).cancel()
            pairs += 1
        if pairs < n:
            loop.call_soon(batch)
        else:
            done = True
            for timer in live:
                timer.cancel()
            loop.stop()

    t0 = time.perf_counter()
    for k in range(LIVE):
        live[k] = loop.call_later(0.001, tick, k)
    loop.call_soon(batch)
    loop.run_forever()
    seconds = time.perf_counter() - t0
    loop.close()
    return seconds, live_fired


churn(N // 10)  # warm-up, as ours does
seconds, live_fired = churn(N)
emit("timer_churn", N, seconds, "pairs/s", live_fired=live_fired)
