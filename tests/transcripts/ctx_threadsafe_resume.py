# A task that waits for something from outside the loop (here a thread that
# finishes a future with call_soon_threadsafe; in the Deno version a host
# promise) reads its own context after the await.
import asyncio
import contextvars
import threading
import time

request = contextvars.ContextVar('request', default='none')


async def handler(name, delay):
    request.set(name)
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def worker():
        time.sleep(delay)
        loop.call_soon_threadsafe(fut.set_result, f'reply for {name}')

    threading.Thread(target=worker).start()
    reply = await fut
    print(reply, 'read in context', request.get())
    await asyncio.sleep(0)
    print(name, 'still reads', request.get())


async def main():
    request.set('main')
    await asyncio.gather(handler('r1', 0.02), handler('r2', 0.01))
    print('main reads', request.get())


asyncio.run(main())
