# to_thread runs its function in a copy of the caller's context;
# run_in_executor does not (the function sees the worker's own context).
import asyncio
import contextvars

request = contextvars.ContextVar('request', default='no request')


def who(tag):
    seen = request.get()
    request.set('changed in thread')
    return f'{tag} saw {seen}'


async def main():
    request.set('req-42')
    print('to_thread:', await asyncio.to_thread(who, 'a'))
    loop = asyncio.get_running_loop()
    print('run_in_executor:', await loop.run_in_executor(None, who, 'b'))
    print('main still has', request.get())


asyncio.run(main())
