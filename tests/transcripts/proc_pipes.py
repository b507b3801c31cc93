# Subprocess pipes at their edges: a child that closes its stdin, one that
# exits while we write, one that closes its stdout early, signals, a
# program that does not exist, stderr merged into stdout, a cancelled wait.
import asyncio

PIPE = asyncio.subprocess.PIPE
DEVNULL = asyncio.subprocess.DEVNULL
STDOUT = asyncio.subprocess.STDOUT


async def write_until_error(proc, chunks):
    try:
        for _ in range(chunks):
            proc.stdin.write(b"x" * 65536)
            await proc.stdin.drain()
        return "no error"
    except ConnectionError:
        return "ConnectionError"


async def main():
    proc = await asyncio.create_subprocess_exec("sh", "-c", "exec 0<&-; sleep 0.2", stdin=PIPE)
    await asyncio.sleep(0.05)
    print("child closed its stdin:", await write_until_error(proc, 100), await proc.wait())

    proc = await asyncio.create_subprocess_exec("head", "-c", "1000", stdin=PIPE, stdout=DEVNULL)
    print("child exited while we wrote:", await write_until_error(proc, 1000), await proc.wait())

    proc = await asyncio.create_subprocess_exec("head", "-c", "1000", stdin=PIPE, stdout=PIPE)
    out, err = await proc.communicate(b"y" * 10_000_000)
    print("communicate ignores the broken pipe:", len(out), err, proc.returncode)

    proc = await asyncio.create_subprocess_exec("sh", "-c", "exec >&-; sleep 0.1; exit 3", stdout=PIPE)
    print("child closed its stdout:", await proc.stdout.read(), proc.returncode, await proc.wait())

    try:
        await asyncio.create_subprocess_exec("no-such-program-here")
    except FileNotFoundError:
        print("missing program: not found")

    proc = await asyncio.create_subprocess_exec("sleep", "10")
    proc.kill()
    print("kill:", await proc.wait())
    proc = await asyncio.create_subprocess_exec("sleep", "10")
    proc.terminate()
    print("terminate:", await proc.wait())
    proc = await asyncio.create_subprocess_exec("sleep", "10")
    proc.send_signal(2)
    print("SIGINT:", await proc.wait())

    for make in (
        lambda o: asyncio.create_subprocess_shell("echo a; echo b >&2; echo c", **o),
        lambda o: asyncio.create_subprocess_exec("sh", "-c", "echo a; echo b >&2; echo c", **o),
    ):
        proc = await make({"stdout": PIPE, "stderr": STDOUT})
        print("merged:", await proc.communicate())
    proc = await asyncio.create_subprocess_shell("echo a; echo b >&2; echo c", stdout=PIPE, stderr=PIPE)
    print("separate:", await proc.communicate())

    proc = await asyncio.create_subprocess_exec("sleep", "10")
    waiter = asyncio.create_task(proc.wait())
    await asyncio.sleep(0.05)
    waiter.cancel()
    try:
        await waiter
    except asyncio.CancelledError:
        print("wait cancelled, process still running:", proc.returncode)
    proc.kill()
    print("then killed:", await proc.wait())


asyncio.run(main())
