# Numeric hosts: 127.0.0.1 with and without a type, ::1 (4-item sockaddr),
# inet_aton's short forms, a scoped link-local address, an IPv4-mapped one.
import asyncio
import socket


def row(r):
    family, type_, proto, canonname, sockaddr = r
    return (int(family), int(type_), proto, canonname, sockaddr)


async def main():
    loop = asyncio.get_running_loop()
    for host, kwargs in [
        ("127.0.0.1", {}),
        ("127.0.0.1", {"type": socket.SOCK_STREAM}),
        ("::1", {}),
        ("::1", {"type": socket.SOCK_DGRAM}),
        ("127.1", {"type": socket.SOCK_STREAM, "flags": socket.AI_NUMERICHOST}),
        ("0x7f.0.0.1", {"type": socket.SOCK_STREAM}),
        ("fe80::1%5", {"type": socket.SOCK_STREAM}),
        ("::ffff:127.0.0.1", {"type": socket.SOCK_STREAM}),
        ("0:0:0:ab:0:0:0:1", {"type": socket.SOCK_STREAM}),
        ("127.0.0.1", {"family": socket.AF_INET6, "type": socket.SOCK_STREAM,
                       "flags": socket.AI_V4MAPPED}),
    ]:
        print(host, {k: int(v) for k, v in kwargs.items()})
        for r in await loop.getaddrinfo(host, 443, **kwargs):
            print(" ", row(r))


asyncio.run(main())
