# create_unix_server / create_unix_connection: the client's peername is the
# path, its own (unnamed) end is ''; the server side sees the reverse; the
# socket file is removed... by close() in 3.13, kept in 3.11: not printed.
import asyncio
import os
import tempfile


class Keep(asyncio.Protocol):
    def __init__(self, box):
        self.box = box

    def connection_made(self, transport):
        self.box.append(transport)


async def main():
    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "s.sock")
        seen = []
        server = await loop.create_unix_server(lambda: Keep(seen), path)
        transport, _ = await loop.create_unix_connection(asyncio.Protocol, path)
        while not seen:
            await asyncio.sleep(0.01)
        print("client peername is the path:", transport.get_extra_info("peername") == path)
        print("client sockname:", repr(transport.get_extra_info("sockname")))
        print("server sockname is the path:", seen[0].get_extra_info("sockname") == path)
        print("server peername:", repr(seen[0].get_extra_info("peername")))
        transport.close()
        seen[0].close()
        server.close()
        await server.wait_closed()


asyncio.run(main())
