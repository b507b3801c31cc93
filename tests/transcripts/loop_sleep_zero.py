# A task's first step is scheduled with call_soon; sleep(0) gives the loop
# exactly one iteration, so tasks and callbacks take turns.
import asyncio

loop = asyncio.new_event_loop()


async def worker(name):
    for i in range(3):
        print(name, i)
        await asyncio.sleep(0)
    print(name, 'done')


def ticker(i):
    print('tick', i)
    if i < 3:
        loop.call_soon(ticker, i + 1)


loop.create_task(worker('A'))
print('task created, not started')
loop.call_soon(ticker, 0)
loop.create_task(worker('B'))
loop.call_later(0.1, loop.stop)
loop.run_forever()
loop.close()
