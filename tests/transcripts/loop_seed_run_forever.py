# The seed's "event loops" example: a callback creates a task, a timer
# stops the loop later (delays scaled down by 10).
import asyncio
import time

t = time.time()


async def sleeper(delay):
    await asyncio.sleep(delay)
    print('Finished sleeper with delay: %.1f at %.1f' % (delay, time.time() - t))


loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
loop.call_soon(loop.create_task, sleeper(0.1))
loop.call_later(0.2, loop.stop)
loop.run_forever()
print('Stopped at %.1f' % (time.time() - t))
loop.close()
