# A callback runs in a copy of the context it was scheduled in, made when it
# was scheduled; with context=, in that context, where what it sets stays.
import asyncio
import contextvars

var = contextvars.ContextVar('var', default='unset')


def show(label):
    print(label, 'sees', var.get())


def set_it(value):
    var.set(value)
    print('set', value)


async def main():
    loop = asyncio.get_running_loop()
    var.set('before')
    loop.call_soon(show, 'soon')
    var.set('after')
    loop.call_soon(set_it, 'in callback')
    loop.call_soon(show, 'next callback')
    ctx = contextvars.copy_context()
    ctx.run(var.set, 'ctx')
    loop.call_soon(show, 'soon in ctx', context=ctx)
    loop.call_soon(set_it, 'callback in ctx', context=ctx)
    loop.call_later(0.01, show, 'later in ctx', context=ctx)
    loop.call_at(loop.time() + 0.02, show, 'at', context=contextvars.Context())
    loop.call_soon_threadsafe(show, 'threadsafe in ctx', context=ctx)
    await asyncio.sleep(0.05)
    print('ctx holds', ctx[var], 'main holds', var.get())


asyncio.run(main())
