# A SubprocessProtocol's callbacks for a child that writes to stdout and
# stderr and exits 3: connection_made first, data and pipe losses per fd,
# process_exited, connection_lost last (each fd's log printed separately:
# across two pipes the order is the scheduler's).
import asyncio


class Proto(asyncio.SubprocessProtocol):
    def __init__(self, done):
        self.done = done
        self.log = []
        self.fds = {1: [], 2: []}
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        self.log.append(
            f"connection_made pid={isinstance(transport.get_pid(), int)} "
            f"pipes={[transport.get_pipe_transport(fd) is not None for fd in (0, 1, 2)]}"
        )

    def pipe_data_received(self, fd, data):
        self.fds[fd].append(f"data {data!r}")

    def pipe_connection_lost(self, fd, exc):
        self.fds[fd].append(f"lost {exc!r}")

    def process_exited(self):
        self.log.append(f"process_exited returncode={self.transport.get_returncode()}")

    def connection_lost(self, exc):
        self.log.append(
            f"connection_lost {exc!r} pipes_lost={[self.fds[fd][-1:] for fd in (1, 2)]} "
            f"is_closing={self.transport.is_closing()}"
        )
        self.done.set_result(None)


async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    transport, proto = await loop.subprocess_exec(
        lambda: Proto(done),
        "sh", "-c", "echo out; echo err >&2; exit 3",
        stdin=None, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    print("returned after connection_made:", proto.log[0].startswith("connection_made"))
    await done
    for line in proto.log:
        print(line)
    for fd in (1, 2):
        print(f"fd {fd}:", ", ".join(proto.fds[fd]))
    print("returncode", transport.get_returncode(), "is_closing", transport.is_closing())
    transport.close()
    print("after close: is_closing", transport.is_closing())


asyncio.run(main())
