"""Peer of bench/_http_servers.ts: the same HTTP/1.1 keep-alive server (every
request head answered with the 13-byte "Hello, world!") on asyncio streams or
an asyncio.Protocol (uvloop's with --uvloop). Serves on 127.0.0.1 (port 0)
until killed and prints {"port": N} once listening:
  /usr/bin/python3 bench/_http_servers.py streams|protocol [--uvloop]"""

import asyncio
import json
import sys

from _common import run

RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\n"
            b"Hello, world!")
SEP = b"\r\n\r\n"


async def handle_streams(reader, writer):
    try:
        while True:
            await reader.readuntil(SEP)
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass  # the client went away
    finally:
        writer.close()


class HttpProtocol(asyncio.Protocol):
    transport = None

    def connection_made(self, transport):
        self.transport = transport
        # Bytes after the last complete head (at most 3 kept): the start of a
        # separator split between reads.
        self.tail = b""

    def data_received(self, data):
        buf = self.tail + data if self.tail else data
        n = buf.count(SEP)
        last = buf.rfind(SEP)
        self.tail = (buf[last + 4:] if last >= 0 else buf)[-3:]
        if n:
            self.transport.write(RESPONSE * n)

    def connection_lost(self, exc):
        self.transport = None


async def main():
    impl = sys.argv[1]
    loop = asyncio.get_running_loop()
    if impl == "streams":
        server = await asyncio.start_server(handle_streams, "127.0.0.1", 0)
    elif impl == "protocol":
        server = await loop.create_server(HttpProtocol, "127.0.0.1", 0)
    else:
        raise SystemExit(f"unknown server {impl} (want streams or protocol)")
    print(json.dumps({"port": server.sockets[0].getsockname()[1]}), flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    run(main)
