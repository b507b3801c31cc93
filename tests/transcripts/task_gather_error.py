# The first error fails the gather at once; the other children keep running.
import asyncio


async def work(name, delay):
    await asyncio.sleep(delay)
    print(f"end {name}")
    return name


async def fail(delay):
    await asyncio.sleep(delay)
    print("failing")
    raise RuntimeError("boom")


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    try:
        await asyncio.gather(work("a", 0.3), fail(0.1), work("b", 0.2))
    except RuntimeError as e:
        print(f"gather raised {type(e).__name__}: {e} at {loop.time() - t0:.1f}")
    await asyncio.sleep(0.3)
    print(f"main done at {loop.time() - t0:.1f}")


asyncio.run(main())
