# run_coroutine_threadsafe from another thread (a Worker in ours): results
# in order, an error, a blocking result(timeout) that times out, a cancel
# that reaches the task on the loop. The thread logs; the main thread prints
# the log once the thread is done, so the lines cannot interleave.
import asyncio
import concurrent.futures

log = []
cancelled_on_loop = []


async def double(x):
    await asyncio.sleep(0)
    return 2 * x


async def fail(message):
    await asyncio.sleep(0)
    raise RuntimeError(message)


async def sleeper(seconds):
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        cancelled_on_loop.append("sleeper")
        raise


async def cancelled_count():
    return len(cancelled_on_loop)


def thread(loop):
    futures = [asyncio.run_coroutine_threadsafe(double(i), loop) for i in range(5)]
    log.append("results %s" % [f.result(5) for f in futures])
    f = asyncio.run_coroutine_threadsafe(fail("no luck"), loop)
    try:
        f.result(5)
    except Exception as e:
        log.append("error %s: %s" % (type(e).__name__, e))
    f = asyncio.run_coroutine_threadsafe(sleeper(30), loop)
    try:
        f.result(0.05)
    except TimeoutError:
        log.append("timed out, done: %s" % f.done())
    log.append("cancel: %s" % f.cancel())
    log.append("cancelled: %s, done: %s" % (f.cancelled(), f.done()))
    try:
        f.result()
    except concurrent.futures.CancelledError:
        log.append("result: CancelledError")
    count = asyncio.run_coroutine_threadsafe(cancelled_count(), loop).result(5)
    log.append("cancels seen on the loop: %d" % count)


async def main():
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, thread, loop)
    for line in log:
        print(line)
    print("on the loop:", cancelled_on_loop)


asyncio.run(main())
