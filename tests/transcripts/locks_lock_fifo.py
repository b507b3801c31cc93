# Lock: a free lock is taken without waiting; waiters get it in FIFO order,
# each when the previous holder releases it.
import asyncio


async def worker(lock, name, t0):
    loop = asyncio.get_running_loop()
    print(f'{name} wants the lock, locked={lock.locked()}')
    async with lock:
        print(f'{name} holds the lock at {loop.time() - t0:.1f}')
        await asyncio.sleep(0.1)
    print(f'{name} released it')


async def main():
    lock = asyncio.Lock()
    t0 = asyncio.get_running_loop().time()
    tasks = [asyncio.create_task(worker(lock, name, t0)) for name in 'abc']
    for t in tasks:
        await t
    print('locked at the end:', lock.locked())
    try:
        lock.release()
    except RuntimeError as e:
        print('release of an unlocked lock:', type(e).__name__, e)


asyncio.run(main())
