# getaddrinfo's failures as socket.gaierror (an OSError) with glibc's codes
# and texts; a name that does not resolve fails fast here (no network).
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    cases = [
        ("no such host", "no-such-host.invalid", 80, {}),
        ("empty host", "", 80, {}),
        ("trailing dot", "localhost.", 80, {}),
        ("AI_NUMERICHOST", "localhost", 80, {"flags": socket.AI_NUMERICHOST}),
        ("bad family", "127.0.0.1", 80, {"family": 99}),
        ("AF_UNIX", "127.0.0.1", 80, {"family": socket.AF_UNIX}),
        ("bad type", "127.0.0.1", 80, {"type": 4}),
        ("bad flags", "127.0.0.1", 80, {"flags": 0x8000}),
        ("v6 host, AF_INET", "::1", 80, {"family": socket.AF_INET}),
        ("v4 host, AF_INET6", "127.0.0.1", 80, {"family": socket.AF_INET6}),
        ("stream with udp", "127.0.0.1", 80, {"type": socket.SOCK_STREAM, "proto": 17}),
        ("bad scope", "fe80::1%nosuch", 80, {}),
    ]
    for label, host, port, kwargs in cases:
        try:
            await loop.getaddrinfo(host, port, **kwargs)
            print(label, "resolved")
        except socket.gaierror as e:
            print(label, type(e).__name__, e.errno, e.strerror, isinstance(e, OSError))
            print("  str:", e)


asyncio.run(main())
