# (CPython 3.12) gather wraps each coroutine in a task (a copy of the context each);
# wait_for and timeout run the coroutine in the caller's own task (3.12+;
# 3.11 made a task for wait_for), so what it sets is the caller's.
import asyncio
import contextvars

step = contextvars.ContextVar('step', default='start')


async def set_step(value):
    step.set(value)
    await asyncio.sleep(0)
    return step.get()


async def main():
    print('gather:', await asyncio.gather(set_step('g1'), set_step('g2')), 'main:', step.get())
    print('wait_for:', await asyncio.wait_for(set_step('w'), 1), 'main:', step.get())
    async with asyncio.timeout(1):
        print('in timeout:', await set_step('t'), 'main:', step.get())
    print('shield:', await asyncio.shield(set_step('s')), 'main:', step.get())


asyncio.run(main())
