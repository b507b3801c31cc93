# A child's stdin after the child exited: the write pipe notices that its
# reader is gone ("pipe closed by peer"). With nothing buffered the pipe is
# lost cleanly; with data still buffered, to BrokenPipeError. Either way
# drain() then fails with ConnectionResetError("Connection lost"), and
# later writes are dropped.
import asyncio

PIPE = asyncio.subprocess.PIPE


async def after_exit(label, proc):
    await proc.wait()
    await asyncio.sleep(0.05)
    print(f"{label}: is_closing={proc.stdin.is_closing()}")
    try:
        await proc.stdin.drain()
        print(f"{label}: drain ok")
    except ConnectionResetError as exc:
        print(f"{label}: drain {type(exc).__name__}{exc.args}")
    proc.stdin.write(b"dropped")
    print(f"{label}: buffer after write {proc.stdin.transport.get_write_buffer_size()}")
    try:
        await proc.stdin.wait_closed()
        print(f"{label}: wait_closed ok")
    except ConnectionError as exc:
        print(f"{label}: wait_closed {type(exc).__name__}")


async def main():
    proc = await asyncio.create_subprocess_exec("true", stdin=PIPE)
    await after_exit("nothing buffered", proc)

    proc = await asyncio.create_subprocess_exec("sh", "-c", "sleep 0.1", stdin=PIPE)
    proc.stdin.write(b"x" * 300_000)  # more than the pipe holds: stays buffered
    await after_exit("data buffered", proc)

    proc = await asyncio.create_subprocess_exec("cat", stdin=PIPE, stdout=PIPE)
    proc.stdin.write(b"abc")
    proc.stdin.close()
    print("closed by us:", await proc.stdout.read(), await proc.wait(), proc.stdin.is_closing())


asyncio.run(main())
