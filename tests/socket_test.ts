// Socket (lib/socket.ts) and the loop's sock* methods, over real sockets on
// 127.0.0.1 (port 0); the sanitizers fail any test that leaks one.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { dec, inRealLoop } from "./_util.ts";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  BlockingIOError,
  CancelledError,
  ConnectionRefusedError,
  type EventLoop,
  IPPROTO_TCP,
  NotImplementedError,
  OSError,
  Protocol,
  SendfileNotAvailableError,
  SHUT_RD,
  SHUT_WR,
  SO_KEEPALIVE,
  SO_REUSEADDR,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  Socket,
  socket,
  SOL_SOCKET,
  TCP_NODELAY,
  type Transport,
  TransportSocket,
} from "../mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** A listening socket and a client connected to it, and the accepted end. */
async function pair(loop: EventLoop): Promise<[Socket, Socket, Socket]> {
  const server = new Socket(AF_INET, SOCK_STREAM);
  server.bind(["127.0.0.1", 0]);
  server.listen();
  const client = new Socket(AF_INET, SOCK_STREAM);
  await loop.sockConnect(client, server.getsockname());
  const [conn] = await loop.sockAccept(server);
  return [server, client, conn];
}

Deno.test("sock* echo: sendall, recv, recvInto, and EOF after SHUT_WR", () =>
  inRealLoop(async (loop) => {
    const [server, client, conn] = await pair(loop);
    using _s = server, _c = client, _n = conn;
    assertEquals(conn.getpeername(), client.getsockname());
    assertEquals(client.getpeername(), server.getsockname());
    await loop.sockSendall(client, enc("hello world"));
    assertEquals(dec(await loop.sockRecv(conn, 5)), "hello"); // at most n
    const buf = new Uint8Array(64);
    const n = await loop.sockRecvInto(conn, buf);
    assertEquals(dec(buf.subarray(0, n)), " world");
    await loop.sockSendall(conn, enc("back"));
    assertEquals(dec(await loop.sockRecv(client, 100)), "back");
    client.shutdown(SHUT_WR);
    assertEquals((await loop.sockRecv(conn, 100)).length, 0);
    assertEquals(await loop.sockRecvInto(conn, buf), 0);
  }));

Deno.test("sock* methods given something that is not a Socket say so (a Deno.Conn, say)", () =>
  inRealLoop((loop) => {
    const notSock = { rid: 3 } as unknown as Socket;
    assertThrows(
      () => loop.sockRecv(notSock, 10),
      TypeError,
      "sockRecv() needs a Socket (new Socket(...)), got {'rid': 3}",
    );
    assertThrows(
      () => loop.sockSendall(null!, enc("x")),
      TypeError,
      "sockSendall() needs a Socket",
    );
    assertThrows(
      () => loop.sockConnect(42 as unknown as Socket, ["127.0.0.1", 1]),
      TypeError,
      "got 42",
    );
    return Promise.resolve();
  }));

Deno.test("a cancelled sockRecv loses no data: the next call gets it", () =>
  inRealLoop(async (loop) => {
    const [server, client, conn] = await pair(loop);
    using _s = server, _c = client, _n = conn;
    const task = loop.createTask(() => loop.sockRecv(conn, 100));
    await loop.createTask(async () => {}); // let the read start
    task.cancel();
    await assertRejects(() => task, CancelledError);
    await loop.sockSendall(client, enc("kept"));
    assertEquals(dec(await loop.sockRecv(conn, 100)), "kept");
  }));

Deno.test("a cancelled sockAccept keeps the connection for the next", () =>
  inRealLoop(async (loop) => {
    using server = new Socket();
    server.bind(["127.0.0.1", 0]);
    server.listen();
    const task = loop.createTask(() => loop.sockAccept(server));
    await loop.createTask(async () => {});
    task.cancel();
    await assertRejects(() => task, CancelledError);
    using client = new Socket();
    await loop.sockConnect(client, server.getsockname());
    const [conn, address] = await loop.sockAccept(server);
    using _ = conn;
    assertEquals(address, client.getsockname());
  }));

Deno.test("sockConnect to a closed port reads as asyncio's 'Connect call failed'", () =>
  inRealLoop(async (loop) => {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    using sock = new Socket();
    const err = await assertRejects(
      () => loop.sockConnect(sock, ["127.0.0.1", port]),
      ConnectionRefusedError,
    );
    assertEquals(err.message, `[Errno 111] Connect call failed ('127.0.0.1', ${port})`);
    assertEquals(err.errno, 111);
  }));

Deno.test("sockConnect resolves a name first (localhost)", () =>
  inRealLoop(async (loop) => {
    using server = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    server.bind(["127.0.0.1", 0]);
    const port = (server.getsockname() as [string, number])[1];
    using client = socket.socket();
    await loop.sockConnect(client, ["localhost", port]);
    assertEquals(client.getpeername(), ["127.0.0.1", port]);
    const [conn] = await loop.sockAccept(server);
    conn.close();
  }));

Deno.test("a closed socket fails with EBADF and fileno() -1; pending calls fail too", () =>
  inRealLoop(async (loop) => {
    const [server, client, conn] = await pair(loop);
    using _s = server, _c = client;
    assert(conn.fileno() > 2);
    const pending = loop.sockRecv(conn, 10);
    conn.close();
    const err = await assertRejects(() => pending, OSError);
    assertEquals(err.errno, 9);
    assertEquals(conn.fileno(), -1);
    await assertRejects(() => loop.sockSendall(conn, enc("x")), OSError);
    conn.close(); // idempotent
  }));

Deno.test("socket options Deno exposes work; others name what is missing", () =>
  inRealLoop(async (loop) => {
    const [server, client, conn] = await pair(loop);
    using _s = server, _c = client, _n = conn;
    assertEquals(client.getsockopt(IPPROTO_TCP, TCP_NODELAY), 0);
    client.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    client.setsockopt(SOL_SOCKET, SO_KEEPALIVE, true);
    assertEquals(client.getsockopt(IPPROTO_TCP, TCP_NODELAY), 1);
    assertEquals(client.getsockopt(SOL_SOCKET, SO_KEEPALIVE), 1);
    assertEquals(client.getsockopt(SOL_SOCKET, SO_TYPE), SOCK_STREAM);
    server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    const err = assertThrows(() => client.setsockopt(SOL_SOCKET, 8, 4096), NotImplementedError);
    assert(err.message.includes("setsockopt(1, 8)"));
    assertThrows(() => client.shutdown(SHUT_RD), NotImplementedError);
  }));

Deno.test("what Deno cannot make throws NotImplementedError naming it", () =>
  inRealLoop(async (loop) => {
    assertThrows(() => new Socket(AF_INET, SOCK_RAW), NotImplementedError, "SOCK_RAW");
    assertThrows(() => new Socket(AF_UNIX, SOCK_DGRAM), NotImplementedError, "Unix datagram");
    assertEquals(assertThrows(() => new Socket(AF_INET, SOCK_STREAM, 17), OSError).errno, 93);
    using bound = new Socket();
    bound.bind(["127.0.0.1", 0]);
    await assertRejects(
      () => loop.sockConnect(bound, ["127.0.0.1", 9]),
      NotImplementedError,
      "bind a socket before connecting",
    );
    await assertRejects(
      () =>
        loop.createConnection(() => new Protocol(), "127.0.0.1", 9, {
          localAddr: ["127.0.0.1", 0],
        }),
      NotImplementedError,
      "localAddr",
    );
  }));

Deno.test("UDP: sockSendto / sockRecvfrom between two sockets, datagrams cut to bufsize", () =>
  inRealLoop(async (loop) => {
    using a = new Socket(AF_INET, SOCK_DGRAM);
    using b = new Socket(AF_INET, SOCK_DGRAM);
    a.bind(["127.0.0.1", 0]);
    assertThrows(() => a.getsockname(), BlockingIOError); // node:dgram binds in the background
    const recv = loop.sockRecvfrom(a, 4);
    await loop.sockSendto(b, enc("ping"), ["127.0.0.1", await boundPort(loop, a)]);
    const [data, from] = await recv;
    assertEquals(dec(data), "ping");
    // b was bound by its first send, to every interface (as the kernel does).
    assertEquals(b.getsockname(), ["0.0.0.0", from![1]]);
    assertEquals(from, ["127.0.0.1", from![1]]);
    assertEquals(await loop.sockSendto(a, enc("pong!"), from!), 5);
    const buf = new Uint8Array(16);
    const [n, from2] = await loop.sockRecvfromInto(b, buf, 3);
    assertEquals([dec(buf.subarray(0, n)), from2], ["pon", a.getsockname()]);
  }));

/** A UDP socket's port, once node:dgram has bound it (a recvfrom waiting is enough). */
async function boundPort(loop: EventLoop, sock: Socket): Promise<number> {
  for (;;) {
    try {
      return (sock.getsockname() as [string, number])[1];
    } catch (err) {
      if (!(err instanceof BlockingIOError)) throw err;
      await new Promise((r) => setTimeout(r, 1));
      await loop.createTask(async () => {});
    }
  }
}

Deno.test("sockSendfile falls back to read-and-send, leaving the file after what it sent", () =>
  inRealLoop(async (loop) => {
    const path = await Deno.makeTempFile();
    try {
      await Deno.writeTextFile(path, "0123456789".repeat(1000));
      const [server, client, conn] = await pair(loop);
      using _s = server, _c = client, _n = conn;
      using file = await Deno.open(path);
      const sent = await loop.sockSendfile(client, file, 5, 20);
      assertEquals(sent, 20);
      assertEquals(await file.seek(0, Deno.SeekMode.Current), 25);
      let got = "";
      while (got.length < 20) got += dec(await loop.sockRecv(conn, 100));
      assertEquals(got, "56789012345678901234");
      await assertRejects(
        () => loop.sockSendfile(client, file, 0, null, { fallback: false }),
        SendfileNotAvailableError,
      );
    } finally {
      await Deno.remove(path);
    }
  }));

Deno.test("createConnection({ sock }) and createServer({ sock }) take the sockets over", () =>
  inRealLoop(async (loop) => {
    const listening = new Socket();
    listening.bind(["127.0.0.1", 0]);
    const address = listening.getsockname();
    const got = loop.createFuture<string>();
    class Echo extends Protocol {
      override dataReceived(data: Uint8Array): void {
        got.setResult(dec(data));
      }
    }
    await using server = await loop.createServer(() => new Echo(), null, null, { sock: listening });
    assertEquals(listening.fileno(), -1); // the server owns it now
    assertEquals((server.sockets[0] as Deno.NetAddr).port, (address as [string, number])[1]);
    const sock = new Socket();
    await loop.sockConnect(sock, address);
    const [transport] = await loop.createConnection(() => new Protocol(), null, null, { sock });
    transport.write(enc("via sock"));
    assertEquals(await got, "via sock");
    transport.close();
    server.closeClients();
  }));

Deno.test("getExtraInfo('socket') is a TransportSocket: addresses, options, no I/O", () =>
  inRealLoop(async (loop) => {
    await using server = await loop.createServer(() => new Protocol(), "127.0.0.1", 0);
    const port = (server.sockets[0] as Deno.NetAddr).port;
    const [transport] = await loop.createConnection(() => new Protocol(), "127.0.0.1", port);
    const sock = (transport as Transport).getExtraInfo("socket") as TransportSocket;
    assert(sock instanceof TransportSocket);
    assertEquals(sock, transport.getExtraInfo("socket")); // one per connection
    assertEquals([sock.family, sock.type], [AF_INET, SOCK_STREAM]);
    assertEquals(sock.getpeername(), ["127.0.0.1", port]);
    assertEquals(sock.getsockname(), transport.getExtraInfo("sockname"));
    assertEquals(sock.getsockopt(IPPROTO_TCP, TCP_NODELAY), 1); // as asyncio's transports
    assert(!("close" in sock) && !("recv" in sock));
    assert(String(sock).startsWith("<asyncio.TransportSocket fd="));
    transport.close();
    server.closeClients();
  }));

Deno.test("IPv6 sockets give 4-item addresses", () =>
  inRealLoop(async (loop) => {
    using server = new Socket(AF_INET6);
    server.bind(["::1", 0]);
    const address = server.getsockname() as [string, number, number, number];
    assertEquals([address[0], address[2], address[3]], ["::1", 0, 0]);
    using client = new Socket(AF_INET6);
    await loop.sockConnect(client, ["::1", address[1]]);
    const [conn, peer] = await loop.sockAccept(server);
    using _ = conn;
    assertEquals(peer, client.getsockname());
  }));

Deno.test("Unix stream sockets: bind a path, connect, echo", () =>
  inRealLoop(async (loop) => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/s`;
      using server = new Socket(AF_UNIX);
      server.bind(path);
      assertEquals(server.getsockname(), path);
      using client = new Socket(AF_UNIX);
      await loop.sockConnect(client, path);
      const [conn] = await loop.sockAccept(server);
      using _ = conn;
      await loop.sockSendall(client, enc("unix"));
      assertEquals(dec(await loop.sockRecv(conn, 10)), "unix");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }));

Deno.test("closing a UDP socket fails the receive waiting on it with EBADF", () =>
  inRealLoop(async (loop) => {
    const sock = new Socket(AF_INET, SOCK_DGRAM);
    const pending = loop.sockRecvfrom(sock, 10); // never bound: waits for a bind
    setTimeout(() => sock.close(), 5);
    assertEquals((await assertRejects(() => pending, OSError)).errno, 9);
  }));
