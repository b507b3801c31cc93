# timeout(): expiry turns the CancelledError into TimeoutError; expired(),
# when(), reschedule(), a body that finishes in time, timeout_at in the past.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    cm = asyncio.timeout(0.2)
    try:
        async with cm:
            await asyncio.sleep(1)
    except TimeoutError as e:
        print(f"TimeoutError at {loop.time() - t0:.1f}; expired: {cm.expired()}; cause: {type(e.__cause__).__name__}")
    print("cancelling after:", asyncio.current_task().cancelling())

    async with asyncio.timeout(1) as cm:
        await asyncio.sleep(0.1)
    print("in time; expired:", cm.expired())

    t0 = loop.time()
    try:
        async with asyncio.timeout(None) as cm:
            print("when is None:", cm.when() is None)
            cm.reschedule(loop.time() + 0.3)
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                print(f"body sees CancelledError at {loop.time() - t0:.1f}")
                raise
    except TimeoutError:
        print("rescheduled timeout expired:", cm.expired())
    try:
        cm.reschedule(None)
    except RuntimeError as e:
        print("RuntimeError:", e)

    try:
        async with asyncio.timeout_at(loop.time() - 1):
            await asyncio.sleep(0)
            print("not reached")
    except TimeoutError:
        print("timeout_at in the past expires at the first await")

    async with asyncio.timeout(0.1) as cm:
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print("body swallows the CancelledError")
    print("no TimeoutError; expired:", cm.expired(), "cancelling:", asyncio.current_task().cancelling())


asyncio.run(main())
