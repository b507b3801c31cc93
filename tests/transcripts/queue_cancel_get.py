# A get() cancelled after a put() woke it loses no item: the item goes to
# the next getter, or stays in the queue. A put() cancelled while waiting
# adds nothing; one cancelled after a get() woke it passes the slot on.
import asyncio


async def getter(q, name):
    try:
        item = await q.get()
        print(f'{name} got {item}')
    except asyncio.CancelledError:
        print(f'{name} cancelled, qsize {q.qsize()}')


async def putter(q, name, item):
    try:
        await q.put(item)
        print(f'{name} put {item}')
    except asyncio.CancelledError:
        print(f'{name} cancelled, qsize {q.qsize()}')


async def main():
    q = asyncio.Queue()
    a = asyncio.create_task(getter(q, 'a'))
    b = asyncio.create_task(getter(q, 'b'))
    await asyncio.sleep(0)
    q.put_nowait('x')   # wakes a...
    a.cancel()          # ...cancelled before it runs
    await a
    await b
    c = asyncio.create_task(getter(q, 'c'))
    await asyncio.sleep(0)
    q.put_nowait('y')
    c.cancel()
    await c
    print('left in the queue:', q.get_nowait())

    q = asyncio.Queue(1)
    q.put_nowait('first')
    p1 = asyncio.create_task(putter(q, 'p1', 'one'))
    p2 = asyncio.create_task(putter(q, 'p2', 'two'))
    p3 = asyncio.create_task(putter(q, 'p3', 'three'))
    await asyncio.sleep(0)
    p3.cancel()                     # cancelled while waiting
    print('got', q.get_nowait())    # wakes p1...
    p1.cancel()                     # ...cancelled before it runs
    for t in (p1, p2, p3):
        await t
    print('queue now holds', q.get_nowait(), 'empty', q.empty())


asyncio.run(main())
