# (CPython 3.12) During an eager task's first step, current_task() is that
# task and all_tasks() includes it; back in the creator, current_task() is
# the creator again. A name given to create_task is set after the factory
# made the task (3.12/3.13), so the first step still sees Task-N.
import asyncio


async def probe(label, fut=None):
    me = asyncio.current_task()
    print(label, 'current is me:', me is not None and me.get_coro().__name__ == 'probe',
          'in all_tasks:', me in asyncio.all_tasks(), 'name starts with Task-:',
          me.get_name().startswith('Task-'))
    if fut is not None:
        await fut
    return label


async def main():
    loop = asyncio.get_running_loop()
    loop.set_task_factory(asyncio.eager_task_factory)
    main_task = asyncio.current_task()
    t = asyncio.create_task(probe('finishing'), name='named')
    print('back in main:', asyncio.current_task() is main_task, 'name now', t.get_name())
    print('finished eager task in all_tasks:', t in asyncio.all_tasks())
    fut = loop.create_future()
    s = asyncio.create_task(probe('suspending', fut), name='waits')
    print('suspended eager task in all_tasks:', s in asyncio.all_tasks(), s.get_name())
    fut.set_result(None)
    await s
    print('after it ended, in all_tasks:', s in asyncio.all_tasks())


asyncio.run(main())
