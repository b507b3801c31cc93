# (CPython 3.12) An eager task runs up to its first real suspension inside
# create_task; from there on it is an ordinary task, resumed by the loop.
import asyncio


async def worker(name, fut):
    print(name, 'first step, inside create_task')
    value = await fut
    print(name, 'resumed with', value)
    await asyncio.sleep(0)
    print(name, 'second resumption')
    return value * 2


async def main():
    loop = asyncio.get_running_loop()
    loop.set_task_factory(asyncio.eager_task_factory)
    fut = loop.create_future()
    loop.call_soon(print, 'callback before the tasks')
    a = asyncio.create_task(worker('a', fut))
    print('a created: done', a.done(), 'in all_tasks', a in asyncio.all_tasks())
    b = asyncio.create_task(worker('b', fut))
    loop.call_soon(print, 'callback after the tasks')
    loop.call_soon(fut.set_result, 21)
    print('results', await a, await b)


asyncio.run(main())
