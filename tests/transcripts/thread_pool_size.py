# A pool's size: the default, threads started only for work no idle thread can take, at most
# max_workers of them, and the check of max_workers.
import asyncio
import os
import threading
from concurrent.futures import ThreadPoolExecutor


def job(x):
    return x


def hold(started, release, x):
    started.release()
    release.wait(5)
    return x


async def main():
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor()
    print("default max_workers is min(32, cpus + 4):",
          pool._max_workers == min(32, (os.cpu_count() or 1) + 4))
    print("threads before any work:", len(pool._threads))
    print("job:", await loop.run_in_executor(pool, job, 1))
    await asyncio.sleep(0.05)  # the thread is idle again
    print("job:", await loop.run_in_executor(pool, job, 2))
    print("threads after two jobs, one after the other:", len(pool._threads))
    started, release = threading.Semaphore(0), threading.Event()
    held = [loop.run_in_executor(pool, hold, started, release, i) for i in range(3)]
    for _ in range(3):
        await loop.run_in_executor(None, started.acquire)
    print("threads with three jobs running at once:", len(pool._threads))
    release.set()
    print("results:", await asyncio.gather(*held))
    pool.shutdown()

    small = ThreadPoolExecutor(max_workers=2)
    started, release = threading.Semaphore(0), threading.Event()
    held = [loop.run_in_executor(small, hold, started, release, i) for i in range(5)]
    for _ in range(2):
        await loop.run_in_executor(None, started.acquire)
    await asyncio.sleep(0.05)
    print("max_workers=2, five jobs: threads", len(small._threads),
          "started", 2 + sum(started.acquire(blocking=False) for _ in range(3)))
    release.set()
    print("results:", await asyncio.gather(*held))
    small.shutdown()
    try:
        ThreadPoolExecutor(max_workers=0)
    except ValueError as e:
        print("max_workers=0:", e)


asyncio.run(main())
