# A failing task cancels its siblings and the body; all errors (a sibling's
# cleanup error too) come out in one ExceptionGroup.
import asyncio


async def crash(delay, msg):
    await asyncio.sleep(delay)
    print(f"crash: {msg}")
    raise RuntimeError(msg)


async def sibling():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("sibling cancelled; its cleanup fails")
        raise RuntimeError("cleanup failed")


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(sibling())
            tg.create_task(crash(0.1, "first"))
            quiet = tg.create_task(asyncio.sleep(1))
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                print("body cancelled")
                raise
    except ExceptionGroup as eg:
        print(f"{type(eg).__name__}: {eg} at {loop.time() - t0:.1f}")
        for e in eg.exceptions:
            print(f"  {type(e).__name__}: {e}")
    print("quiet sibling cancelled:", quiet.cancelled())
    print("main cancelling:", asyncio.current_task().cancelling())


asyncio.run(main())
