# set_exception() given an exception class stores an instance of it.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.set_exception(ValueError)
    exc = fut.exception()
    print("is the class:", exc is ValueError)
    print("is an instance:", isinstance(exc, ValueError), type(exc).__name__, repr(str(exc)))
    other = loop.create_future()
    loop.call_soon(other.set_exception, KeyError)
    try:
        await other
    except KeyError as e:
        print("await raises an instance:", type(e).__name__, e is other.exception())


asyncio.run(main())
