# A task runs in a copy of the context it was created in: it sees what was
# set before, not what its parent sets afterwards, and what it sets is seen
# by neither its parent nor its siblings.
import asyncio
import contextvars

request = contextvars.ContextVar('request', default='none')


async def child(name):
    print(name, 'starts with', request.get())
    request.set(name)
    await asyncio.sleep(0)
    print(name, 'after a step still has', request.get())
    return request.get()


async def main():
    print('main starts with', request.get())
    request.set('main-1')
    a = asyncio.create_task(child('a'))
    request.set('main-2')
    b = asyncio.create_task(child('b'))
    print('results', await a, await b)
    print('main still has', request.get())


request.set('top')
asyncio.run(main())
print('top level still has', request.get())
