# A TaskGroup waits for all its tasks; create_task after it finished is refused.
import asyncio


async def work(name, delay):
    print(f"start {name}")
    await asyncio.sleep(delay)
    print(f"end {name}")
    return name


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    async with asyncio.TaskGroup() as tg:
        a = tg.create_task(work("a", 0.2), name="A")
        b = tg.create_task(work("b", 0.1))
        print("body done; task name:", a.get_name())
    print(f"group done at {loop.time() - t0:.1f}:", a.result(), b.result())
    try:
        tg.create_task(work("late", 0))
    except RuntimeError as e:
        print("RuntimeError:", e)

    async with asyncio.TaskGroup() as tg:
        async def spawner():
            await asyncio.sleep(0.1)
            tg.create_task(work("grandchild", 0.1))
        tg.create_task(spawner())
    print(f"a task may add tasks while the group waits; done at {loop.time() - t0:.1f}")


asyncio.run(main())
