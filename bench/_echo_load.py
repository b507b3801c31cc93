"""The echo benches' Python side, shared by stream_echo.py and proto_echo.py:
the loads of stream_echo_configs.json, each run by the Deno load client
(stream_echo_load.ts) against a server, and one JSON line per load."""

import asyncio
import json
import os
import shutil
import time

from _common import IMPL

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "stream_echo_configs.json")) as f:
    CONFIGS = json.load(f)
if os.environ.get("STREAM_ECHO_ONLY"):
    CONFIGS = [c for c in CONFIGS if c["name"] in os.environ["STREAM_ECHO_ONLY"].split(",")]


async def measure(prefix, start_server, cfg):
    """Serve with `await start_server()` (listening on 127.0.0.1, port 0),
    run the load `cfg` against it and print the result as `prefix_<load>`."""
    server = await start_server()
    port = server.sockets[0].getsockname()[1]
    cpu0 = time.process_time()
    proc = await asyncio.create_subprocess_exec(
        shutil.which("deno"), "run", "--allow-net=127.0.0.1",
        os.path.join(HERE, "stream_echo_load.ts"),
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
