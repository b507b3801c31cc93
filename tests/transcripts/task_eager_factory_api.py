# (CPython 3.12) set_task_factory/get_task_factory, create_eager_task_factory
# with a Task subclass, Task(eager_start=True) on a loop that is not running
# (scheduled as usual), and a factory that is not callable.
import asyncio


class TracedTask(asyncio.Task):
    pass


async def hello(name):
    print('hello from', name)
    return name


def main_sync():
    loop = asyncio.new_event_loop()
    print('default factory:', loop.get_task_factory())
    factory = asyncio.create_eager_task_factory(TracedTask)
    loop.set_task_factory(factory)
    print('get returns it:', loop.get_task_factory() is factory)
    try:
        loop.set_task_factory(42)
    except TypeError as e:
        print('TypeError:', e)
    t = loop.create_task(hello('not running'))
    print('loop not running: done', t.done(), 'class', type(t).__name__)
    eager = asyncio.Task(hello('Task(eager_start=True)'), loop=loop, eager_start=True)
    print('eager_start on a stopped loop: done', eager.done())

    async def main():
        u = loop.create_task(hello('running'))
        print('running loop: done', u.done(), 'class', type(u).__name__)
        loop.set_task_factory(None)
        v = loop.create_task(hello('default again'))
        print('default factory again: done', v.done(), 'class', type(v).__name__)
        w = asyncio.Task(hello('Task(eager_start=True) running'), loop=loop, eager_start=True)
        print('eager_start on a running loop: done', w.done())
        await v

    loop.run_until_complete(main())
    print('results', t.result(), eager.result())
    loop.close()


main_sync()
