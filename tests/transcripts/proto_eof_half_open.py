# eof_received returning True keeps the transport open: the server still
# writes after the client's EOF, then closes; returning a falsy value
# closes the transport at once.
import asyncio


class Server(asyncio.Protocol):
    def __init__(self, log, keep_open):
        self.log, self.keep_open = log, keep_open
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.log.append(f"got {data!r}")

    def eof_received(self):
        self.log.append(f"eof, returning {self.keep_open}")
        if self.keep_open:
            self.transport.write(b"late reply")
            self.log.append(f"wrote after eof, closing={self.transport.is_closing()}")
            asyncio.get_running_loop().call_soon(self.transport.close)
        return self.keep_open

    def connection_lost(self, exc):
        self.log.append(f"lost {exc}, closing={self.transport.is_closing()}")
        self.lost.set_result(None)


class Client(asyncio.Protocol):
    def __init__(self):
        self.got = b""
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        transport.write(b"question")
        transport.write_eof()

    def data_received(self, data):
        self.got += data

    def eof_received(self):
        self.got += b" <eof>"

    def connection_lost(self, exc):
        self.lost.set_result(exc)


async def main():
    loop = asyncio.get_running_loop()
    for keep_open in (True, None):
        log, made = [], []
        server = await loop.create_server(
            lambda: made.append(Server(log, keep_open)) or made[-1], "127.0.0.1", 0
        )
        port = server.sockets[0].getsockname()[1]
        _, client = await loop.create_connection(Client, "127.0.0.1", port)
        exc = await client.lost
        await made[0].lost
        server.close()
        await server.wait_closed()
        print(f"keep_open={keep_open}:", *log, sep="\n  ")
        print(f"  client got {client.got!r}, lost {exc}")


asyncio.run(main())
