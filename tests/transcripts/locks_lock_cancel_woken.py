# Lock: a waiter cancelled while waiting leaves the queue; a waiter cancelled
# after release() woke it passes the lock on to the next waiter.
import asyncio


async def waiter(lock, name):
    try:
        await lock.acquire()
    except asyncio.CancelledError:
        print(f'{name} cancelled, locked={lock.locked()}')
        raise
    print(f'{name} got the lock')
    await asyncio.sleep(0)
    lock.release()
    print(f'{name} released')


async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    tasks = {name: asyncio.create_task(waiter(lock, name)) for name in 'abcd'}
    await asyncio.sleep(0)
    tasks['b'].cancel()          # cancelled while waiting
    await asyncio.sleep(0)
    lock.release()               # wakes a...
    tasks['a'].cancel()          # ...which is cancelled before it runs
    print('released; a cancelled after being woken')
    for name, t in tasks.items():
        try:
            await t
            print(name, 'finished')
        except asyncio.CancelledError:
            print(name, 'was cancelled')
    print('locked at the end:', lock.locked())


asyncio.run(main())
