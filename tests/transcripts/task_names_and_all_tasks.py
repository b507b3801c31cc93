# Task names, current_task, all_tasks (pending tasks only).
import asyncio


async def named():
    await asyncio.sleep(0.1)
    return asyncio.current_task().get_name()


async def main():
    me = asyncio.current_task()
    me.set_name("main")
    t = asyncio.create_task(named(), name="worker")
    u = asyncio.create_task(named())
    print("default name starts with Task-:", u.get_name().startswith("Task-"))
    print("all tasks:", sorted(x.get_name() for x in asyncio.all_tasks() if x is not u))
    print("worker says", await t)
    await u
    print("after:", sorted(x.get_name() for x in asyncio.all_tasks()))
    print("current is main:", asyncio.current_task() is me)


asyncio.run(main())
print("outside a loop all_tasks raises:", end=" ")
try:
    asyncio.all_tasks()
except RuntimeError as e:
    print(e)
