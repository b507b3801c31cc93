# (CPython 3.12) Eager and lazy tasks side by side: an eager task's first
# step runs before create_task returns, a lazy one's on the next iteration,
# behind the callbacks already queued. Also from a plain callback.
import asyncio


async def step(name):
    print(name, 'first step')
    await asyncio.sleep(0)
    print(name, 'second step')


async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(print, 'cb 1')
    lazy = loop.create_task(step('lazy'))
    eager = asyncio.Task(step('eager'), loop=loop, eager_start=True)
    loop.call_soon(print, 'cb 2')
    print('main after creating both')
    loop.set_task_factory(asyncio.eager_task_factory)

    def from_callback():
        print('callback creates a task')
        loop.create_task(step('from callback'))
        print('callback ends')

    loop.call_soon(from_callback)
    await asyncio.gather(lazy, eager)
    await asyncio.sleep(0)
    await asyncio.sleep(0)


asyncio.run(main())
