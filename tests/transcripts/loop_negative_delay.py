# A negative delay or a past deadline means "due now": such timers run
# after the ready queue, in deadline order.
import asyncio

loop = asyncio.new_event_loop()
now = loop.time()
loop.call_later(0, print, 'later 0')
loop.call_later(-1, print, 'later -1')
loop.call_at(now - 5, print, 'at now-5')
loop.call_soon(print, 'soon')
loop.call_later(0.1, loop.stop)
loop.run_forever()
loop.close()
