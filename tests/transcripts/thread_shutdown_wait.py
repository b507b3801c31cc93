# Executor.shutdown(wait=True) returns once the running and queued work is done; shutdown(wait=False)
# returns at once, and the queued work still runs; after either, submit raises RuntimeError.
import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

log = []


def work(name, seconds):
    time.sleep(seconds)
    log.append(name)
    return name


async def main():
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=1)
    futures = [loop.run_in_executor(pool, work, name, 0.05) for name in "abc"]
    await asyncio.sleep(0.01)
    pool.shutdown(wait=True)
    print("after shutdown(wait=True):", log)
    print("results:", await asyncio.gather(*futures))
    try:
        pool.submit(work, "d", 0)
    except RuntimeError as e:
        print("RuntimeError:", e)

    log.clear()
    pool = ThreadPoolExecutor(max_workers=1)
    futures = [loop.run_in_executor(pool, work, name, 0.05) for name in "xyz"]
    await asyncio.sleep(0.01)
    pool.shutdown(wait=False)
    print("after shutdown(wait=False):", log, "done:", [f.done() for f in futures])
    try:
        loop.run_in_executor(pool, work, "w", 0)
    except RuntimeError as e:
        print("RuntimeError:", e)
    print("results:", await asyncio.gather(*futures))
    print("log:", log)


asyncio.run(main())
