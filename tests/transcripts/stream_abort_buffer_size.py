# abort() drops everything buffered: the write buffer's size is 0 at once,
# and the peer sees the connection end.
import asyncio


async def main():
    got = asyncio.get_running_loop().create_future()

    async def handler(reader, writer):
        data = await reader.read()
        got.set_result(len(data) < 64 * 2**20)
        writer.close()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"x" * (64 * 2**20))
    print("buffered:", writer.transport.get_write_buffer_size() > 0)
    writer.transport.abort()
    print("after abort:", writer.transport.get_write_buffer_size())
    print("closing:", writer.is_closing())
    print("peer got less than all:", await got)
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


asyncio.run(main())
