# A cancelled handle never runs, even when it is cancelled by a callback of
# the same iteration.
import asyncio

loop = asyncio.new_event_loop()


def canceller():
    print('canceller cancels h3 and t2')
    h3.cancel()
    t2.cancel()


h1 = loop.call_soon(print, 'h1 (cancelled: never printed)')
t1 = loop.call_later(0.1, print, 't1 (cancelled: never printed)')
h1.cancel()
t1.cancel()
loop.call_soon(canceller)
h3 = loop.call_soon(print, 'h3 (cancelled: never printed)')
t2 = loop.call_later(0.2, print, 't2 (cancelled: never printed)')
t3 = loop.call_later(0.1, print, 't3 runs')
print('cancelled:', h1.cancelled(), t1.cancelled(), h3.cancelled(), t3.cancelled())
loop.call_later(0.3, loop.stop)
loop.run_forever()
print('cancelled:', h3.cancelled(), t2.cancelled(), t3.cancelled())
loop.close()
