# Self-rescheduling callbacks take turns: one step each per iteration.
import asyncio

loop = asyncio.new_event_loop()


def chain(name, i, n):
    print(name, i)
    if i + 1 < n:
        loop.call_soon(chain, name, i + 1, n)


def fan_out():
    print('fan-out schedules x, y')
    loop.call_soon(print, 'x')
    loop.call_soon(print, 'y')


loop.call_soon(chain, 'A', 0, 3)
loop.call_soon(chain, 'B', 0, 2)
loop.call_soon(fan_out)
loop.call_soon(chain, 'C', 0, 3)
loop.call_later(0.1, loop.stop)
loop.run_forever()
loop.close()
