# The seed's async printer (made valid Python: the printer is a coroutine
# and each callback starts it as a task): the printers interleave.
import asyncio
import time

t = time.time()


async def printer(name):
    print('Started %s at %.1f' % (name, time.time() - t))
    await asyncio.sleep(0.2)
    print('Finished %s at %.1f' % (name, time.time() - t))


def start(name):
    loop.create_task(printer(name))


loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
loop.call_at(loop.time() + .2, start, 'call_at')
loop.call_later(.1, start, 'call_later')
loop.call_soon(start, 'call_soon')
loop.call_soon_threadsafe(start, 'call_soon_threadsafe')

# Make sure we stop after a second
loop.call_later(1, loop.stop)
loop.run_forever()
print('Stopped at %.1f' % (time.time() - t))
loop.close()
