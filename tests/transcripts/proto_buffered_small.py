# A BufferedProtocol with a 4-byte buffer: one 10-byte send arrives as several
# buffer_updated calls, each at most the buffer's size, then eof_received and
# connection_lost.
import asyncio


class Small(asyncio.BufferedProtocol):
    def __init__(self, log, done):
        self.buf = bytearray(4)
        self.log, self.done = log, done

    def get_buffer(self, sizehint):
        return self.buf

    def buffer_updated(self, nbytes):
        self.log.append(bytes(self.buf[:nbytes]).decode())

    def eof_received(self):
        self.log.append("eof")

    def connection_lost(self, exc):
        self.log.append(f"lost {exc}")
        self.done.set_result(None)


async def main():
    loop = asyncio.get_running_loop()
    log = []
    done = loop.create_future()
    server = await loop.create_server(lambda: Small(log, done), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport, _ = await loop.create_connection(asyncio.Protocol, "127.0.0.1", port)
    transport.write(b"0123456789")
    transport.write_eof()
    await done
    transport.close()
    server.close()
    await server.wait_closed()
    chunks = log[:-2]
    print("joined:", "".join(chunks))
    print("every chunk at most 4 bytes:", all(len(c) <= 4 for c in chunks))
    print("several chunks:", len(chunks) >= 3)
    print(*log[-2:], sep="\n")


asyncio.run(main())
