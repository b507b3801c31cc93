# Executor.shutdown(cancel_futures=True) cancels the work no thread has started; the running work
# finishes; the loop futures of the cancelled work are cancelled too.
import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

log = []


def hold(started, release, x):
    started.release()
    release.wait(5)
    log.append(x)
    return x


def work(name, seconds):
    time.sleep(seconds)
    log.append(name)
    return name


async def main():
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=1)
    started, release = threading.Semaphore(0), threading.Event()
    running = loop.run_in_executor(pool, hold, started, release, "r")
    queued = [loop.run_in_executor(pool, work, name, 0) for name in "pq"]
    await loop.run_in_executor(None, started.acquire)
    pool.shutdown(wait=False, cancel_futures=True)
    await asyncio.sleep(0.01)
    print("queued cancelled:", [f.cancelled() for f in queued])
    print("running done:", running.done())
    release.set()
    print("running result:", await running)
    print("log:", log)


asyncio.run(main())
