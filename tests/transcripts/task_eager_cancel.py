# (CPython 3.12) Cancelling eager tasks: right after create_task (it waits on
# its first future, which is cancelled; in JavaScript the task reaches that
# await only in a microtask, so the future is cancelled then); from inside its own first step (the
# cancel lands at its first await); before it returns without awaiting (it
# ends cancelled); and once it is done (cancel() returns False).
import asyncio


async def waiter(fut):
    try:
        await fut
    except asyncio.CancelledError as e:
        print('waiter cancelled with', e.args)
        raise


async def cancels_itself():
    print('cancelling myself; cancelling() =', asyncio.current_task().cancel('self'))
    print('still running the first step')
    await asyncio.sleep(0)
    print('never printed')


async def cancels_then_returns():
    asyncio.current_task().cancel()
    return 'ignored'


async def quick():
    return 'quick'


async def main():
    loop = asyncio.get_running_loop()
    loop.set_task_factory(asyncio.eager_task_factory)
    fut = loop.create_future()
    w = asyncio.create_task(waiter(fut))
    print('cancel waiter:', w.cancel('stop'))
    s = asyncio.create_task(cancels_itself())
    print('self-cancelled task: done', s.done(), 'cancelling', s.cancelling())
    r = asyncio.create_task(cancels_then_returns())
    print('returned after cancel: done', r.done(), 'cancelled', r.cancelled())
    q = asyncio.create_task(quick())
    print('cancel a finished eager task:', q.cancel())
    for label, t in (('waiter', w), ('self-cancelled', s)):
        try:
            await t
        except asyncio.CancelledError as e:
            print(label, 'ended cancelled', e.args)
    print('the future it awaited is cancelled:', fut.cancelled())


asyncio.run(main())
