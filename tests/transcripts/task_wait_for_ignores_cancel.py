# wait_for times out on a task that ignores one cancel: it waits for the task,
# which returns a value, and wait_for returns that value.
import asyncio


async def stubborn():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("stubborn ignores the cancel")
    await asyncio.sleep(0.1)
    print("stubborn returns")
    return "stubborn result"


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    t = asyncio.create_task(stubborn())
    r = await asyncio.wait_for(t, 0.2)
    print(f"wait_for returned {r} at {loop.time() - t0:.1f}")
    print("task cancelled:", t.cancelled(), "task cancelling:", t.cancelling())
    print("main cancelling:", asyncio.current_task().cancelling())


asyncio.run(main())
