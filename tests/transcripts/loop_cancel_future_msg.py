# Cancelling a future that a task awaits: the await raises CancelledError
# with the message; the task may catch it and go on; done callbacks run.
import asyncio

loop = asyncio.new_event_loop()
fut = loop.create_future()


async def waiter():
    try:
        await fut
    except asyncio.CancelledError as e:
        print('waiter caught CancelledError:', e)
    await asyncio.sleep(0.1)
    print('waiter goes on and returns')
    return 'ok'


fut.add_done_callback(lambda f: print('done callback: cancelled', f.cancelled()))
task = loop.create_task(waiter())
loop.call_soon(lambda: print('cancel returns', fut.cancel('why')))
print(loop.run_until_complete(task))
print('task cancelled', task.cancelled(), '/ future cancelled', fut.cancelled())
loop.close()
