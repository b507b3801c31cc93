"""Peer of task_steps.ts: 100,000 tasks each doing ten `await sleep(0)`, gathered;
then the same with a context variable set (asyncio copies the context into
every task either way)."""

import asyncio
import contextvars
import time

from _common import emit, run

N = 100_000
STEPS = 10


async def worker():
    for _ in range(STEPS):
        await asyncio.sleep(0)


async def steps(n):
    t0 = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(n)])
    return time.perf_counter() - t0


async def main():
    await steps(N // 10)  # warm-up, as ours does
    return await steps(N)


emit("task_steps", N * STEPS, run(main), "steps/s", tasks=N)
request_id = contextvars.ContextVar("request_id")
request_id.set("bench")
emit("task_steps_ctxvar", N * STEPS, run(main), "steps/s", tasks=N)
