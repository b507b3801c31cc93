# A program that cannot be executed (a directory, a file without the x bit):
# create_subprocess_exec raises PermissionError naming it, with stderr
# merged or not; a cwd that is a file is NotADirectoryError naming it.
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
        ("directory", ("/tmp",), {}),
        ("not executable", ("/etc/passwd",), {}),
        ("merged", ("/tmp",), {"stdout": PIPE, "stderr": STDOUT}),
        ("cwd is a file", ("true",), {"cwd": "/etc/passwd"}),
    ]
    for label, args, options in cases:
        try:
            await asyncio.create_subprocess_exec(*args, **options)
        except OSError as e:
            show(label, e)


asyncio.run(main())
