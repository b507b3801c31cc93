# A task resumes on the loop after the future it awaits is done; the code
# after the await (down to its next suspension) runs as part of that step,
# before the loop moves on to the next handle.
import asyncio

loop = asyncio.new_event_loop()
fut = loop.create_future()


async def inner(name):
    done = loop.create_future()
    done.set_result(None)
    await done  # a done future does not suspend the task
    print(name, 'inner ran without suspending')


async def waiter(name):
    print(name, 'waits')
    value = await fut
    print(name, 'resumed with', value)
    await inner(name)
    loop.call_soon(print, name + ' scheduled after resuming')
    print(name, 'ends its step')


def setter():
    fut.set_result('x')
    print('setter set the result')
    loop.call_soon(print, 'scheduled after set_result')


loop.create_task(waiter('w1'))
loop.call_soon(print, 'cb between tasks')
loop.create_task(waiter('w2'))
loop.call_soon(setter)
loop.call_later(0.1, loop.stop)
loop.run_forever()
loop.close()
