// No Deno error class reaches a user: every fault case of the public I/O
// calls (processes, streams, protocols, datagrams, name resolution, sockets)
// throws the OSError tree, with the Deno error kept as `cause`.
import { assert, assertEquals } from "./_assert.ts";
import { inRealLoop } from "./_util.ts";
import {
  AF_INET,
  ConnectionRefusedError,
  ConnectionResetError,
  createSubprocessExec,
  DatagramProtocol,
  type EventLoop,
  FileNotFoundError,
  gaierror,
  openConnection,
  openUnixConnection,
  OSError,
  PermissionError,
  PIPE,
  SOCK_STREAM,
  socket,
  startServer,
  startUnixServer,
} from "../mod.ts";

/** The error `call` throws; fails the test if it does not throw. */
async function thrown(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to throw");
}

const denoErrorClasses = Object.values(Deno.errors) as Array<new () => Error>;

/** `err` is an OSError of `cls` (with an errno) and no Deno error class. */
function assertOSError(err: unknown, cls: new (...args: never[]) => OSError, what: string): void {
  const leaked = denoErrorClasses.find((C) => err instanceof C);
  assert(leaked === undefined, `${what}: a Deno error escaped: ${err}`);
  assert(err instanceof cls, `${what}: ${err} is not a ${cls.name}`);
  assert(typeof (err as OSError).errno === "number", `${what}: no errno on ${err}`);
}

function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

Deno.test("every fault case of the public I/O calls throws the OSError tree, never a Deno error", () =>
  inRealLoop(async (loop: EventLoop) => {
    const cases: Array<[string, () => Promise<unknown>, new (...args: never[]) => OSError]> = [
      [
        "spawn a missing program",
        () => createSubprocessExec("/no/such/program"),
        FileNotFoundError,
      ],
      ["spawn a directory", () => createSubprocessExec("/tmp"), PermissionError],
      [
        "spawn in a missing cwd",
        () => createSubprocessExec("true", { cwd: "/no/such/dir" }),
        FileNotFoundError,
      ],
      [
        "connect to a closed port",
        () => openConnection("127.0.0.1", closedPort()),
        ConnectionRefusedError,
      ],
      [
        "connect to a missing Unix socket",
        () => openUnixConnection("/no/such/dir/sock"),
        FileNotFoundError,
      ],
      [
        "listen on a missing directory",
        () => startUnixServer(() => {}, "/no/such/dir/sock"),
        FileNotFoundError,
      ],
      [
        "resolve a name that does not exist",
        () => openConnection("no-such-host.invalid", 80),
        gaierror,
      ],
      [
        "getaddrinfo of a name that does not exist",
        () => loop.getaddrinfo("no-such-host.invalid", 80),
        gaierror,
      ],
      [
        "sockConnect to a closed port",
        async () => {
          using sock = socket.socket(AF_INET, SOCK_STREAM);
          await loop.sockConnect(sock, ["127.0.0.1", closedPort()]);
        },
        ConnectionRefusedError,
      ],
    ];
    for (const [what, call, cls] of cases) assertOSError(await thrown(call), cls, what);

    // Busy addresses: a stream server and a datagram endpoint.
    const first = await startServer(() => {}, "127.0.0.1", 0);
    const port = (first.sockets[0] as Deno.NetAddr).port;
    assertOSError(
      await thrown(() => startServer(() => {}, "127.0.0.1", port)),
      OSError,
      "listen twice",
    );
    first.close();
    await first.waitClosed();
    const [udp] = await loop.createDatagramEndpoint(() => new DatagramProtocol(), {
      localAddr: ["127.0.0.1", 0],
    });
    const udpPort = (udp.getExtraInfo("sockname") as [string, number])[1];
    const busy = await thrown(() =>
      loop.createDatagramEndpoint(() => new DatagramProtocol(), {
        localAddr: ["127.0.0.1", udpPort],
      })
    );
    assertOSError(busy, OSError, "bind a busy UDP port");
    assertEquals((busy as OSError).code, "EADDRINUSE");
    udp.close();

    // A child that exited: its stdin is lost, and drain() says so as asyncio does.
    const proc = await createSubprocessExec("true", { stdin: PIPE });
    await proc.wait();
    proc.stdin!.write("late");
    const lost = await thrown(() => proc.stdin!.drain());
    assert(lost instanceof ConnectionResetError, `drain after exit: ${lost}`);
    assert(!denoErrorClasses.some((C) => lost instanceof C));
  }));
