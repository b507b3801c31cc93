# Future states and the errors of a wrong-state call. The futures are
# CPython's pure-Python Future (asyncio/futures.py), whose messages we copy;
# the C accelerator says "Result is not set." and "invalid state" instead.
import asyncio
from asyncio.futures import _PyFuture

loop = asyncio.new_event_loop()


def attempt(what, fn):
    try:
        print(what, '->', fn())
    except asyncio.InvalidStateError as e:
        print(what, '-> InvalidStateError:', e)
    except asyncio.CancelledError as e:
        print(what, '-> CancelledError:', e)
    except ValueError as e:
        print(what, '-> ValueError:', e)


f = _PyFuture(loop=loop)
print('pending: done', f.done(), 'cancelled', f.cancelled(), 'loop ok', f.get_loop() is loop)
attempt('result()', f.result)
attempt('exception()', f.exception)
f.set_result(1)
print('finished: done', f.done(), 'cancelled', f.cancelled())
attempt('result()', f.result)
attempt('exception()', f.exception)
attempt('set_result(2)', lambda: f.set_result(2))
attempt('set_exception()', lambda: f.set_exception(ValueError('late')))
attempt('cancel()', f.cancel)

g = _PyFuture(loop=loop)
g.set_exception(ValueError('bad'))
attempt('exception()', lambda: type(g.exception()).__name__ + ': ' + str(g.exception()))
attempt('result()', g.result)

c = _PyFuture(loop=loop)
attempt('cancel("why")', lambda: c.cancel('why'))
attempt('cancel() again', c.cancel)
print('cancelled: done', c.done(), 'cancelled', c.cancelled())
attempt('result()', c.result)
attempt('exception()', c.exception)
attempt('set_result(3)', lambda: c.set_result(3))
loop.close()
