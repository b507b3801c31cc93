# Done callbacks are scheduled with call_soon, in registration order, never
# called inside set_result; on a done future, add_done_callback schedules.
import asyncio

loop = asyncio.new_event_loop()
fut = loop.create_future()


def one(f):
    print('one got', f.result())


def two(f):
    print('two got', f.result())


def three(f):
    print('three (removed: never printed)')


def late(f):
    print('late got', f.result())


def setter():
    print('set_result')
    fut.set_result(7)
    print('after set_result, done:', fut.done())
    loop.call_soon(print, 'soon after set_result')


fut.add_done_callback(one)
fut.add_done_callback(three)
fut.add_done_callback(two)
fut.add_done_callback(three)
print('removed', fut.remove_done_callback(three))
loop.call_soon(setter)
loop.call_soon(print, 'queued before set_result ran')
loop.call_later(0.1, fut.add_done_callback, late)
loop.call_later(0.1, print, 'queued after add_done_callback')
loop.call_later(0.2, loop.stop)
loop.run_forever()
loop.close()
