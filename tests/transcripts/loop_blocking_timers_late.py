# A blocking callback delays everything; time runs on while it blocks, so
# the timers that fell due run late, but in deadline order.
import asyncio
import time

loop = asyncio.new_event_loop()
t0 = loop.time()


def show(name):
    print('%s at %.1f' % (name, loop.time() - t0))


def blocker():
    show('blocker starts')
    time.sleep(0.5)
    show('blocker ends')


loop.call_soon(blocker)
loop.call_later(0.1, show, 'timer 0.1')
loop.call_later(0.3, show, 'timer 0.3')
loop.call_later(0.2, show, 'timer 0.2')
loop.call_later(0.7, show, 'timer 0.7')
loop.call_later(0.8, loop.stop)
loop.run_forever()
loop.close()
