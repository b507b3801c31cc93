# Cancelling a gather (or the task awaiting it) cancels the children still running.
import asyncio


async def child(name, delay):
    try:
        await asyncio.sleep(delay)
        print(f"{name} done")
        return name
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        raise


async def main():
    g = asyncio.gather(child("a", 0.1), child("b", 0.3), child("c", 0.5))
    await asyncio.sleep(0.2)
    print("cancel returns", g.cancel())
    try:
        await g
    except asyncio.CancelledError:
        print("gather raised CancelledError")
    print("cancelled:", g.cancelled(), "done:", g.done())
    print("cancel again returns", g.cancel())

    async def waiter():
        try:
            return await asyncio.gather(child("d", 0.3), child("e", 0.4))
        except asyncio.CancelledError:
            print("waiter cancelled")
            raise

    w = asyncio.create_task(waiter())
    await asyncio.sleep(0.1)
    w.cancel()
    try:
        await w
    except asyncio.CancelledError:
        print("waiter task cancelled:", w.cancelled())


asyncio.run(main())
