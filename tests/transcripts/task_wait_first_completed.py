# wait(FIRST_COMPLETED) and wait(timeout=...): nothing is cancelled, unfinished tasks are pending.
import asyncio


async def work(name, delay):
    await asyncio.sleep(delay)
    print(f"end {name}")
    return name


def names(tasks):
    return ",".join(sorted(t.get_name() for t in tasks)) or "-"


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    tasks = [asyncio.create_task(work(n, d), name=n) for n, d in [("a", 0.3), ("b", 0.1), ("c", 0.2)]]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    print(f"done {names(done)} pending {names(pending)} at {loop.time() - t0:.1f}")
    done, pending = await asyncio.wait(pending, timeout=0.15)
    print(f"done {names(done)} pending {names(pending)} at {loop.time() - t0:.1f}")
    done, pending = await asyncio.wait(tasks)
    print(f"done {names(done)} pending {names(pending)} at {loop.time() - t0:.1f}")


asyncio.run(main())
