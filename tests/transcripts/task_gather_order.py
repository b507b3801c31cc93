# gather returns results in argument order, whatever order they finish in.
import asyncio


async def work(name, delay):
    print(f"start {name}")
    await asyncio.sleep(delay)
    print(f"end {name}")
    return name.upper()


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    results = await asyncio.gather(work("a", 0.3), work("b", 0.1), work("c", 0.2))
    print("results", " ".join(results), f"at {loop.time() - t0:.1f}")
    print("empty gather", len(await asyncio.gather()))
    fut = loop.create_future()
    loop.call_soon(fut.set_result, "F")
    # The same future twice fills both places.
    print("duplicates", " ".join(await asyncio.gather(fut, work("d", 0.1), fut)))


asyncio.run(main())
