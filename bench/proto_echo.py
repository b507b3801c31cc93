"""Peer of proto_echo.ts: echo servers on asyncio.Protocol and
asyncio.BufferedProtocol with loop.create_server (uvloop's with --uvloop), hit
by the same Deno load client (bench/stream_echo_load.ts). Written after the
protocol servers of uvloop's own benchmark suite (examples/bench/echoserver.py),
in our words."""

import asyncio
import json
import os
import shutil
import time

from _common import IMPL, run

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "stream_echo_configs.json")) as f:
    CONFIGS = json.load(f)
if os.environ.get("STREAM_ECHO_ONLY"):
    CONFIGS = [c for c in CONFIGS if c["name"] in os.environ["STREAM_ECHO_ONLY"].split(",")]


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


async def measure(prefix, factory, cfg, deno):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    cpu0 = time.process_time()
    proc = await asyncio.create_subprocess_exec(
        deno, "run", "--allow-net=127.0.0.1", os.path.join(HERE, "stream_echo_load.ts"),
        str(port), str(cfg["conns"]), str(cfg["count"]), str(cfg["size"]),
        stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    assert proc.returncode == 0, cfg
    server_cpu = time.process_time() - cpu0
    r = json.loads(out)
    server.close()
    await server.wait_closed()
    bulk = cfg["mode"] == "bulk"
    print(json.dumps({
        "bench": prefix + "_" + cfg["name"], "impl": IMPL,
        "ops": r["bytes"] / 2**20 if bulk else r["roundTrips"], "seconds": r["seconds"],
        "unit": "MiB/s" if bulk else "round trips/s",
        "extra": {"conns": cfg["conns"], "count": cfg["count"], "size": cfg["size"],
                  "serverCpuUsPerRoundTrip": server_cpu / r["roundTrips"] * 1e6},
    }), flush=True)


async def main():
    deno = shutil.which("deno")
    for cfg in CONFIGS:
        await measure("proto_echo", Echo, cfg, deno)
        await measure("bufproto_echo", BufferedEcho, cfg, deno)


if __name__ == "__main__":
    run(main)
