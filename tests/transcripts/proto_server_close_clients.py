# (CPython 3.13) server.close() leaves connected clients alone; close_clients()
# closes them after their buffered data, abort_clients() at once; wait_closed()
# returns once every connection is gone.
import asyncio


class Client(asyncio.Protocol):
    def __init__(self, name, log):
        self.name, self.log = name, log
        self.lost = asyncio.get_running_loop().create_future()

    def data_received(self, data):
        self.log.append(f"{self.name} got {data.decode()}")

    def eof_received(self):
        self.log.append(f"{self.name} eof")

    def connection_lost(self, exc):
        self.log.append(f"{self.name} lost {type(exc).__name__ if exc else None}")
        self.lost.set_result(None)


class Greeter(asyncio.Protocol):
    def connection_made(self, transport):
        transport.write(b"hi")


async def main():
    loop = asyncio.get_running_loop()
    log = []
    server = await loop.create_server(Greeter, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    clients = []
    for name in ("a", "b"):
        _, c = await loop.create_connection(lambda: Client(name, log), "127.0.0.1", port)
        clients.append(c)
        while not any(line.startswith(f"{name} got") for line in log):
            await asyncio.sleep(0.01)
    server.close()
    print("serving after close:", server.is_serving())
    waiting = asyncio.ensure_future(server.wait_closed())
    await asyncio.sleep(0.05)
    print("wait_closed done with clients connected:", waiting.done())
    server.close_clients()
    await clients[0].lost
    await clients[1].lost
    await waiting
    print("wait_closed done:", waiting.done())
    print(*sorted(log), sep="\n")


asyncio.run(main())
