# Semaphore(2): at most two holders; the others wait and enter in FIFO
# order as slots come back. A waiter cancelled after being woken gives its
# slot to the next. BoundedSemaphore refuses a release above its bound.
import asyncio


async def worker(sem, name, t0, log):
    loop = asyncio.get_running_loop()
    async with sem:
        print(f'{name} in at {loop.time() - t0:.1f}, locked={sem.locked()}')
        await asyncio.sleep(0.1)
    print(f'{name} out')


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    sem = asyncio.Semaphore(2)
    tasks = [asyncio.create_task(worker(sem, n, t0, None)) for n in 'abcde']
    for t in tasks:
        await t

    sem = asyncio.Semaphore(0)
    a = asyncio.create_task(sem.acquire())
    b = asyncio.create_task(sem.acquire())
    await asyncio.sleep(0)
    sem.release()   # wakes a...
    a.cancel()      # ...which gives the slot to b
    for name, t in (('a', a), ('b', b)):
        try:
            print(name, 'acquired:', await t)
        except asyncio.CancelledError:
            print(name, 'cancelled')
    print('locked:', sem.locked())

    bounded = asyncio.BoundedSemaphore(1)
    await bounded.acquire()
    bounded.release()
    try:
        bounded.release()
    except ValueError as e:
        print('over-release:', e)


asyncio.run(main())
