# An exception in a callback goes to the exception handler with a context
# (message, exception, handle); the loop goes on.
import asyncio

loop = asyncio.new_event_loop()


def handler(loop, context):
    # CPython appends " at FILE:LINE" (where the callback was defined).
    message = context['message'].split(' at /')[0]
    exc = context['exception']
    print('handler:', message, '|', type(exc).__name__ + ':', exc, '|', sorted(context))


def boom(n):
    raise ValueError('boom %d' % n)


loop.set_exception_handler(handler)
print('handler set:', loop.get_exception_handler() is handler)
loop.call_soon(boom, 1)
loop.call_soon(print, 'after boom 1')
loop.call_later(0.1, boom, 2)
loop.call_later(0.1, print, 'after boom 2')
loop.call_later(0.2, loop.stop)
loop.run_forever()
loop.call_exception_handler({'message': 'by hand', 'exception': KeyError('k')})
loop.close()
