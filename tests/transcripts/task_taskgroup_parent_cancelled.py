# Cancelling the task that runs a TaskGroup cancels the group's tasks; the
# CancelledError propagates once they are done.
import asyncio


async def child(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        raise


async def parent():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("a", 0.5))
            await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("parent sees CancelledError")
        raise


async def parent_waiting():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child("c", 0.5))
            print("body done, group waits")
    except asyncio.CancelledError:
        print("parent (waiting in exit) sees CancelledError")
        raise


async def main():
    for fn in (parent, parent_waiting):
        p = asyncio.create_task(fn())
        await asyncio.sleep(0.1)
        p.cancel()
        try:
            await p
        except asyncio.CancelledError:
            print("task cancelled:", p.cancelled())


asyncio.run(main())
