# A timer that falls due joins the ready queue behind what is already
# there: here behind the callback that the blocking callback scheduled.
import asyncio
import time

loop = asyncio.new_event_loop()
t0 = loop.time()


def show(name):
    print('%s at %.1f' % (name, loop.time() - t0))


def blocker():
    show('blocker starts')
    time.sleep(0.2)
    loop.call_soon(show, 'soon from blocker')
    show('blocker ends')


loop.call_later(0.1, show, 'timer 0.1')
loop.call_soon(blocker)
loop.call_soon(show, 'soon')
loop.call_later(0.3, loop.stop)
loop.run_forever()
loop.close()
