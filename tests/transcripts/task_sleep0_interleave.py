# sleep(0) yields exactly one iteration: tasks take turns.
import asyncio


async def ticker(name, n):
    for i in range(n):
        print(name, i)
        await asyncio.sleep(0)


async def main():
    await asyncio.gather(ticker("a", 3), ticker("b", 2), ticker("c", 3))
    print("sleep(0, value) returns", await asyncio.sleep(0, "v"))


asyncio.run(main())
