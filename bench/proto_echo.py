"""Peer of proto_echo.ts: echo servers on asyncio.Protocol and
asyncio.BufferedProtocol with loop.create_server (uvloop's with --uvloop), hit
by the same Deno load client (bench/stream_echo_load.ts). Written after the
protocol servers of uvloop's own benchmark suite (examples/bench/echoserver.py),
in our words."""

import asyncio

from _common import run
from _echo_load import CONFIGS, measure


class Echo(asyncio.Protocol):
    transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)

    def connection_lost(self, exc):
        self.transport = None


class BufferedEcho(asyncio.BufferedProtocol):
    transport = None

    def connection_made(self, transport):
        self.transport = transport
        # The same size as the Deno servers' read buffer.
        self.buf = bytearray(65536)

    def get_buffer(self, sizehint):
        return self.buf

    def buffer_updated(self, nbytes):
        # Slicing copies, so the next read into buf cannot change what is queued.
        self.transport.write(self.buf[:nbytes])

    def connection_lost(self, exc):
        self.transport = None


class ZeroCopyEcho(BufferedEcho):
    """The no-copy pattern of proto_echo.ts: write a view of the buffer, and
    keep reading paused until the transport has sent it."""

    def connection_made(self, transport):
        super().connection_made(transport)
        transport.set_write_buffer_limits(0)

    def buffer_updated(self, nbytes):
        self.transport.write(memoryview(self.buf)[:nbytes])

    def pause_writing(self):
        self.transport.pause_reading()

    def resume_writing(self):
        self.transport.resume_reading()


IMPLEMENTATIONS = (
    ("proto_echo", Echo),
    ("bufproto_echo", BufferedEcho),
    ("bufproto0_echo", ZeroCopyEcho),
)


async def main():
    loop = asyncio.get_running_loop()
    for cfg in CONFIGS:
        for prefix, factory in IMPLEMENTATIONS:
            await measure(prefix, lambda: loop.create_server(factory, "127.0.0.1", 0), cfg)


if __name__ == "__main__":
    run(main)
