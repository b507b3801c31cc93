# wait(FIRST_EXCEPTION) returns at the first error, or when all are done.
import asyncio


async def work(name, delay):
    await asyncio.sleep(delay)
    print(f"end {name}")
    return name


async def fail(delay):
    await asyncio.sleep(delay)
    print("fail raises")
    raise RuntimeError("boom")


def names(tasks):
    return ",".join(sorted(t.get_name() for t in tasks)) or "-"


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    a = asyncio.create_task(work("a", 0.1), name="a")
    f = asyncio.create_task(fail(0.2), name="f")
    c = asyncio.create_task(work("c", 0.3), name="c")
    done, pending = await asyncio.wait([a, f, c], return_when=asyncio.FIRST_EXCEPTION)
    print(f"done {names(done)} pending {names(pending)} at {loop.time() - t0:.1f}")
    print("f error:", f.exception())
    d = asyncio.create_task(work("d", 0.1), name="d")
    done, pending = await asyncio.wait([c, d], return_when=asyncio.FIRST_EXCEPTION)
    print(f"done {names(done)} pending {names(pending)} at {loop.time() - t0:.1f}")


asyncio.run(main())
