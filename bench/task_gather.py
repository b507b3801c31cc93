"""(CPython 3.12) Peer of task_gather.ts: gather, TaskGroup and wait_for over 100,000 tasks, and a
gather of 100,000 tasks that return at once, without and with the eager task factory (3.12+ only)."""

import asyncio
import sys
import time

from _common import emit, run

N = 100_000
cache = {i: i * i for i in range(100)}


async def one_step():
    await asyncio.sleep(0)


async def memo(i):
    return cache[i % 100]


async def gather_100k(n):
    await asyncio.gather(*[one_step() for _ in range(n)])


async def taskgroup_100k(n):
    async with asyncio.TaskGroup() as tg:
        for _ in range(n):
            tg.create_task(one_step())


async def wait_for_100k(n):
    await asyncio.gather(*[asyncio.wait_for(asyncio.sleep(0.001), 10) for _ in range(n)])


async def gather_memo_lazy(n):
    await asyncio.gather(*[memo(i) for i in range(n)])


async def gather_memo_eager(n):
    loop = asyncio.get_running_loop()
    loop.set_task_factory(asyncio.eager_task_factory)
    try:
        await asyncio.gather(*[memo(i) for i in range(n)])
    finally:
        loop.set_task_factory(None)


cases = [gather_100k, taskgroup_100k, wait_for_100k, gather_memo_lazy]
if hasattr(asyncio, "eager_task_factory"):
    cases.append(gather_memo_eager)
else:
    print(f"no eager task factory in Python {sys.version.split()[0]}: gather_memo_eager skipped",
          file=sys.stderr)

for case in cases:

    async def main():
        await case(N // 10)  # warm-up, as ours does
        t1 = time.perf_counter()
        await case(N)
        return time.perf_counter() - t1

    emit(case.__name__, N, run(main), "tasks/s", tasks=N)
