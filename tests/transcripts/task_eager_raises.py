# (CPython 3.12) An eager task that raises before suspending is done, failed,
# when create_task returns; the error is the task's (create_task does not
# raise). One whose error nobody retrieves reaches the exception handler.
import asyncio
import gc

messages = []


async def boom(label):
    raise ValueError(label)


async def boom_later():
    await asyncio.sleep(0)
    raise KeyError('later')


async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda loop, ctx: messages.append(
        f"{ctx['message']}: {type(ctx['exception']).__name__} {ctx['exception']}"))
    loop.set_task_factory(asyncio.eager_task_factory)
    t = asyncio.create_task(boom('seen'))
    print('done', t.done(), 'exception', repr(t.exception()))
    try:
        await t
    except ValueError as e:
        print('await raises', repr(e))
    asyncio.create_task(boom('never retrieved'))
    later = asyncio.create_task(boom_later())
    print('later done at once?', later.done())
    try:
        await later
    except KeyError as e:
        print('later raised', repr(e))
    gc.collect()  # CPython reports when the task is collected; ours when the loop closes


asyncio.run(main())
for m in messages:
    print('handler:', m)
