# Timers run in deadline order, whatever order they were scheduled in;
# two timers with the same deadline run in the order they were scheduled
# (CPython keeps that order for two; for three or more its heap may not).
import asyncio

loop = asyncio.new_event_loop()
t0 = loop.time()


def show(name):
    print('%s at %.1f' % (name, loop.time() - t0))


loop.call_later(0.4, show, 'later 0.4')
loop.call_later(0.1, show, 'later 0.1')
loop.call_at(t0 + 0.3, show, 'at 0.3')
loop.call_at(t0 + 0.2, show, 'at 0.2 first')
loop.call_at(t0 + 0.2, show, 'at 0.2 second')
loop.call_later(0.2, show, 'later 0.2')
loop.call_soon(show, 'soon')
loop.call_later(0.5, loop.stop)
loop.run_forever()
show('stopped')
loop.close()
