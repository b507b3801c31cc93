# wrap_future: a loop future that follows a concurrent.futures.Future set
# from elsewhere (a timer here); cancelling the loop future cancels the
# concurrent one; wrapping an asyncio future gives it back.
import asyncio
import concurrent.futures


async def main():
    loop = asyncio.get_running_loop()
    source = concurrent.futures.Future()
    wrapped = asyncio.wrap_future(source)
    loop.call_later(0.01, source.set_result, "from elsewhere")
    print("wrapped:", await wrapped, "| source done:", source.done())

    failing = concurrent.futures.Future()
    loop.call_later(0.01, failing.set_exception, RuntimeError("bad"))
    try:
        await asyncio.wrap_future(failing)
    except RuntimeError as e:
        print("failed:", type(e).__name__, e)

    pending = concurrent.futures.Future()
    w = asyncio.wrap_future(pending)
    w.cancel()
    await asyncio.sleep(0)
    print("cancel passes on:", pending.cancelled())

    other = concurrent.futures.Future()
    w = asyncio.wrap_future(other)
    other.cancel()
    try:
        await w
    except asyncio.CancelledError:
        print("cancel comes back:", w.cancelled())

    fut = loop.create_future()
    print("a loop future is its own wrap:", asyncio.wrap_future(fut) is fut)
    fut.cancel()


asyncio.run(main())
