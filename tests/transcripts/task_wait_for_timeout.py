# wait_for: on timeout the inner awaitable is cancelled and waited for
# (its cleanup runs first), then TimeoutError, caused by the CancelledError.
import asyncio


async def slow():
    try:
        print("slow start")
        await asyncio.sleep(1)
        return "never"
    except asyncio.CancelledError:
        print("slow cancelled")
        await asyncio.sleep(0.1)
        print("slow cleanup done")
        raise


async def work(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    try:
        await asyncio.wait_for(slow(), 0.2)
    except TimeoutError as e:
        print(f"TimeoutError at {loop.time() - t0:.1f} caused by {type(e.__cause__).__name__}")
    print("in time:", await asyncio.wait_for(work("fast", 0.1), 1))
    print("no timeout:", await asyncio.wait_for(work("unbounded", 0.1), None))
    print("main cancelling:", asyncio.current_task().cancelling())


asyncio.run(main())
