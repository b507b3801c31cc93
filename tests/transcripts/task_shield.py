# shield: cancelling the waiter does not cancel the inner task; cancelling
# the inner task cancels the shield.
import asyncio


async def inner_work():
    await asyncio.sleep(0.2)
    print("inner finished")
    return "inner result"


async def main():
    inner = asyncio.create_task(inner_work())

    async def waiter():
        try:
            return await asyncio.shield(inner)
        except asyncio.CancelledError:
            print("waiter cancelled")
            raise

    w = asyncio.create_task(waiter())
    await asyncio.sleep(0.1)
    w.cancel()
    r = await asyncio.gather(w, return_exceptions=True)
    print("waiter got", type(r[0]).__name__, "; inner cancelled:", inner.cancelled())
    print("inner result:", await inner)

    inner2 = asyncio.create_task(asyncio.sleep(1))
    s = asyncio.shield(inner2)
    await asyncio.sleep(0)
    inner2.cancel()
    try:
        await s
    except asyncio.CancelledError:
        print("shield cancelled because inner was:", s.cancelled())
    print("shield of a done task is the task:", asyncio.shield(inner) is inner)


asyncio.run(main())
