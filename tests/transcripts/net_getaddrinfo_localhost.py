# loop.getaddrinfo("localhost", ...): /etc/hosts answers (127.0.0.1 only on
# this machine); no type gives glibc's STREAM, DGRAM and RAW rows; a type or
# proto picks one; AI_CANONNAME fills the first row only.
import asyncio
import socket


def row(r):
    family, type_, proto, canonname, sockaddr = r
    return (int(family), int(type_), proto, canonname, sockaddr)


async def main():
    loop = asyncio.get_running_loop()
    for label, kwargs in [
        ("no hints", {}),
        ("SOCK_STREAM", {"type": socket.SOCK_STREAM}),
        ("IPPROTO_UDP", {"proto": socket.IPPROTO_UDP}),
        ("AI_CANONNAME", {"flags": socket.AI_CANONNAME}),
        ("AF_INET", {"family": socket.AF_INET, "type": socket.SOCK_DGRAM}),
    ]:
        print(label)
        for r in await loop.getaddrinfo("localhost", 8080, **kwargs):
            print(" ", row(r))
    try:
        await loop.getaddrinfo("localhost", 8080, family=socket.AF_INET6)
    except socket.gaierror as e:
        print("AF_INET6:", type(e).__name__, e.errno, e)


asyncio.run(main())
