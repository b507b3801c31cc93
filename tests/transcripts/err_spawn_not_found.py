# A program that does not exist: create_subprocess_exec raises
# FileNotFoundError naming it, given as a path or looked up in PATH, with
# stderr merged into stdout or not; a cwd that does not exist is named
# instead of the program.
import asyncio
import errno

PIPE = asyncio.subprocess.PIPE
STDOUT = asyncio.subprocess.STDOUT


def show(label, e):
    code = errno.errorcode.get(e.errno)
    print(label, type(e).__name__, e.errno, code, e.strerror, e.filename, isinstance(e, OSError))
    print("  str:", e)


async def main():
    cases = [
        ("path", ("/no/such/program",), {}),
        ("PATH lookup", ("no-such-program-here", "arg"), {}),
        ("merged", ("/no/such/program",), {"stdout": PIPE, "stderr": STDOUT}),
        ("merged PATH lookup", ("no-such-program-here",), {"stdout": PIPE, "stderr": STDOUT}),
        ("cwd", ("true",), {"cwd": "/no/such/dir"}),
    ]
    for label, args, options in cases:
        try:
            await asyncio.create_subprocess_exec(*args, **options)
        except FileNotFoundError as e:
            show(label, e)
    try:
        await asyncio.create_subprocess_shell("true", cwd="/no/such/dir")
    except FileNotFoundError as e:
        show("shell cwd", e)


asyncio.run(main())
