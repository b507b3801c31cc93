# (CPython 3.13) create_connection over every address of a null host (::1,
# then 127.0.0.1 here), none listening: "Multiple exceptions: ...", the same
# with happy eyeballs, an ExceptionGroup with all_errors (3.12+), and the
# single error when one address is tried.
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    for label, kwargs in [
        ("in turn", {}),
        ("happy eyeballs", {"happy_eyeballs_delay": 0.25}),
        ("AF_INET only", {"family": socket.AF_INET}),
    ]:
        try:
            await loop.create_connection(asyncio.Protocol, None, port, **kwargs)
        except OSError as e:
            print(label, type(e).__name__, e.errno)
            print("  str:", str(e).replace(str(port), "PORT"))
    try:
        await loop.create_connection(asyncio.Protocol, None, port, all_errors=True)
    except ExceptionGroup as eg:
        print("all_errors:", str(eg))
        for e in eg.exceptions:
            print(" ", type(e).__name__, str(e).replace(str(port), "PORT"))
    try:
        await loop.create_connection(asyncio.Protocol)
    except ValueError as e:
        print("no host:", e)


asyncio.run(main())
