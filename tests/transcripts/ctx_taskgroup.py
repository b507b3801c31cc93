# TaskGroup children copy the context of the block that creates them, or
# run in the context given to create_task(context=).
import asyncio
import contextvars

user = contextvars.ContextVar('user', default='anonymous')


async def job(n):
    print('job', n, 'sees', user.get())
    user.set(f'job-{n}')
    await asyncio.sleep(0.01 * n)
    print('job', n, 'ends with', user.get())


async def main():
    user.set('alice')
    shared = contextvars.copy_context()
    async with asyncio.TaskGroup() as tg:
        tg.create_task(job(1))
        user.set('bob')
        tg.create_task(job(2))
        tg.create_task(job(3), context=shared)
    print('main has', user.get(), 'shared has', shared[user])


asyncio.run(main())
