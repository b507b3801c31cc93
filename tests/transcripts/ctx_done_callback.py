# A done callback runs in a copy of the context it was added in (or the one
# given with context=), not in the context of whoever finishes the future.
import asyncio
import contextvars

trace = contextvars.ContextVar('trace', default='-')


def report(fut):
    print('callback for', fut.result(), 'sees', trace.get())


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    trace.set('adder')
    fut.add_done_callback(report)
    ctx = contextvars.Context()
    ctx.run(trace.set, 'given')
    fut.add_done_callback(report, context=ctx)
    trace.set('changed later')

    async def finisher():
        trace.set('finisher')
        fut.set_result('x')

    await asyncio.create_task(finisher())
    await asyncio.sleep(0)
    done = loop.create_future()
    done.set_result('y')
    done.add_done_callback(report)
    await asyncio.sleep(0)


asyncio.run(main())
