# Handle, TimerHandle, Future and Task reprs show their arguments and results
# as reprlib.repr does (asyncio's format_helpers), and so does the
# "Exception in callback" message.
import asyncio
import re


class Point:
    def __repr__(self):
        return 'Point(1, 2)'


def plain(r):
    # The deadline is the clock's; the task's coro= names where the
    # coroutine is defined (ours names only the function): print neither.
    r = re.sub(r'when=[0-9.]+', 'when=T', r)
    return re.sub(r' coro=<\w+\(\) [^>]*>', '', r)


def handler(loop, context):
    # CPython appends " at FILE:LINE" (where the callback was defined).
    print('handler:', context['message'].split(' at /')[0])


def boom(*args):
    raise RuntimeError('boom')


async def work(x):
    return x


async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(handler)
    cases = [
        ([1, 2], 'x'),
        ({'b': 1, 'a': [None, True]},),
        (None, False, True, 1.5, -3, 0.1 + 0.2, float('inf'), float('nan')),
        ([[1, [2, [3]]], []],),
        ([[[[[[[1]]]]]]],),
        ("it's", 'say "hi"', 'tab\there\n', 'both \' and "'),
        ('a' * 50,),
        (list(range(10)),),
        ({'k%d' % i: i for i in range(6)},),
        ({3, 1, 2}, set()),
        (b'ab\x00\'', b'x' * 40),
        (RuntimeError('bad'), Point()),
        (2 ** 150,),
    ]
    for args in cases:
        h = loop.call_soon(print, *args)
        print(plain(repr(h)))
        h.cancel()
    t = loop.call_later(10, print, [1, 2], {'a': None})
    print(plain(repr(t)))
    t.cancel()

    for result in [[1, {'a': None}], None, 'x' * 40, {'nested': [[1], {}]}]:
        f = loop.create_future()
        f.set_result(result)
        print(repr(f))
    f = loop.create_future()
    f.set_exception(RuntimeError('bad'))
    print(repr(f))
    f.exception()

    t = asyncio.create_task(work([1, {'a': False}]), name='w')
    await t
    print(plain(repr(t)))
    t = asyncio.create_task(work(None), name='n')
    await t
    print(plain(repr(t)))

    loop.call_soon(boom, [1, 2], {'a': None}, None, True, 'x')
    loop.call_later(0.01, boom, [[1]], b'\n')
    await asyncio.sleep(0.1)


asyncio.run(main())
