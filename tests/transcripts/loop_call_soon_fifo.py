# call_soon runs FIFO; what a callback schedules waits for the next
# iteration, behind what is already queued; stop() ends the run after the
# current iteration.
import asyncio

loop = asyncio.new_event_loop()


def cb(name, *args):
    print(name, *args)


def d():
    print('d schedules e')
    loop.call_soon(cb, 'e')


loop.call_soon(cb, 'a', 1)
loop.call_soon(cb, 'b', 2, 3)
loop.call_soon_threadsafe(cb, 'c')
loop.call_soon(d)
loop.call_soon(loop.stop)
loop.call_soon(cb, 'f runs: stop() lets the iteration finish')
loop.run_forever()
print('stopped')
loop.call_soon(cb, 'g')
loop.call_soon(loop.stop)
loop.run_forever()
print('stopped again')
loop.close()
