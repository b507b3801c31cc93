# The body throws while tasks run: they are cancelled, waited for, and the
# body's error comes out in the ExceptionGroup.
import asyncio


async def child(name, delay):
    try:
        await asyncio.sleep(delay)
        print(f"{name} done")
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        await asyncio.sleep(0.1)
        print(f"{name} cleaned up")
        raise


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("a", 0.2))
            tg.create_task(child("b", 0.05))
            await asyncio.sleep(0.1)
            print("body raises")
            raise RuntimeError("body failed")
    except ExceptionGroup as eg:
        print(f"{eg} at {loop.time() - t0:.1f}")
        for e in eg.exceptions:
            print(f"  {type(e).__name__}: {e}")


asyncio.run(main())
