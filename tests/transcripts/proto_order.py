# The order of a protocol's callbacks on each side of a TCP exchange with a
# half-close (each side's log separately: across the two the order depends
# on the network; consecutive data_received calls are joined, since TCP may
# split the bytes).
import asyncio


class Logger(asyncio.Protocol):
    def __init__(self, log, reply=None):
        self.log, self.reply = log, reply
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport
        self.log.append("connection_made")

    def data_received(self, data):
        if self.log[-1].startswith("data_received"):
            self.log[-1] = self.log[-1][:-1] + data.decode() + "'"
        else:
            self.log.append(f"data_received '{data.decode()}'")
        if self.reply:
            self.transport.write(data.upper())

    def eof_received(self):
        self.log.append("eof_received")

    def connection_lost(self, exc):
        self.log.append(f"connection_lost {exc}")
        self.lost.set_result(None)


async def main():
    loop = asyncio.get_running_loop()
    server_log, client_log = [], []
    servers = []

    def factory():
        servers.append(Logger(server_log, reply=True))
        return servers[-1]

    server = await loop.create_server(factory, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport, client = await loop.create_connection(lambda: Logger(client_log), "127.0.0.1", port)
    client_log.append("create_connection returned")
    transport.write(b"hello ")
    transport.write(b"world")
    transport.write_eof()
    await client.lost
    await servers[0].lost
    server.close()
    await server.wait_closed()
    print("server:", *server_log, sep="\n  ")
    print("client:", *client_log, sep="\n  ")


asyncio.run(main())
