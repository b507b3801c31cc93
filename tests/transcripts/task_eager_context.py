# (CPython 3.12) An eager task runs its first step in its own copy of the
# creator's context, even though that step runs inside create_task: what it
# sets there is not the creator's.
import asyncio
import contextvars

var = contextvars.ContextVar('var', default='default')


async def child(name, fut=None):
    print(name, 'sees', var.get())
    var.set(name)
    if fut is not None:
        await fut
        print(name, 'after await still has', var.get())
    return var.get()


async def main():
    loop = asyncio.get_running_loop()
    loop.set_task_factory(asyncio.eager_task_factory)
    var.set('parent')
    t = asyncio.create_task(child('eager-a'))
    print('parent after eager-a:', var.get(), 'result', t.result())
    ctx = contextvars.copy_context()
    u = asyncio.create_task(child('eager-ctx'), context=ctx)
    print('given context holds', ctx[var], 'parent', var.get())
    fut = loop.create_future()
    w = asyncio.create_task(child('eager-w', fut))
    var.set('parent-2')
    fut.set_result(None)
    print('w result', await w, 'parent', var.get())


asyncio.run(main())
