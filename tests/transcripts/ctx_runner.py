# asyncio.Runner runs every main task in one copy of the context it was
# made in, so what one run sets the next run sees; run(context=) picks
# another; asyncio.run starts from a copy of the top level each time.
import asyncio
import contextvars

seen = contextvars.ContextVar('seen', default='nothing')


async def remember(value):
    before = seen.get()
    seen.set(value)
    return f'saw {before}, set {value}'


seen.set('top')
with asyncio.Runner() as runner:
    print(runner.run(remember('first')))
    print(runner.run(remember('second')))
    other = contextvars.Context()
    print(runner.run(remember('third'), context=other))
    print(runner.run(remember('fourth')))
print(asyncio.run(remember('fifth')))
print(asyncio.run(remember('sixth')))
print('top level:', seen.get())
