# (CPython 3.13) create_connection tries the next address when one fails:
# a server on 127.0.0.1 only is reached from a null host (::1 refused
# first), in turn or staggered; a server on "::" (both families) is reached
# on the first address, ::1, and the addresses a name or a list of hosts
# give a server each get a listener.
import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    for label, kwargs in [
        ("in turn", {}),
        ("happy eyeballs", {"happy_eyeballs_delay": 0.25}),
        ("interleave 2", {"happy_eyeballs_delay": 0.25, "interleave": 2}),
    ]:
        transport, _ = await loop.create_connection(asyncio.Protocol, None, port, **kwargs)
        print(label, str(transport.get_extra_info("peername")).replace(str(port), "PORT"))
        transport.close()
    server.close()
    await server.wait_closed()

    server = await loop.create_server(asyncio.Protocol, "::", 0)
    port = server.sockets[0].getsockname()[1]
    transport, _ = await loop.create_connection(
        asyncio.Protocol, None, port, happy_eyeballs_delay=0.25)
    print("dual stack", str(transport.get_extra_info("peername")).replace(str(port), "PORT"))
    transport.close()
    server.close()
    await server.wait_closed()

    server = await loop.create_server(asyncio.Protocol, "localhost", 0)
    print("localhost:", [s.getsockname()[0] for s in server.sockets])
    server.close()
    server = await loop.create_server(asyncio.Protocol, ["127.0.0.1", "::1"], 0)
    print("list:", sorted(s.getsockname()[0] for s in server.sockets),
          len({s.getsockname()[1] for s in server.sockets}), "ports")
    server.close()
    await server.wait_closed()


asyncio.run(main())
