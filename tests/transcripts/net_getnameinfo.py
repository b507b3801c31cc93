# loop.getnameinfo: names from /etc/hosts and /etc/services unless
# NI_NUMERICHOST / NI_NUMERICSERV; an address without a name stays numeric
# unless NI_NAMEREQD; the host must be numeric.
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    cases = [
        (("127.0.0.1", 80), 0),
        (("127.0.0.1", 80), socket.NI_NUMERICHOST),
        (("127.0.0.1", 80), socket.NI_NUMERICSERV),
        (("127.0.0.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV),
        (("127.0.0.1", 53), socket.NI_DGRAM),
        (("127.0.0.1", 9999), 0),
        (("127.0.0.2", 22), 0),
        (("127.0.0.2", 22), socket.NI_NAMEREQD),
        (("::1", 443, 0, 0), socket.NI_NUMERICHOST),
        (("fe80::1", 80, 0, 99), socket.NI_NUMERICHOST),
        (("localhost", 80), 0),
        (("127.0.0.1", 80, 0, 0), 0),
    ]
    for sockaddr, flags in cases:
        try:
            print(sockaddr, flags, await loop.getnameinfo(sockaddr, flags))
        except OSError as e:
            print(sockaddr, flags, type(e).__name__, e.errno, e)


asyncio.run(main())
