# A name that does not resolve, met by open_connection and create_connection:
# socket.gaierror, an OSError with errno -2.
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    try:
        await asyncio.open_connection("no-such-host.invalid", 80)
    except OSError as e:
        print("open_connection:", type(e).__name__, e.errno, e.strerror)
        print("  str:", e, "| gaierror:", isinstance(e, socket.gaierror))
    try:
        await loop.create_connection(asyncio.Protocol, "localhost", 80, family=socket.AF_INET6)
    except OSError as e:
        print("AF_INET6 localhost:", type(e).__name__, e.errno, e)
    try:
        await asyncio.start_server(lambda r, w: None, "no-such-host.invalid", 0)
    except OSError as e:
        print("start_server:", type(e).__name__, e.errno, e)


asyncio.run(main())
