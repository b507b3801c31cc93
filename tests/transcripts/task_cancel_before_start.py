# A task cancelled before its first step never runs its body.
import asyncio


async def body():
    print("body ran")


async def main():
    t = asyncio.create_task(body())
    print("cancel", t.cancel(), "cancel again", t.cancel(), "cancelling", t.cancelling())
    try:
        await t
    except asyncio.CancelledError:
        print("cancelled before start:", t.cancelled())
    u = asyncio.create_task(body())
    u.cancel("early")
    try:
        await u
    except asyncio.CancelledError as e:
        print(f"message: {e}")


asyncio.run(main())
