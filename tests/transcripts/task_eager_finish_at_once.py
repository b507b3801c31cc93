# (CPython 3.12) With the eager task factory, a task whose coroutine returns
# without suspending runs inside create_task and is done when it returns:
# never scheduled, never in all_tasks(); its done callbacks still go through
# call_soon.
import asyncio

cache = {'a': 1}


async def lookup(key):
    print('lookup', key, 'runs inside create_task')
    return cache[key]


async def main():
    loop = asyncio.get_running_loop()
    loop.set_task_factory(asyncio.eager_task_factory)
    loop.call_soon(print, 'a callback scheduled before')
    t = asyncio.create_task(lookup('a'))
    print('after create_task: done', t.done(), 'result', t.result())
    print('in all_tasks:', t in asyncio.all_tasks(), 'tasks:', len(asyncio.all_tasks()))
    t.add_done_callback(lambda f: print('done callback, via call_soon'))
    print('await a done eager task:', await t)
    print('main goes on before anything else ran')
    await asyncio.sleep(0)
    print('after one iteration')


asyncio.run(main())
