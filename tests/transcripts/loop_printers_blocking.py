# The seed's blocking printer: each callback blocks the loop for 0.2 s, so
# they run one after another, in the order soon, threadsafe, later, at.
import asyncio
import time

t = time.time()


def printer(name):
    print('Started %s at %.1f' % (name, time.time() - t))
    time.sleep(0.2)
    print('Finished %s at %.1f' % (name, time.time() - t))


loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
loop.call_at(loop.time() + .2, printer, 'call_at')
loop.call_later(.1, printer, 'call_later')
loop.call_soon(printer, 'call_soon')
loop.call_soon_threadsafe(printer, 'call_soon_threadsafe')

# Make sure we stop after a second
loop.call_later(1, loop.stop)
loop.run_forever()
print('Stopped at %.1f' % (time.time() - t))
loop.close()
