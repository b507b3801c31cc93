// The transports and protocols layer over real sockets (127.0.0.1, port 0):
// the order of protocol calls, flow control, half-close, failing protocol
// methods, BufferedProtocol's buffer rules, abort. The sanitizers fail any
// test that leaks a socket or a pending operation.
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { dec, inRealLoop, portOf, until, within } from "./_util.ts";
import {
  BufferedProtocol,
  ConnectionRefusedError,
  type EventLoop,
  type Future,
  NotImplementedError,
  Protocol,
  RuntimeError,
  SendfileNotAvailableError,
  type Server,
  sleep,
  type Transport,
} from "../mod.ts";
import { SocketTransport } from "../lib/_transports.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** A protocol that logs every call and can wait for its connection to be lost. */
class Recorder extends Protocol {
  log: string[] = [];
  transport: Transport | null = null;
  lost: Future<unknown>;
  keepOpen = false;
  constructor(loop: EventLoop) {
    super();
    this.lost = loop.createFuture();
  }
  override connectionMade(transport: Transport): void {
    this.transport = transport;
    this.log.push("made");
  }
  override dataReceived(data: Uint8Array): void {
    this.log.push(`data ${dec(data)}`);
  }
  override eofReceived(): boolean {
    this.log.push("eof");
    return this.keepOpen;
  }
  override pauseWriting(): void {
    this.log.push("pause");
  }
  override resumeWriting(): void {
    this.log.push("resume");
  }
  override connectionLost(exc: unknown): void {
    this.log.push(`lost ${exc === null ? "None" : (exc as Error).name}`);
    this.lost.setResult(exc);
  }
}

/** Serve with `factory`, connect a Recorder, run `body`, close everything. */
async function withPair(
  loop: EventLoop,
  factory: () => Protocol | BufferedProtocol,
  body: (client: Recorder, server: Server) => Promise<void>,
): Promise<void> {
  const server = await loop.createServer(factory, "127.0.0.1", 0);
  try {
    const [, client] = await loop.createConnection(
      () => new Recorder(loop),
      "127.0.0.1",
      portOf(server),
    );
    try {
      await body(client, server);
    } finally {
      client.transport!.close();
      await client.lost;
    }
  } finally {
    server.close();
    await server.waitClosed();
  }
}

Deno.test("connectionMade comes first and connectionLost once, last; eofReceived closes unless it keeps open", () =>
  inRealLoop(async (loop) => {
    let serverSide: Recorder | null = null;
    await withPair(loop, () => serverSide = new Recorder(loop), async (client) => {
      client.transport!.write(enc("ping"));
      client.transport!.writeEof();
      await until(() => serverSide !== null); // the server accepts in its own time
      await serverSide!.lost;
      assertEquals(serverSide!.log, ["made", "data ping", "eof", "lost None"]);
      await client.lost;
      // The server closed on EOF: the client reads EOF too.
      assertEquals(client.log, ["made", "eof", "lost None"]);
    });
  }));

Deno.test("eofReceived returning true keeps the transport half-open: the server still writes", () =>
  inRealLoop(async (loop) => {
    await withPair(loop, () => {
      const p = new Recorder(loop);
      p.keepOpen = true;
      p.eofReceived = function () {
        this.log.push("eof");
        this.transport!.write(enc("after eof"));
        this.transport!.close();
        return true;
      };
      return p;
    }, async (client) => {
      client.transport!.writeEof();
      await client.lost;
      assertEquals(client.log, ["made", "data after eof", "eof", "lost None"]);
    });
  }));

Deno.test("a protocol method that throws goes to the exception handler, its connection is lost to the error, the server goes on", () =>
  inRealLoop(async (loop, errors) => {
    let n = 0;
    class Failing extends Recorder {
      override dataReceived(): void {
        throw new Error(`boom ${++n}`);
      }
    }
    const sides: Recorder[] = [];
    await withPair(loop, () => {
      const p = new Failing(loop);
      sides.push(p);
      return p;
    }, async (client, server) => {
      client.transport!.write(enc("x"));
      await until(() => sides.length === 1); // the server accepts in its own time
      await sides[0].lost;
      assertEquals(sides[0].log, ["made", "lost Error"]);
      assertEquals(errors.map((e) => e.message), [
        "Fatal error: protocol.dataReceived() call failed.",
      ]);
      assertEquals((errors[0].exception as Error).message, "boom 1");
      // A second client is served.
      const [, second] = await loop.createConnection(
        () => new Recorder(loop),
        "127.0.0.1",
        portOf(server),
      );
      second.transport!.write(enc("y"));
      await until(() => sides.length === 2);
      await sides[1].lost;
      await second.lost;
      assertEquals(second.log, ["made", "eof", "lost None"]);
    });
  }, 2));

Deno.test("pauseWriting and resumeWriting alternate; the buffer size is 0 at once after abort()", () =>
  inRealLoop(async (loop) => {
    await withPair(loop, () => new Protocol(), async (client) => {
      const t = client.transport!;
      t.setWriteBufferLimits(1024);
      assertEquals(t.getWriteBufferLimits(), [256, 1024]);
      t.write(new Uint8Array(64 * 1024));
      t.write(new Uint8Array(64 * 1024));
      assertEquals(client.log, ["made", "pause"]);
      while (t.getWriteBufferSize() > 0) await sleep(0.005);
      await sleep(0.02); // the resume is a loop callback after the last write
      assertEquals(client.log, ["made", "pause", "resume"]);
      t.write(new Uint8Array(16 * 1024 * 1024));
      assert(t.getWriteBufferSize() > 0);
      t.abort();
      // As CPython: what abort() drops is no longer counted (#23 item 9).
      assertEquals(t.getWriteBufferSize(), 0);
      await client.lost;
      assertEquals(client.log.filter((l) => l === "pause").length, 2);
      assertEquals(client.log.at(-1), "lost None");
    });
  }));

Deno.test("pauseReading holds data until resumeReading, in order", () =>
  inRealLoop(async (loop) => {
    let serverSide: Recorder | null = null;
    await withPair(loop, () => serverSide = new Recorder(loop), async (client) => {
      const got = loop.createFuture<void>();
      client.dataReceived = function (data) {
        this.log.push(`data ${dec(data)}`);
        if (!got.done()) got.setResult();
      };
      while (serverSide === null) await new Promise((r) => setTimeout(r, 1));
      client.transport!.pauseReading();
      assert(!client.transport!.isReading());
      serverSide.transport!.write(enc("held"));
      await new Promise((r) => setTimeout(r, 50));
      assertEquals(client.log, ["made"]);
      client.transport!.resumeReading();
      assert(client.transport!.isReading());
      await got;
      assertEquals(client.log, ["made", "data held"]);
    });
  }));

Deno.test("BufferedProtocol: bytes land in its buffer, in several updates when it is small", () =>
  inRealLoop(async (loop) => {
    const received: string[] = [];
    const done = loop.createFuture<void>();
    class Small extends BufferedProtocol {
      buf = new Uint8Array(4);
      override getBuffer(sizeHint: number): Uint8Array {
        assertEquals(sizeHint, -1);
        return this.buf;
      }
      override bufferUpdated(n: number): void {
        received.push(dec(this.buf.subarray(0, n)));
      }
      override eofReceived(): void {
        done.setResult();
      }
    }
    await withPair(loop, () => new Small(), async (client) => {
      client.transport!.write(enc("0123456789"));
      client.transport!.writeEof();
      await done;
      assertEquals(received.join(""), "0123456789");
      assert(received.every((r) => r.length <= 4));
    });
  }));

Deno.test("BufferedProtocol: an empty or wrong buffer is a clear error, and the connection is lost to it", () =>
  inRealLoop(async (loop, errors) => {
    for (const bad of [new Uint8Array(0), "not a buffer"]) {
      const lost = loop.createFuture<unknown>();
      class Bad extends BufferedProtocol {
        override getBuffer(): Uint8Array {
          return bad as Uint8Array;
        }
        override connectionLost(exc: unknown): void {
          lost.setResult(exc);
        }
      }
      await withPair(loop, () => new Bad(), async (client) => {
        client.transport!.write(enc("x"));
        const exc = await lost;
        assert(exc instanceof RuntimeError);
        assert(/getBuffer\(\) returned (an empty buffer|string)/.test((exc as Error).message));
      });
    }
    assertEquals(errors.map((e) => e.message), [
      "Fatal error: protocol.getBuffer() call failed.",
      "Fatal error: protocol.getBuffer() call failed.",
    ]);
  }, 2));

Deno.test("a peer that resets: connectionLost gets ConnectionResetError, writes after it are dropped", () =>
  inRealLoop(async (loop) => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const accepted = listener.accept();
    const [transport, client] = await loop.createConnection(
      () => new Recorder(loop),
      "127.0.0.1",
      (listener.addr as Deno.NetAddr).port,
    );
    const conn = await accepted;
    listener.close();
    // SO_LINGER 0 is not reachable from Deno: a close with unread data
    // makes the kernel send a reset.
    transport.write(enc("unread"));
    await new Promise((r) => setTimeout(r, 20));
    conn.close();
    for (let i = 0; i < 50 && !client.lost.done(); i++) {
      transport.write(new Uint8Array(64 * 1024));
      await new Promise((r) => setTimeout(r, 5));
    }
    const exc = await client.lost;
    assert(
      exc === null || (exc as Error).name === "ConnectionResetError" ||
        (exc as Error).name === "BrokenPipeError",
      `lost to ${exc}`,
    );
    assert(transport.isClosing());
    transport.write(enc("dropped"));
    assertEquals(transport.getWriteBufferSize(), 0);
  }));

Deno.test("createConnection to a closed port throws ConnectionRefusedError; bad factories are TypeErrors", () =>
  inRealLoop(async (loop) => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    await assertRejects(
      () => loop.createConnection(() => new Protocol(), "127.0.0.1", port),
      ConnectionRefusedError,
    );
    await assertRejects(
      () => loop.createServer("nope" as unknown as () => Protocol, "127.0.0.1", 0),
      TypeError,
    );
  }));

Deno.test("sendfile() reads and writes the file (asyncio's fallback): offset, count, the file's position; fallback: false is SendfileNotAvailableError; startTls says why it is not available", () =>
  inRealLoop(async (loop) => {
    const path = Deno.makeTempFileSync();
    const content = new Uint8Array(1_000_000).map((_, i) => (i * 31 + (i >> 8)) & 255);
    Deno.writeFileSync(path, content);
    using file = Deno.openSync(path);
    try {
      const received: Uint8Array[] = [];
      const done = loop.createFuture<void>();
      class Collect extends Protocol {
        override dataReceived(data: Uint8Array): void {
          received.push(data.slice());
        }
        override eofReceived(): void {
          done.setResult();
        }
      }
      await withPair(loop, () => new Collect(), async (client) => {
        const t = client.transport!;
        t.setWriteBufferLimits(64 * 1024);
        assertEquals(await loop.sendfile(t, file, 1000, 500_000), 500_000);
        // As CPython: the file's position is after the last byte sent.
        assertEquals(file.seekSync(0, Deno.SeekMode.Current), 501_000);
        assertEquals(await loop.sendfile(t, file), 499_000);
        t.writeEof();
        await done;
        const got = new Uint8Array(received.reduce((n, c) => n + c.length, 0));
        let off = 0;
        for (const c of received) got.set(c, (off += c.length) - c.length);
        assertEquals(got.length, 999_000);
        assert(got.every((b, i) => b === content[1000 + i]), "the bytes sent differ");
        await assertRejects(
          () => loop.sendfile(t, file, 0, null, { fallback: false }),
          SendfileNotAvailableError,
        );
        await assertRejects(
          () => loop.startTls(client.transport!, client, null),
          NotImplementedError,
        );
      });
    } finally {
      Deno.removeSync(path);
    }
  }));

Deno.test("Unix sockets: createUnixServer / createUnixConnection carry the path as names", () =>
  inRealLoop(async (loop) => {
    const dir = Deno.makeTempDirSync();
    const path = `${dir}/s.sock`;
    try {
      const server = await loop.createUnixServer(() => new Protocol(), path);
      const [transport, client] = await loop.createUnixConnection(() => new Recorder(loop), path);
      assertEquals(transport.getExtraInfo("peername"), path);
      assertEquals(transport.getExtraInfo("sockname"), "");
      transport.close();
      await client.lost;
      server.close();
      await server.waitClosed();
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  }));

Deno.test("BufferedProtocol without copies: writing from its own buffer with reading paused until the write is done keeps every byte", () =>
  inRealLoop(async (loop) => {
    // The zero-copy echo: high-water mark 0, so every write pauses the
    // protocol, which pauses reading; no read starts into the buffer until
    // resumeWriting says the write is done.
    let bufferAskedWhileWriting = 0;
    class ZeroCopyEcho extends BufferedProtocol {
      buf = new Uint8Array(1000);
      transport: Transport | null = null;
      writing = false;
      override connectionMade(transport: Transport): void {
        this.transport = transport;
        transport.setWriteBufferLimits(0);
      }
      override getBuffer(): Uint8Array {
        if (this.writing) bufferAskedWhileWriting++;
        return this.buf;
      }
      override bufferUpdated(n: number): void {
        this.transport!.write(this.buf.subarray(0, n));
      }
      override pauseWriting(): void {
        this.writing = true;
        this.transport!.pauseReading();
      }
      override resumeWriting(): void {
        this.writing = false;
        this.transport!.resumeReading();
      }
    }
    const server = await loop.createServer(() => new ZeroCopyEcho(), "127.0.0.1", 0);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: portOf(server) });
    const sent = new Uint8Array(1 << 20).map((_, i) => (i * 7 + (i >> 10)) & 255);
    const writing = conn.write(sent).then(async (n) => {
      let off = n;
      while (off < sent.length) off += await conn.write(sent.subarray(off));
    });
    const got = new Uint8Array(sent.length);
    let have = 0;
    while (have < got.length) {
      const n = await conn.read(got.subarray(have));
      if (n === null) break;
      have += n;
    }
    await writing;
    conn.close();
    server.close();
    await server.waitClosed();
    assertEquals(have, sent.length);
    assert(got.every((b, i) => b === sent[i]), "the echo changed some bytes");
    assertEquals(
      bufferAskedWhileWriting,
      0,
      "getBuffer() was asked while its buffer was being written",
    );
  }));

/** Echoes every chunk; counts the connections it lost. */
class Echo extends Protocol {
  transport: Transport | null = null;
  constructor(private lost: { n: number }) {
    super();
  }
  override connectionMade(transport: Transport): void {
    this.transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.transport!.write(data);
  }
  override connectionLost(): void {
    this.lost.n++;
  }
}

/** `rounds` request/reply round trips of `msg` on `conn`; the replies, joined. */
async function pingPong(conn: Deno.Conn, msg: string, rounds: number): Promise<string> {
  const buf = new Uint8Array(64);
  let got = "";
  for (let i = 0; i < rounds; i++) {
    await conn.write(enc(msg));
    let have = 0;
    while (have < msg.length) {
      const n = await conn.read(buf.subarray(have));
      if (n === null) throw new Error("closed early");
      have += n;
    }
    got += dec(buf.subarray(0, have));
  }
  return got;
}

/** Close the clients (a guard may have closed them already), then the server. */
async function closeAll(conns: Deno.Conn[], server: Server): Promise<void> {
  for (const c of conns) {
    try {
      c.close();
    } catch { /* closed by the guard */ }
  }
  server.close();
  await server.waitClosed();
}

Deno.test("more connections than the loop lets read at once: every one is served, and idle ones do not hold back the active", () =>
  inRealLoop(async (loop) => {
    // 150 idle clients (a read pending on each, nothing sent), then 100
    // active ones at once: past the limit on pending reads (64), the active
    // wait their turn while idle reads give their places up.
    const lost = { n: 0 };
    const server = await loop.createServer(() => new Echo(lost), "127.0.0.1", 0);
    const port = portOf(server);
    const idle: Deno.Conn[] = [];
    const active: Deno.Conn[] = [];
    try {
      for (let i = 0; i < 150; i++) idle.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      for (let i = 0; i < 100; i++) {
        active.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      }
      // A hang fails the test: the clients are closed under it.
      const guard = setTimeout(() => [...idle, ...active].forEach((c) => c.close()), 20_000);
      try {
        const replies = await Promise.all(active.map((c, i) => pingPong(c, `m${i};`, 20)));
        assertEquals(replies, active.map((_, i) => `m${i};`.repeat(20)));
        // The idle ones are still served once they speak.
        const late = await Promise.all(idle.map((c, i) => pingPong(c, `i${i};`, 1)));
        assertEquals(late, idle.map((_, i) => `i${i};`));
      } finally {
        clearTimeout(guard);
      }
    } finally {
      await closeAll([...idle, ...active], server);
    }
    assertEquals(lost.n, 250);
  }));

/** An echo that pauses reading on each chunk and answers (and resumes) a moment later. */
class SlowEcho extends Echo {
  override dataReceived(data: Uint8Array): void {
    const transport = this.transport!;
    transport.pauseReading();
    setTimeout(() => {
      transport.write(data);
      transport.resumeReading();
    }, 10);
  }
}

/** A `BufferedProtocol` echo (one 5-byte buffer: a message comes in several updates). */
class BufferedEcho extends BufferedProtocol {
  transport: Transport | null = null;
  buf = new Uint8Array(5);
  constructor(private lost: { n: number }) {
    super();
  }
  override connectionMade(transport: Transport): void {
    this.transport = transport;
  }
  override getBuffer(): Uint8Array {
    return this.buf;
  }
  override bufferUpdated(n: number): void {
    this.transport!.write(this.buf.slice(0, n));
  }
  override connectionLost(): void {
    this.lost.n++;
  }
}

Deno.test("past the limit on pending reads, paused readers and BufferedProtocols still get every byte in order", () =>
  inRealLoop(async (loop) => {
    // 200 clients speaking at once, so that most wait for their turn to
    // read: a third pause reading on each chunk (their turn may come while
    // paused), a third are BufferedProtocols (they queue once they have a
    // buffer), a third plain echoes.
    const lost = { n: 0 };
    let made = 0;
    const server = await loop.createServer(
      () => {
        const kind = made++ % 3;
        return kind === 0
          ? new SlowEcho(lost)
          : kind === 1
          ? new BufferedEcho(lost)
          : new Echo(lost);
      },
      "127.0.0.1",
      0,
    );
    const port = portOf(server);
    const conns: Deno.Conn[] = [];
    try {
      for (let i = 0; i < 200; i++) conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      const guard = setTimeout(() => conns.forEach((c) => c.close()), 20_000);
      try {
        const replies = await Promise.all(conns.map((c, i) => pingPong(c, `m${i}-abcdefgh;`, 10)));
        assertEquals(replies, conns.map((_, i) => `m${i}-abcdefgh;`.repeat(10)));
      } finally {
        clearTimeout(guard);
      }
    } finally {
      await closeAll(conns, server);
    }
    assertEquals(lost.n, 200);
  }));

Deno.test("connections closed while they wait for their turn to read are lost cleanly", () =>
  inRealLoop(async (loop) => {
    const lost = { n: 0 };
    let accepted = 0;
    const server = await loop.createServer(
      () => {
        accepted++;
        return new Echo(lost);
      },
      "127.0.0.1",
      0,
    );
    const port = portOf(server);
    const conns: Deno.Conn[] = [];
    try {
      for (let i = 0; i < 200; i++) conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      // A connection not accepted yet would be dropped unseen by close().
      await until(() => accepted === 200);
      // All speak at once: past 64 pending reads the rest queue for a turn;
      // then the server drops every client, queued or reading.
      await Promise.all(conns.map((c) => c.write(enc("x"))));
      await sleep(0);
      server.abortClients();
      server.close();
      await within(20, () => server.waitClosed());
      assertEquals(lost.n, 200);
    } finally {
      for (const c of conns) c.close();
    }
  }));

/** `size` bytes that differ from chunk to chunk (so an overwrite shows). */
function pattern(size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (i * 31 + (i >> 12)) & 255);
}

/** Send `data` on a new connection to `port` in pieces of varying size, then half-close. */
async function sendPieces(port: number, data: Uint8Array): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const sizes = [1, 100, 5000, 65536, 17, 300000, 2048];
    for (let off = 0, i = 0; off < data.length; i++) {
      const piece = data.subarray(off, Math.min(off + sizes[i % sizes.length], data.length));
      let sent = 0;
      while (sent < piece.length) sent += await conn.write(piece.subarray(sent));
      off += piece.length;
    }
    await conn.closeWrite();
    // Wait for the server's close, so that the test leaks no pending read.
    await conn.read(new Uint8Array(1));
  } finally {
    conn.close();
  }
}

Deno.test("dataReceived's chunks are the protocol's to keep: kept without a copy, none is ever written again", () =>
  inRealLoop(async (loop) => {
    // The rule a pooled read buffer would break: every chunk is kept as it
    // came (no copy) while 4 MiB more arrive, then all are checked.
    const kept: Uint8Array[] = [];
    let lost: Future<void> | null = null;
    class Keeper extends Protocol {
      override connectionMade(): void {
        lost = loop.createFuture<void>();
      }
      override dataReceived(data: Uint8Array): void {
        kept.push(data);
      }
      override connectionLost(): void {
        lost!.setResult();
      }
    }
    const server = await loop.createServer(() => new Keeper(), "127.0.0.1", 0);
    const sent = pattern(4 << 20);
    await within(30, () => sendPieces(portOf(server), sent));
    await lost!;
    server.close();
    await server.waitClosed();
    const got = new Uint8Array(kept.reduce((n, c) => n + c.length, 0));
    let off = 0;
    for (const chunk of kept) {
      got.set(chunk, off);
      off += chunk.length;
    }
    assertEquals(got.length, sent.length);
    assert(got.every((b, i) => b === sent[i]), "a kept chunk was written again");
    assert(kept.length > 10, `only ${kept.length} chunks: the test proves little`);
  }));

/** A `Deno.Conn` seen through a plain object: no Deno-internal resource id on it. */
function wrapped(conn: Deno.Conn): Deno.Conn {
  return {
    remoteAddr: conn.remoteAddr,
    localAddr: conn.localAddr,
    read: (buf: Uint8Array) => conn.read(buf),
    write: (data: Uint8Array) => conn.write(data),
    closeWrite: () => conn.closeWrite(),
    close: () => conn.close(),
  } as unknown as Deno.Conn;
}

Deno.test("a connection with Deno's resource id is read and written with the ops themselves; one without, through its own read and write: both echo, both see EOF", () =>
  inRealLoop(async (loop) => {
    for (const wrap of [false, true]) {
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const client = await Deno.connect({
        hostname: "127.0.0.1",
        port: (listener.addr as Deno.NetAddr).port,
      });
      const accepted = await listener.accept();
      const lost = { n: 0 };
      const echo = new Echo(lost);
      const transport = new SocketTransport(loop, wrap ? wrapped(accepted) : accepted, echo);
      transport._start(true);
      try {
        assertEquals(await pingPong(client, "ping;", 3), "ping;ping;ping;");
        await client.closeWrite(); // EOF: the echo's transport closes
        assertEquals(await client.read(new Uint8Array(8)), null);
        await within(5, async () => {
          while (lost.n === 0) await sleep(0.01);
        });
      } finally {
        client.close();
        listener.close();
      }
    }
  }));
