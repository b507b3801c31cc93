# (CPython 3.12) gather of eager tasks that all finish at once is itself done
# when gather returns; with one that suspends it waits as usual, the others'
# results already in.
import asyncio


async def value(x):
    return x * 10


async def slow(x):
    await asyncio.sleep(0.01)
    return x


async def main():
    loop = asyncio.get_running_loop()
    loop.set_task_factory(asyncio.eager_task_factory)
    g = asyncio.gather(*[value(i) for i in range(4)])
    print('all eager: gather done at once', g.done(), g.result())
    h = asyncio.gather(value(1), slow(2), value(3))
    print('one suspends: done', h.done())
    print('results', await h)
    tasks = [asyncio.create_task(value(i)) for i in range(3)]
    print('tasks done', [t.done() for t in tasks], 'pending tasks', len(asyncio.all_tasks()))


asyncio.run(main())
