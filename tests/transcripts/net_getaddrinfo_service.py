# Ports given as service names (/etc/services, per protocol) or as text,
# read as glibc reads them.
import asyncio
import socket


def row(r):
    family, type_, proto, canonname, sockaddr = r
    return (int(family), int(type_), proto, canonname, sockaddr)


async def main():
    loop = asyncio.get_running_loop()
    for port, kwargs in [
        ("http", {}),
        ("http", {"type": socket.SOCK_STREAM}),
        ("domain", {}),
        ("www", {}),
        ("8080", {"type": socket.SOCK_STREAM}),
        (" 80", {"type": socket.SOCK_STREAM}),
        (70000, {"type": socket.SOCK_STREAM}),
        (None, {}),
        ("http", {"type": socket.SOCK_DGRAM}),
        ("http", {"flags": socket.AI_NUMERICSERV}),
        ("no-such-service", {}),
        ("HTTP", {}),
        (80, {"type": socket.SOCK_RAW}),
    ]:
        try:
            rows = [row(r) for r in await loop.getaddrinfo("127.0.0.1", port, **kwargs)]
            print(repr(port), {k: int(v) for k, v in kwargs.items()}, rows)
        except socket.gaierror as e:
            print(repr(port), {k: int(v) for k, v in kwargs.items()}, type(e).__name__, e.errno, e)


asyncio.run(main())
