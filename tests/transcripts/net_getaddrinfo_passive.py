# A null host: the loopback addresses, or with AI_PASSIVE the wildcard ones
# (what create_server binds to), in glibc's order; family filters them.
import asyncio
import socket


def row(r):
    family, type_, proto, canonname, sockaddr = r
    return (int(family), int(type_), proto, canonname, sockaddr)


async def main():
    loop = asyncio.get_running_loop()
    for label, kwargs in [
        ("null host", {"type": socket.SOCK_STREAM}),
        ("AI_PASSIVE", {"type": socket.SOCK_STREAM, "flags": socket.AI_PASSIVE}),
        ("AI_PASSIVE, no type", {"flags": socket.AI_PASSIVE}),
        ("AI_PASSIVE AF_INET6", {"family": socket.AF_INET6, "flags": socket.AI_PASSIVE,
                                 "type": socket.SOCK_STREAM}),
        ("AF_INET", {"family": socket.AF_INET, "type": socket.SOCK_STREAM}),
    ]:
        print(label)
        for r in await loop.getaddrinfo(None, 8000, **kwargs):
            print(" ", row(r))
    for label, port, flags in [("both null", None, 0), ("canonname", 80, socket.AI_CANONNAME)]:
        try:
            await loop.getaddrinfo(None, port, flags=flags)
        except socket.gaierror as e:
            print(label, type(e).__name__, e.errno, e)


asyncio.run(main())
