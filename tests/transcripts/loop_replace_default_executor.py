# Replacing a default executor that was used: run() returns and the process exits.
import asyncio
from concurrent.futures import ThreadPoolExecutor


def job(n):
    return n * 2


async def main():
    loop = asyncio.get_running_loop()
    print("old pool:", await loop.run_in_executor(None, job, 1))
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    print("new pool:", await loop.run_in_executor(None, job, 2))


asyncio.run(main())
print("run returned")
