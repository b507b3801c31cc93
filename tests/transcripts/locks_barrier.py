# Barrier(3): tasks wait until three are there, then all go on together,
# with their arrival index; the barrier is reused for a second round. A
# task cancelled in wait() just leaves: the barrier is not broken.
import asyncio


async def party(barrier, name, rounds):
    for r in range(rounds):
        print(f'{name} arrives (round {r}), n_waiting={barrier.n_waiting}')
        index = await barrier.wait()
        print(f'{name} passes with index {index}')


async def main():
    barrier = asyncio.Barrier(3)
    print('parties', barrier.parties, 'broken', barrier.broken)
    tasks = []
    for name in 'abc':
        tasks.append(asyncio.create_task(party(barrier, name, 2)))
        await asyncio.sleep(0)
    for t in tasks:
        await t

    quitter = asyncio.create_task(barrier.wait())
    await asyncio.sleep(0)
    print('n_waiting with the quitter:', barrier.n_waiting)
    quitter.cancel()
    try:
        await quitter
    except asyncio.CancelledError:
        print('quitter cancelled; n_waiting', barrier.n_waiting, 'broken', barrier.broken)


asyncio.run(main())
