# A bounded Queue(2) between two producers and two consumers: put() blocks
# while full, get() while empty, each in arrival order; join() returns once
# every item is marked done.
import asyncio


async def producer(q, name, t0):
    loop = asyncio.get_running_loop()
    for i in range(3):
        item = f'{name}{i}'
        await q.put(item)
        print(f'{loop.time() - t0:.1f} {name} put {item} (qsize {q.qsize()}, full {q.full()})')


async def consumer(q, name, t0):
    loop = asyncio.get_running_loop()
    while True:
        item = await q.get()
        print(f'{loop.time() - t0:.1f} {name} got {item}')
        await asyncio.sleep(0.1)
        q.task_done()


async def main():
    t0 = asyncio.get_running_loop().time()
    q = asyncio.Queue(2)
    print('maxsize', q.maxsize, 'empty', q.empty())
    consumers = [asyncio.create_task(consumer(q, n, t0)) for n in ('c1', 'c2')]
    producers = [asyncio.create_task(producer(q, n, t0)) for n in ('p', 'q')]
    for p in producers:
        await p
    await q.join()
    print(f'{asyncio.get_running_loop().time() - t0:.1f} joined, empty {q.empty()}')
    for c in consumers:
        c.cancel()


asyncio.run(main())
