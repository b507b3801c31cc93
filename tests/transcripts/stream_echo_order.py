# A TCP exchange with half-close: what the server and the client each see,
# in order (each side's log is printed separately: across the two the order
# depends on the network).
import asyncio


async def main():
    server_log, client_log = [], []
    handled = asyncio.get_running_loop().create_future()

    async def handle(reader, writer):
        server_log.append("connected")
        data = await reader.readline()
        server_log.append(f"got {data!r}")
        writer.write(data.upper())
        await writer.drain()
        data = await reader.read()
        server_log.append(f"eof after {data!r}, at_eof={reader.at_eof()}")
        writer.write(b"bye")
        writer.close()
        await writer.wait_closed()
        server_log.append(f"closed, is_closing={writer.is_closing()}")
        handled.set_result(None)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    client_log.append(f"peer port matches: {writer.get_extra_info('peername')[1] == port}")
    writer.write(b"hello\n")
    client_log.append(f"got {await reader.readline()!r}")
    writer.writelines([b"one ", b"two"])
    client_log.append(f"can_write_eof={writer.can_write_eof()}")
    writer.write_eof()
    client_log.append(f"read {await reader.read()!r}")
    client_log.append(f"read again {await reader.read()!r}")
    writer.close()
    await writer.wait_closed()
    await handled
    server.close()
    await server.wait_closed()
    print("server:", *server_log, sep="\n  ")
    print("client:", *client_log, sep="\n  ")


asyncio.run(main())
