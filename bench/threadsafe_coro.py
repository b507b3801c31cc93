"""Peer of threadsafe_coro.ts: a thread calling run_coroutine_threadsafe,
one round trip at a time (sync), or all submitted then collected in order."""

import asyncio
import threading
import time

from _common import emit, new_loop

SYNC = 5_000
PIPELINED = 20_000


async def noop(x):
    return x


def in_thread(loop, mode, n):
    """Run `mode` with `n` calls from a thread against `loop`; the seconds it measured."""
    out = []

    def thread():
        t0 = time.perf_counter()
        if mode == "sync":
            for i in range(n):
                assert asyncio.run_coroutine_threadsafe(noop(i), loop).result() == i
        else:
            futures = [asyncio.run_coroutine_threadsafe(noop(i), loop) for i in range(n)]
            for i, f in enumerate(futures):
                assert f.result() == i
        out.append(time.perf_counter() - t0)
        loop.call_soon_threadsafe(loop.stop)

    t = threading.Thread(target=thread)
    t.start()
    loop.run_forever()
    t.join()
    return out[0]


def main():
    loop = new_loop()
    in_thread(loop, "sync", SYNC // 10)
    emit("threadsafe_coro_sync", SYNC, in_thread(loop, "sync", SYNC), "round trips/s",
         caller="thread, result()")
    in_thread(loop, "pipelined", PIPELINED // 10)
    emit("threadsafe_coro_pipelined", PIPELINED, in_thread(loop, "pipelined", PIPELINED),
         "calls/s", caller="thread, all submitted, then result() in order")
    loop.close()


main()
