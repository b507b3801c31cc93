# TimeoutError is an OSError: asyncio's timeouts raise it without a number
# (caught by `except OSError`), the OS's ETIMEDOUT is one with errno 110.
import asyncio
import errno
import os


def show(label, e):
    code = errno.errorcode.get(e.errno)
    print(label, type(e).__name__, e.errno, code, e.strerror, isinstance(e, OSError))
    print("  str:", e)


async def main():
    print("subclass:", issubclass(TimeoutError, OSError))
    try:
        await asyncio.wait_for(asyncio.sleep(1), 0.01)
    except OSError as e:
        show("wait_for", e)
    try:
        async with asyncio.timeout(0.01):
            await asyncio.sleep(1)
    except OSError as e:
        show("timeout", e)
    show("OSError(110)", OSError(110, os.strerror(110)))
    show("TimeoutError()", TimeoutError())
    show("TimeoutError('late')", TimeoutError("late"))


asyncio.run(main())
