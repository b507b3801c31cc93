# The seed's first example: three sleepers under asyncio.wait.
# (Python 3.11 wants tasks in wait(); the seed's Python passed coroutines.)
import asyncio


async def sleeper(delay):
    await asyncio.sleep(delay)
    print('Finished sleeper with delay: %d' % delay)


loop = asyncio.new_event_loop()
t0 = loop.time()
done, pending = loop.run_until_complete(asyncio.wait((
    loop.create_task(sleeper(1)),
    loop.create_task(sleeper(3)),
    loop.create_task(sleeper(2)),
)))
print("done %d pending %d after %.1f s" % (len(done), len(pending), loop.time() - t0))
loop.close()
