# Condition: notify(n) wakes the n longest waiters, who return from wait()
# only once they hold the lock; notify_all() wakes the rest; wait_for()
# re-checks its predicate after each wake-up.
import asyncio


async def waiter(cond, name):
    async with cond:
        print(f'{name} waits')
        result = await cond.wait()
        print(f'{name} woke with {result}, locked={cond.locked()}')


async def main():
    cond = asyncio.Condition()
    tasks = [asyncio.create_task(waiter(cond, n)) for n in 'abcd']
    await asyncio.sleep(0)
    async with cond:
        print('notify(2)')
        cond.notify(2)
        await asyncio.sleep(0)
        print('still holding the lock')
    await asyncio.sleep(0)
    async with cond:
        print('notify_all()')
        cond.notify_all()
    for t in tasks:
        await t

    state = {'n': 0}

    async def until_three():
        async with cond:
            result = await cond.wait_for(lambda: state['n'] >= 3 and f"n={state['n']}")
            print('wait_for returned', result)

    t = asyncio.create_task(until_three())
    for _ in range(4):
        await asyncio.sleep(0)
        async with cond:
            state['n'] += 1
            print('n is now', state['n'])
            cond.notify()
    await t
    try:
        cond.notify()
    except RuntimeError as e:
        print('notify without the lock:', e)


asyncio.run(main())
