# run_until_complete: a future, a coroutine, a done future, a failure, and
# a run that stop() ends before the future completes.
import asyncio

loop = asyncio.new_event_loop()
t0 = loop.time()

fut = loop.create_future()
loop.call_later(0.1, fut.set_result, 42)
print('result', loop.run_until_complete(fut), 'at %.1f' % (loop.time() - t0))


async def main():
    await asyncio.sleep(0.1)
    return 'main done'

print(loop.run_until_complete(main()), 'at %.1f' % (loop.time() - t0))

ready = loop.create_future()
ready.set_result('ready')
print(loop.run_until_complete(ready))

failing = loop.create_future()
loop.call_soon(failing.set_exception, ValueError('bad'))
try:
    loop.run_until_complete(failing)
except ValueError as e:
    print('ValueError:', e)

never = loop.create_future()
loop.call_later(0.1, loop.stop)
try:
    loop.run_until_complete(never)
except RuntimeError as e:
    print('RuntimeError:', e, 'at %.1f' % (loop.time() - t0))
print('never done:', never.done())
loop.close()
