# (CPython 3.13) loop.shutdown_default_executor(): waits for the default executor's work; with a
# timeout (3.12+), warns past it and returns, the work still finishing; later run_in_executor(None)
# raises RuntimeError; asyncio.run() calls it again at the end.
import asyncio
import threading
import time
import warnings


def job(x):
    return x


def work(x, seconds):
    time.sleep(seconds)
    return x


def hold(started, release, x):
    started.release()
    release.wait(5)
    return x


async def main():
    loop = asyncio.get_running_loop()
    print("job:", await loop.run_in_executor(None, job, 1))
    quick = loop.run_in_executor(None, work, "waited for", 0.05)
    await asyncio.sleep(0.01)
    await loop.shutdown_default_executor()
    print("after shutdown_default_executor():", quick.done(), await quick)
    try:
        loop.run_in_executor(None, job, 2)
    except RuntimeError as e:
        print("RuntimeError:", e)


asyncio.run(main())


async def with_timeout():
    loop = asyncio.get_running_loop()
    started, release = threading.Semaphore(0), threading.Event()
    slow = loop.run_in_executor(None, hold, started, release, "finished anyway")
    while not started.acquire(blocking=False):
        await asyncio.sleep(0.01)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await loop.shutdown_default_executor(timeout=0.1)
    for w in caught:
        print(f"{w.category.__name__}: {w.message}")
    print("slow done after the timeout:", slow.done())
    release.set()
    print("slow:", await slow)


asyncio.run(with_timeout())
print("run returned")
