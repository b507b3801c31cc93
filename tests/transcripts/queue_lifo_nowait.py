# LifoQueue hands out the newest item first. put_nowait() on a full queue
# raises QueueFull, get_nowait() on an empty one QueueEmpty; task_done()
# once too often is an error.
import asyncio


async def main():
    q = asyncio.LifoQueue(3)
    for i in range(3):
        q.put_nowait(i)
    try:
        q.put_nowait(3)
    except asyncio.QueueFull:
        print('QueueFull at qsize', q.qsize())
    print('got', [q.get_nowait() for _ in range(3)])
    try:
        q.get_nowait()
    except asyncio.QueueEmpty:
        print('QueueEmpty')
    getter = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    q.put_nowait('a')
    q.put_nowait('b')
    print('waiting getter got', await getter, 'then', q.get_nowait())
    for _ in range(5):
        q.task_done()
    try:
        q.task_done()
    except ValueError as e:
        print('task_done:', e)
    await q.join()
    print('joined')


asyncio.run(main())
