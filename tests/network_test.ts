// createConnection / createServer over getaddrinfo (lib/_network.ts): the
// addresses tried in turn or staggered (happy eyeballs), CPython's messages
// when they all fail, servers on every address of a name or a list. The
// expectations were printed by CPython 3.12 on this machine (a null host
// resolves to ::1 then 127.0.0.1; "localhost" to 127.0.0.1 only).
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { inRealLoop, makeCertificates, portOf, until } from "./_util.ts";
import {
  AF_INET,
  AF_INET6,
  ExceptionGroup,
  gaierror,
  openConnection,
  OSError,
  Protocol,
} from "../mod.ts";

/** A port nobody listens on (just freed). */
function closedPort(): number {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  return port;
}

Deno.test("createConnection() says 'Multiple exceptions' when every address fails differently", () =>
  inRealLoop(async (loop) => {
    const port = closedPort();
    const expected =
      `Multiple exceptions: [Errno 111] Connect call failed ('::1', ${port}, 0, 0), ` +
      `[Errno 111] Connect call failed ('127.0.0.1', ${port})`;
    for (const options of [{}, { happyEyeballsDelay: 0.25 }]) {
      const err = await assertRejects(
        () => loop.createConnection(() => new Protocol(), null, port, options),
        OSError,
      );
      assertEquals([err.errno, err.message], [null, expected]);
    }
    const group = await assertRejects(
      () => loop.createConnection(() => new Protocol(), null, port, { allErrors: true }),
      ExceptionGroup,
    );
    assertEquals(group.message, "create_connection failed (2 sub-exceptions)");
    assertEquals(group.exceptions.length, 2);
  }));

Deno.test("createConnection() goes on to the next address, in turn or staggered", () =>
  inRealLoop(async (loop) => {
    await using server = await loop.createServer(() => new Protocol(), "127.0.0.1", 0);
    const port = portOf(server);
    for (const options of [{}, { happyEyeballsDelay: 0.25 }, { family: AF_INET }]) {
      const [transport] = await loop.createConnection(() => new Protocol(), null, port, options);
      assertEquals(transport.getExtraInfo("peername"), ["127.0.0.1", port]);
      transport.close();
    }
    server.closeClients();
  }));

Deno.test("happy eyeballs: the first to connect wins and the rest are closed", () =>
  inRealLoop(async (loop) => {
    // "::" takes IPv4 too (Deno sets no IPV6_V6ONLY): both addresses connect.
    let accepted = 0;
    class Count extends Protocol {
      override connectionMade(): void {
        accepted++;
      }
    }
    await using server = await loop.createServer(() => new Count(), "::", 0);
    const port = portOf(server);
    const [transport] = await loop.createConnection(() => new Protocol(), null, port, {
      happyEyeballsDelay: 0,
    });
    assertEquals(transport.getExtraInfo("peername"), ["::1", port, 0, 0]);
    await until(() => accepted >= 1); // the server accepts in its own time
    transport.close();
    server.closeClients();
  }));

Deno.test("createConnection() with family AF_INET6 to an IPv4-only name fails as getaddrinfo", () =>
  inRealLoop(async (loop) => {
    const err = await assertRejects(
      () => loop.createConnection(() => new Protocol(), "localhost", 80, { family: AF_INET6 }),
      gaierror,
    );
    assertEquals(err.errno, -2);
  }));

Deno.test("openConnection() to a name that does not resolve throws gaierror -2", () =>
  inRealLoop(async () => {
    const err = await assertRejects(() => openConnection("no-such-host.invalid", 80), gaierror);
    assertEquals(err.message, "[Errno -2] Name or service not known");
    assert(err instanceof OSError);
  }));

Deno.test("createConnection() needs host and port, or sock", () =>
  inRealLoop(async (loop) => {
    await assertRejects(
      () => loop.createConnection(() => new Protocol()),
      RangeError,
      "host and port was not specified and no sock specified",
    );
  }));

Deno.test("a port out of 0-65535 fails as CPython's connect() and bind() (the resolver would wrap 99999 to 34463)", () =>
  inRealLoop(async (loop) => {
    for (const port of [99999, -1, 65536]) {
      await assertRejects(
        () => loop.createConnection(() => new Protocol(), "127.0.0.1", port),
        RangeError,
        "connect(): port must be 0-65535.",
      );
      await assertRejects(
        () => loop.createServer(() => new Protocol(), "127.0.0.1", port),
        RangeError,
        "bind(): port must be 0-65535.",
      );
    }
  }));

Deno.test("createServer() listens on every address of a name, or of a list", () =>
  inRealLoop(async (loop) => {
    await using local = await loop.createServer(() => new Protocol(), "localhost", 0);
    assertEquals(local.sockets.map((a) => (a as Deno.NetAddr).hostname), ["127.0.0.1"]);
    await using both = await loop.createServer(() => new Protocol(), ["127.0.0.1", "::1"], 0);
    const addrs = both.sockets.map((a) => a as Deno.NetAddr);
    assertEquals(addrs.map((a) => a.hostname).sort(), ["127.0.0.1", "::1"]);
    assertEquals(new Set(addrs.map((a) => a.port)).size, 2); // port 0 for each, as CPython
    await using six = await loop.createServer(() => new Protocol(), null, 0, { family: AF_INET6 });
    assertEquals((six.sockets[0] as Deno.NetAddr).hostname, "::");
  }));

Deno.test("createServer() names the address it could not bind, as CPython", () =>
  inRealLoop(async (loop) => {
    await using first = await loop.createServer(() => new Protocol(), "localhost", 0);
    const port = portOf(first);
    const err = await assertRejects(
      () => loop.createServer(() => new Protocol(), "localhost", port),
      OSError,
    );
    assertEquals(
      err.message,
      `[Errno 98] error while attempting to bind on address ('127.0.0.1', ${port}): address already in use`,
    );
  }));

Deno.test("TLS over the resolved address: a name checks the certificate, an unknown CA fails cleanly", async (t) => {
  const dir = Deno.makeTempDirSync();
  try {
    const pem = makeCertificates(dir);
    if (pem === null) {
      await t.step({ name: "openssl could not make certificates", ignore: true, fn: () => {} });
      return;
    }
    await inRealLoop(async (loop) => {
      await using server = await loop.createServer(() => new Protocol(), "127.0.0.1", 0, {
        ssl: { cert: pem.cert, key: pem.key },
      });
      const port = portOf(server);
      const err = await assertRejects(
        () => loop.createConnection(() => new Protocol(), "127.0.0.1", port, { ssl: true }),
        OSError,
      );
      assert(err.message.includes("UnknownIssuer"), err.message);
      const [transport] = await loop.createConnection(() => new Protocol(), "localhost", port, {
        ssl: { caCerts: [pem.ca] },
      });
      assertEquals(transport.getExtraInfo("peername"), ["127.0.0.1", port]);
      assertEquals(transport.getExtraInfo("sslcontext"), true);
      transport.close();
      server.closeClients();
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
