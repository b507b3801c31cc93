"""Peer of subprocesses.ts (not named subprocess.py: that would shadow the standard module): spawn + wait of `true` (one at a time, 16 at a time)
and bytes through `cat` (write/drain against read, and communicate())."""

import asyncio
import time

from _common import emit, run

SPAWNS = 320
BATCH = 16
PIPE_BYTES = 128 * 1024 * 1024
CHUNK = 64 * 1024
ROUNDS = 5
MiB = 1024 * 1024
PIPE = asyncio.subprocess.PIPE


async def seconds(fn):
    t0 = time.perf_counter()
    await fn()
    return time.perf_counter() - t0


async def best(fn):
    return min([await seconds(fn) for _ in range(ROUNDS)])


async def spawn_one():
    proc = await asyncio.create_subprocess_exec("true")
    assert await proc.wait() == 0


async def spawns(batch):
    for _ in range(0, SPAWNS, batch):
        await asyncio.gather(*[spawn_one() for _ in range(batch)])


DATA = b"x" * CHUNK


async def pipe():
    proc = await asyncio.create_subprocess_exec("cat", stdin=PIPE, stdout=PIPE)

    async def write():
        for _ in range(0, PIPE_BYTES, CHUNK):
            proc.stdin.write(DATA)
            await proc.stdin.drain()
        proc.stdin.close()

    writing = asyncio.ensure_future(write())
    got = 0
    while True:
        chunk = await proc.stdout.read(CHUNK)
        if not chunk:
            break
        got += len(chunk)
    await writing
    await proc.wait()
    assert got == PIPE_BYTES, got


async def communicate():
    proc = await asyncio.create_subprocess_exec("cat", stdin=PIPE, stdout=PIPE)
    out, _ = await proc.communicate(bytes(PIPE_BYTES))
    assert len(out) == PIPE_BYTES, len(out)


async def main():
    await spawns(BATCH)  # warm-up, as ours does
    t = await best(lambda: spawns(1))
    emit("subprocess_spawn_seq", SPAWNS, t, "spawns/s")
    t = await best(lambda: spawns(BATCH))
    emit(f"subprocess_spawn_{BATCH}", SPAWNS, t, "spawns/s")
    t = await best(pipe)
    emit("subprocess_pipe", PIPE_BYTES / MiB, t, "MiB/s")
    t = await best(communicate)
    emit("subprocess_communicate", PIPE_BYTES / MiB, t, "MiB/s")


run(main)
