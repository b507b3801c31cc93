# What a timer callback schedules: its call_soon runs in the next
# iteration, a call_later(0) after that call_soon, a call_later(0.1) later.
import asyncio

loop = asyncio.new_event_loop()
t0 = loop.time()


def show(name):
    print('%s at %.1f' % (name, loop.time() - t0))


def timer():
    show('timer')
    loop.call_later(0.1, show, 'its call_later(0.1)')
    loop.call_later(0, show, 'its call_later(0)')
    loop.call_soon(show, 'its call_soon')


def chain(i):
    show('chain %d' % i)
    if i < 2:
        loop.call_soon(chain, i + 1)


loop.call_at(t0 + 0.1, timer)
loop.call_at(t0 + 0.1, chain, 0)
loop.call_later(0.3, loop.stop)
loop.run_forever()
loop.close()
