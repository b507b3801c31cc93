# `cat` through a SubprocessProtocol: write to the stdin pipe transport in
# connection_made, then write_eof; the echo comes back on fd 1, then the
# exit and connection_lost (each fd's log printed separately: across pipes
# and the exit the order is the scheduler's).
import asyncio


class Proto(asyncio.SubprocessProtocol):
    def __init__(self, done):
        self.done = done
        self.log = []
        self.fds = {0: [], 1: []}
        self.echoed = b""
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        stdin = transport.get_pipe_transport(0)
        self.log.append(f"connection_made can_write_eof={stdin.can_write_eof()}")
        stdin.write(b"hello\n")
        stdin.writelines([b"wor", b"ld\n"])
        stdin.write_eof()
        self.log.append(f"after write_eof: stdin is_closing={stdin.is_closing()}")

    def pipe_data_received(self, fd, data):
        self.echoed += data

    def pipe_connection_lost(self, fd, exc):
        self.fds[fd].append(f"lost {exc!r}" + (f" after {self.echoed!r}" if fd else ""))

    def process_exited(self):
        self.log.append(f"process_exited {self.transport.get_returncode()}")

    def connection_lost(self, exc):
        self.log.append(f"connection_lost {exc!r}, pipes lost: {[len(v) for v in self.fds.values()]}")
        self.done.set_result(None)


async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    transport, proto = await loop.subprocess_exec(
        lambda: Proto(done), "cat",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=None,
    )
    print("stderr pipe:", transport.get_pipe_transport(2))
    await done
    print("\n".join(proto.log))
    print("fd 0:", ", ".join(proto.fds[0]))
    print("fd 1:", ", ".join(proto.fds[1]))
    transport.close()


asyncio.run(main())
