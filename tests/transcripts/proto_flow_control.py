# Flow control both ways: a writer with a small high-water mark pauses and
# resumes (strictly alternating) while its peer reads slowly with
# pause_reading / resume_reading, and a paused reader gets no data_received.
import asyncio

SIZE = 4 * 1024 * 1024


class Writer(asyncio.Protocol):
    def __init__(self):
        self.events = []

    def connection_made(self, transport):
        transport.set_write_buffer_limits(high=16 * 1024)
        self.events.append(f"limits {transport.get_write_buffer_limits()}")
        transport.write(b"x" * SIZE)
        self.events.append(f"buffered > high: {transport.get_write_buffer_size() > 16 * 1024}")
        transport.close()

    def pause_writing(self):
        self.events.append("pause")

    def resume_writing(self):
        self.events.append("resume")


class SlowReader(asyncio.Protocol):
    def __init__(self):
        self.received = 0
        self.during_pause = 0
        self.paused = False
        self.done = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport
        self.pause()

    def pause(self):
        self.transport.pause_reading()
        self.paused = True
        asyncio.get_running_loop().call_later(0.01, self.resume)

    def resume(self):
        self.paused = False
        self.transport.resume_reading()

    def data_received(self, data):
        if self.paused:
            self.during_pause += len(data)
        self.received += len(data)
        if self.received < SIZE // 2:
            self.pause()

    def connection_lost(self, exc):
        self.done.set_result(exc)


async def main():
    loop = asyncio.get_running_loop()
    writer = Writer()
    server = await loop.create_server(lambda: writer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport, reader = await loop.create_connection(SlowReader, "127.0.0.1", port)
    print("is_reading after pause:", transport.is_reading())
    exc = await reader.done
    server.close()
    await server.wait_closed()
    flips = [e for e in writer.events if e in ("pause", "resume")]
    print(*[e for e in writer.events if e not in flips], sep="\n")
    print("first flip:", flips[0], "last flip:", flips[-1])
    print("alternating:", all(a != b for a, b in zip(flips, flips[1:])))
    print("received all:", reader.received == SIZE, "lost:", exc)
    print("bytes delivered while paused:", reader.during_pause)


asyncio.run(main())
