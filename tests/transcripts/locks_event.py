# Event: set() wakes every waiter in the order they began waiting; wait() on
# a set event returns at once; clear() makes later waits block again.
import asyncio


async def waiter(ev, name):
    print(f'{name} waits')
    await ev.wait()
    print(f'{name} woke, is_set={ev.is_set()}')


async def main():
    ev = asyncio.Event()
    tasks = [asyncio.create_task(waiter(ev, n)) for n in 'abc']
    await asyncio.sleep(0)
    print('setting')
    ev.set()
    print('set; is_set =', ev.is_set())
    for t in tasks:
        await t
    print('wait on a set event:', await ev.wait())
    ev.clear()
    late = asyncio.create_task(waiter(ev, 'late'))
    await asyncio.sleep(0.1)
    print('late done after 0.1 s?', late.done())
    ev.set()
    await late


asyncio.run(main())
