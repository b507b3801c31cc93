# PriorityQueue hands out the smallest (priority, data) tuple first, also to
# getters that were waiting; a bounded one blocks put() while full.
import asyncio


async def main():
    q = asyncio.PriorityQueue(3)
    for item in [(3, 'low'), (1, 'urgent'), (2, 'normal')]:
        q.put_nowait(item)
    print('full', q.full())
    blocked = asyncio.create_task(q.put((0, 'late but first')))
    await asyncio.sleep(0)
    print('put blocked while full:', not blocked.done())
    while not q.empty() or not blocked.done():
        prio, data = await q.get()
        print(prio, data)
        await asyncio.sleep(0)

    waiting = [asyncio.create_task(q.get()) for _ in range(2)]
    await asyncio.sleep(0)
    q.put_nowait((5, 'e'))
    q.put_nowait((4, 'd'))
    for t in waiting:
        print('waiting getter got', await t)
    try:
        q.put_nowait((1, {}))
        q.put_nowait((1, {'a': 1}))
    except TypeError as e:
        print('incomparable:', type(e).__name__)


asyncio.run(main())
