"""Peer of stream_echo.ts: asyncio streams echo servers (uvloop with --uvloop),
hit by the same Deno load client (bench/stream_echo_load.ts)."""

import asyncio

from _common import run
from _echo_load import CONFIGS, measure


async def echo_lines(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line)
        await writer.drain()
    writer.close()


async def echo_bulk(reader, writer):
    while True:
        data = await reader.read(65536)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()


async def main():
    for cfg in CONFIGS:
        handler = echo_lines if cfg["mode"] == "lines" else echo_bulk
        await measure("stream_echo", lambda: asyncio.start_server(handler, "127.0.0.1", 0), cfg)


if __name__ == "__main__":
    run(main)
