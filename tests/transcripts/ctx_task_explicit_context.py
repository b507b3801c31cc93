# (CPython 3.12) create_task(context=ctx) runs the task in ctx itself: what
# it sets is in ctx afterwards, and tasks sharing ctx see each other's
# values. Task.get_context() and Handle.get_context() return the context.
import asyncio
import contextvars

counter = contextvars.ContextVar('counter', default=0)


async def bump(name):
    counter.set(counter.get() + 1)
    await asyncio.sleep(0)
    print(name, 'sees', counter.get())


async def main():
    loop = asyncio.get_running_loop()
    ctx = contextvars.Context()
    t1 = asyncio.create_task(bump('t1'), context=ctx)
    t2 = loop.create_task(bump('t2'), context=ctx)
    print('get_context is ctx:', t1.get_context() is ctx, t2.get_context() is ctx)
    t3 = asyncio.create_task(bump('t3'))
    print('own context is not ctx:', t3.get_context() is not ctx)
    await asyncio.gather(t1, t2, t3)
    print('ctx counter', ctx[counter], 'main counter', counter.get())
    h = loop.call_soon(print, 'handle ran', context=ctx)
    print('handle context is ctx:', h.get_context() is ctx)
    await asyncio.sleep(0)


asyncio.run(main())
