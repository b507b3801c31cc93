# A protocol whose data_received raises: the loop's exception handler is
# told, that connection is closed and connection_lost gets the error; the
# server goes on serving the next client (the server's log is printed
# last: across the two sides the order depends on the network).
import asyncio

SERVER_LOG = []


class Fragile(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        if data == b"boom":
            raise RuntimeError("cannot digest")
        self.transport.write(b"ok " + data)

    def connection_lost(self, exc):
        if exc is not None:  # a clean close may come after wait_closed() in 3.11
            SERVER_LOG.append(f"connection_lost {type(exc).__name__}: {exc}")


class Client(asyncio.Protocol):
    def __init__(self):
        self.got = b""
        self.lost = asyncio.get_running_loop().create_future()

    def data_received(self, data):
        self.got += data

    def connection_lost(self, exc):
        self.lost.set_result(exc)


async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(
        lambda loop, ctx: print(
            f"handler: {ctx['message']} {type(ctx['exception']).__name__}: {ctx['exception']}"
            f" protocol={type(ctx['protocol']).__name__}"
        )
    )
    server = await loop.create_server(Fragile, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    for message in (b"boom", b"fine"):
        transport, client = await loop.create_connection(Client, "127.0.0.1", port)
        transport.write(message)
        if message == b"fine":
            while not client.got:
                await asyncio.sleep(0.01)
            transport.close()
        print(f"client got {client.got!r}, lost {await client.lost}")
    print("serving:", server.is_serving())
    server.close()
    await server.wait_closed()
    print("server:", *SERVER_LOG, sep="\n  ")


asyncio.run(main())
