# Default task names: only a task created without a name draws the next Task-N (CPython 3.13).
# 3.11 and 3.12's asyncio.create_task(coro, name=...) create the task unnamed and rename it, so it
# draws a number too (the first difference printed is 2 there); loop.create_task never did.
import asyncio


async def noop():
    pass


def number(task):
    return int(task.get_name().removeprefix("Task-"))


async def main():
    a = asyncio.create_task(noop())
    named = asyncio.create_task(noop(), name="named")
    b = asyncio.create_task(noop())
    print("named:", named.get_name())
    print("next unnamed is one after the first:", number(b) - number(a))
    named.set_name("renamed")
    c = asyncio.create_task(noop(), name=None)
    print("name=None draws a number:", number(c) - number(b))
    d = asyncio.get_running_loop().create_task(noop(), name="loop-named")
    e = asyncio.get_running_loop().create_task(noop())
    print("loop.create_task too:", d.get_name(), number(e) - number(c))
    await asyncio.gather(a, named, b, c, d, e)


asyncio.run(main())
