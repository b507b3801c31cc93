# return_exceptions=True: errors, and a cancelled child's CancelledError, are results.
import asyncio


async def work(name, delay):
    await asyncio.sleep(delay)
    return name


async def fail(delay):
    await asyncio.sleep(delay)
    raise RuntimeError("boom")


def show(r):
    return r if isinstance(r, str) else f"{type(r).__name__}: {r}"


async def main():
    loop = asyncio.get_running_loop()
    victim = asyncio.create_task(asyncio.sleep(10))
    fut = loop.create_future()

    async def canceller():
        await asyncio.sleep(0.1)
        victim.cancel()
        fut.cancel("fut message")

    c = asyncio.create_task(canceller())
    results = await asyncio.gather(work("a", 0.2), fail(0.1), victim, fut, return_exceptions=True)
    for r in results:
        print(show(r))
    await c


asyncio.run(main())
