# The seed's async printers: tasks interleave on one thread.
import asyncio

loop = asyncio.new_event_loop()
t = loop.time()


async def printer(name):
    print('Started %s at %.1f' % (name, loop.time() - t))
    await asyncio.sleep(0.2)
    print('Finished %s at %.1f' % (name, loop.time() - t))


def start(name):
    loop.create_task(printer(name))


loop.call_at(loop.time() + .2, start, 'call_at')
loop.call_later(.1, start, 'call_later')
loop.call_soon(start, 'call_soon')
loop.call_soon_threadsafe(start, 'call_soon_threadsafe')
loop.call_later(1, loop.stop)
loop.run_forever()
loop.close()
