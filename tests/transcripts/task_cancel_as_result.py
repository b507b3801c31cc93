# A task cancelled in the same iteration as the future it awaits gets its
# result: the cancel wins and the task sees CancelledError.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    async def waiter():
        try:
            v = await fut
            print("got", v)
        except asyncio.CancelledError:
            print("waiter cancelled although the future has", fut.result())
            return "handled"

    t = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    fut.set_result(42)
    print("cancel returns", t.cancel())
    print("task result", await t, "cancelled", t.cancelled())

    fut2 = loop.create_future()

    async def waiter2():
        return await fut2

    t2 = asyncio.create_task(waiter2())
    await asyncio.sleep(0)
    t2.cancel()
    print("cancelling the task cancels the future:", fut2.cancelled())
    try:
        await t2
    except asyncio.CancelledError:
        print("t2 cancelled", t2.cancelled())


asyncio.run(main())
