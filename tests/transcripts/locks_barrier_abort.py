# Barrier: reset() makes the tasks waiting now raise BrokenBarrierError and
# leaves the barrier usable; abort() breaks it for good.
import asyncio


async def party(barrier, name):
    try:
        index = await barrier.wait()
        print(f'{name} passed with index {index}')
    except asyncio.BrokenBarrierError as e:
        print(f'{name}: {type(e).__name__}: {e}')


async def main():
    barrier = asyncio.Barrier(3)
    tasks = [asyncio.create_task(party(barrier, n)) for n in 'ab']
    await asyncio.sleep(0)
    print('waiting before reset:', barrier.n_waiting)
    await barrier.reset()
    for t in tasks:
        await t
    print('after reset: broken', barrier.broken, 'n_waiting', barrier.n_waiting)
    tasks = [asyncio.create_task(party(barrier, n)) for n in 'cde']
    for t in tasks:
        await t

    tasks = [asyncio.create_task(party(barrier, n)) for n in 'fg']
    await asyncio.sleep(0)
    await barrier.abort()
    for t in tasks:
        await t
    print('after abort: broken', barrier.broken)
    await party(barrier, 'h')


asyncio.run(main())
