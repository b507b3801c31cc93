# A cancelled child fails the gather with CancelledError; the awaiting task
# itself was not cancelled, and the other children keep running.
import asyncio


async def child(name, delay):
    await asyncio.sleep(delay)
    print(f"{name} done")
    return name


async def main():
    a = asyncio.create_task(child("a", 0.3))
    b = asyncio.create_task(child("b", 0.1))
    g = asyncio.gather(a, b)
    await asyncio.sleep(0)
    a.cancel()
    try:
        await g
    except asyncio.CancelledError:
        print("gather raised CancelledError")
    print("main cancelling:", asyncio.current_task().cancelling())
    print("b result:", await b)


asyncio.run(main())
