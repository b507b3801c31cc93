"""Peer of timers.ts: 200,000 call_later timers with random delays, all firing in order."""

import random
import time

from _common import USE_UVLOOP, emit, new_loop

N = 200_000
# uvloop keeps deadlines in whole milliseconds (libuv), and runs delays under
# half a millisecond as call_soon (a Handle without when(), left out of the
# order check): it keeps deadline order only to 1 ms.
TOLERANCE = 0.001 if USE_UVLOOP else 0.0


def timers(n):
    loop = new_loop()
    rnd = random.Random(42)
    deadlines = [0.0] * n
    fired = 0
    disorder = 0
    last = float("-inf")
    late_max = 0.0

    def fire(i):
        nonlocal fired, disorder, last, late_max
        when = deadlines[i]
        if when is not None:
            if when < last - TOLERANCE:
                disorder += 1
            last = max(last, when)
            late_max = max(late_max, loop.time() - when)
        fired += 1
        if fired == n:
            loop.stop()

    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for i in range(n):
        handle = loop.call_later(rnd.random(), fire, i)
        deadlines[i] = handle.when() if hasattr(handle, "when") else None
    loop.run_forever()
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - t0
    loop.close()
    assert fired == n, (fired, n)
    assert disorder == 0, f"{disorder} timers fired out of deadline order"
    return cpu, wall, late_max


timers(N // 10)  # warm-up, as ours does
cpu, wall, late_max = timers(N)
emit("timers", N, cpu, "timers/CPU-s", wall_s=wall, late_max_ms=late_max * 1000)
