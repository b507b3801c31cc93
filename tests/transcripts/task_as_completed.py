# as_completed yields in completion order; after its timeout, TimeoutError.
import asyncio


async def work(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    for aw in asyncio.as_completed([work("a", 0.3), work("b", 0.1), work("c", 0.2)]):
        print("got", await aw, f"at {loop.time() - t0:.1f}")
    t0 = loop.time()
    slow = asyncio.create_task(work("slow", 1))
    fast = asyncio.create_task(work("fast", 0.1))
    try:
        for aw in asyncio.as_completed([slow, fast], timeout=0.2):
            print("got", await aw, f"at {loop.time() - t0:.1f}")
    except TimeoutError:
        print(f"TimeoutError at {loop.time() - t0:.1f}; slow done: {slow.done()}")
    slow.cancel()


asyncio.run(main())
