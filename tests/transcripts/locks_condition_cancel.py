# Condition.wait() cancelled, either while waiting for a notification or
# after one while it waits to take the lock back: in both cases the
# CancelledError comes only once the task holds the lock again.
import asyncio


async def waiter(cond, name):
    async with cond:
        try:
            await cond.wait()
            print(f'{name} woke')
        except asyncio.CancelledError:
            print(f'{name} cancelled, holding the lock: {cond.locked()}')
            raise


async def scenario(notify_first):
    cond = asyncio.Condition()
    task = asyncio.create_task(waiter(cond, 'notified' if notify_first else 'waiting'))
    await asyncio.sleep(0)
    await cond.acquire()
    if notify_first:
        cond.notify()
        await asyncio.sleep(0)
    task.cancel()
    for _ in range(3):
        await asyncio.sleep(0)
    print('task done while we hold the lock?', task.done())
    cond.release()
    try:
        await task
    except asyncio.CancelledError:
        print('task cancelled; lock free:', not cond.locked())


async def main():
    await scenario(False)
    await scenario(True)


asyncio.run(main())
