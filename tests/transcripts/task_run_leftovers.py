# asyncio.run cancels and awaits the tasks main leaves behind.
import asyncio


async def leftover(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print(f"{name} cancelled at shutdown")
        await asyncio.sleep(0.1)
        print(f"{name} cleaned up")
        raise


async def main():
    asyncio.create_task(leftover("x"))
    await asyncio.sleep(0)
    print("main returns")
    return "result"


print("run returned", asyncio.run(main()))
