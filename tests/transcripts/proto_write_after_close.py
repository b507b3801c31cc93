# After close(), is_closing() is true and write() drops its data without an
# error; the peer gets what was written before, then EOF; connection_lost
# gets None (each side's log separately: across the two the order depends
# on the network).
import asyncio

SERVER_LOG = []


class Closer(asyncio.Protocol):
    def connection_made(self, transport):
        SERVER_LOG.append(f"closing before: {transport.is_closing()}")
        transport.write(b"kept")
        transport.close()
        SERVER_LOG.append(f"closing after: {transport.is_closing()}")
        transport.write(b" dropped")
        SERVER_LOG.append(f"buffered <= 4: {transport.get_write_buffer_size() <= 4}")
        transport.close()
        self.lost = asyncio.get_running_loop().create_future()
        MADE.set_result(self)

    def connection_lost(self, exc):
        SERVER_LOG.append(f"connection_lost {exc}")
        self.lost.set_result(None)


class Client(asyncio.Protocol):
    def __init__(self):
        self.got = b""
        self.lost = asyncio.get_running_loop().create_future()

    def data_received(self, data):
        self.got += data

    def eof_received(self):
        print("client eof_received")

    def connection_lost(self, exc):
        self.lost.set_result(exc)


async def main():
    global MADE
    loop = asyncio.get_running_loop()
    MADE = loop.create_future()
    server = await loop.create_server(Closer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _, client = await loop.create_connection(Client, "127.0.0.1", port)
    print(f"client lost {await client.lost}, got {client.got!r}")
    await (await MADE).lost
    server.close()
    await server.wait_closed()
    print("server:", *SERVER_LOG, sep="\n  ")


asyncio.run(main())
