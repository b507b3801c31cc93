"""Peer of stream_echo.ts: asyncio streams echo servers (uvloop with --uvloop),
hit by the same Deno load client (bench/stream_echo_load.ts)."""

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
    deno = shutil.which("deno")
    for cfg in CONFIGS:
        handler = echo_lines if cfg["mode"] == "lines" else echo_bulk
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
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
            "bench": "stream_echo_" + cfg["name"], "impl": IMPL,
            "ops": r["bytes"] / 2**20 if bulk else r["roundTrips"], "seconds": r["seconds"],
            "unit": "MiB/s" if bulk else "round trips/s",
            "extra": {"conns": cfg["conns"], "count": cfg["count"], "size": cfg["size"],
                      "serverCpuUsPerRoundTrip": server_cpu / r["roundTrips"] * 1e6},
        }), flush=True)


if __name__ == "__main__":
    run(main)
