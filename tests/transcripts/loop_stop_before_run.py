# stop() before run_forever(): the run does exactly one iteration.
import asyncio

loop = asyncio.new_event_loop()


def first():
    print('first schedules second')
    loop.call_soon(print, 'second')


loop.call_soon(first)
loop.call_later(0.1, print, 'timer 0.1')
loop.stop()
loop.run_forever()
print('one iteration done')
loop.call_later(0.2, loop.stop)
loop.run_forever()
print('done')
loop.close()
