// Name resolution (lib/_resolve.ts, through loop.getaddrinfo / getnameinfo):
// the rows and errors CPython 3.11 gives on this machine's glibc. Every
// expectation below was printed by `socket.getaddrinfo` / `getnameinfo`;
// tests/transcripts/net_getaddrinfo_*.py record the main ones.
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { inRealLoop } from "./_util.ts";
import {
  AF_INET,
  AF_INET6,
  AI_ADDRCONFIG,
  AI_ALL,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_PASSIVE,
  AI_V4MAPPED,
  CancelledError,
  gaierror,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  OSError,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  socket,
} from "../mod.ts";
import { formatIPv6, parseIPv4, parseIPv6 } from "../lib/_resolve.ts";

const ALL3 = (host: string, port: number) => [
  [2, 1, 6, "", [host, port]],
  [2, 2, 17, "", [host, port]],
  [2, 3, 0, "", [host, port]],
];

async function gaiErrno(p: Promise<unknown>): Promise<number | null> {
  const err = await assertRejects(() => p, gaierror);
  assert(err instanceof OSError);
  return err.errno;
}

Deno.test("socket constants have Linux's values under Python's names", () => {
  assertEquals(
    [socket.AF_UNSPEC, socket.AF_UNIX, socket.AF_INET, socket.AF_INET6],
    [0, 1, 2, 10],
  );
  assertEquals([SOCK_STREAM, SOCK_DGRAM, SOCK_RAW], [1, 2, 3]);
  assertEquals([socket.IPPROTO_IP, socket.IPPROTO_TCP, socket.IPPROTO_UDP], [0, 6, 17]);
  assertEquals(
    [AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_V4MAPPED, AI_ALL, AI_ADDRCONFIG, AI_NUMERICSERV],
    [1, 2, 4, 8, 16, 32, 1024],
  );
  assertEquals([NI_NUMERICHOST, NI_NUMERICSERV, socket.NI_NOFQDN, NI_NAMEREQD, NI_DGRAM], [
    1,
    2,
    4,
    8,
    16,
  ]);
  assertEquals(
    [socket.TCP_NODELAY, socket.SOL_SOCKET, socket.SO_KEEPALIVE, socket.SO_REUSEADDR],
    [1, 1, 9, 2],
  );
  assertEquals([socket.EAI_NONAME, socket.EAI_AGAIN, socket.EAI_SERVICE], [-2, -3, -8]);
  assert(Object.isFrozen(socket));
});

Deno.test("getaddrinfo() without a type gives glibc's STREAM, DGRAM and RAW rows", () =>
  inRealLoop(async (loop) => {
    assertEquals(await loop.getaddrinfo("127.0.0.1", 80), ALL3("127.0.0.1", 80));
    // "localhost" comes from /etc/hosts (a DNS-only resolver would fail here).
    assertEquals(await loop.getaddrinfo("localhost", 80), ALL3("127.0.0.1", 80));
    assertEquals(await loop.getaddrinfo("::1", 80), [
      [10, 1, 6, "", ["::1", 80, 0, 0]],
      [10, 2, 17, "", ["::1", 80, 0, 0]],
      [10, 3, 0, "", ["::1", 80, 0, 0]],
    ]);
  }));

Deno.test("getaddrinfo() with a type or proto gives one row per address", () =>
  inRealLoop(async (loop) => {
    assertEquals(await loop.getaddrinfo("127.0.0.1", 80, { type: SOCK_STREAM }), [
      [2, 1, 6, "", ["127.0.0.1", 80]],
    ]);
    assertEquals(await loop.getaddrinfo("localhost", 80, { proto: 17 }), [
      [2, 2, 17, "", ["127.0.0.1", 80]],
    ]);
    assertEquals(await loop.getaddrinfo("127.0.0.1", null, { proto: 99 }), [
      [2, 3, 99, "", ["127.0.0.1", 0]],
    ]);
  }));

Deno.test("getaddrinfo() resolves service names from /etc/services, per protocol", () =>
  inRealLoop(async (loop) => {
    assertEquals(await loop.getaddrinfo("127.0.0.1", "http"), [[2, 1, 6, "", ["127.0.0.1", 80]]]);
    assertEquals(await loop.getaddrinfo("127.0.0.1", "domain"), [
      [2, 1, 6, "", ["127.0.0.1", 53]],
      [2, 2, 17, "", ["127.0.0.1", 53]],
    ]);
    assertEquals(await loop.getaddrinfo("127.0.0.1", "www", { type: SOCK_STREAM }), [
      [2, 1, 6, "", ["127.0.0.1", 80]],
    ]);
    // glibc reads numbers as strtoul does, and keeps the low 16 bits.
    assertEquals(await loop.getaddrinfo("127.0.0.1", " 80", { type: SOCK_STREAM }), [
      [2, 1, 6, "", ["127.0.0.1", 80]],
    ]);
    assertEquals(await loop.getaddrinfo("127.0.0.1", 70000, { type: SOCK_STREAM }), [
      [2, 1, 6, "", ["127.0.0.1", 4464]],
    ]);
  }));

Deno.test("getaddrinfo() of a null host: loopback, or with AI_PASSIVE the wildcard", () =>
  inRealLoop(async (loop) => {
    assertEquals(await loop.getaddrinfo(null, 80, { type: SOCK_STREAM }), [
      [10, 1, 6, "", ["::1", 80, 0, 0]],
      [2, 1, 6, "", ["127.0.0.1", 80]],
    ]);
    assertEquals(await loop.getaddrinfo(null, 80, { type: SOCK_STREAM, flags: AI_PASSIVE }), [
      [2, 1, 6, "", ["0.0.0.0", 80]],
      [10, 1, 6, "", ["::", 80, 0, 0]],
    ]);
    assertEquals(
      await loop.getaddrinfo(null, 80, { family: AF_INET6, type: SOCK_STREAM, flags: AI_PASSIVE }),
      [[10, 1, 6, "", ["::", 80, 0, 0]]],
    );
  }));

Deno.test("getaddrinfo() flags: AI_CANONNAME on the first row, AI_V4MAPPED, numeric hosts", () =>
  inRealLoop(async (loop) => {
    assertEquals(await loop.getaddrinfo("LocalHost", 80, { flags: AI_CANONNAME }), [
      [2, 1, 6, "localhost", ["127.0.0.1", 80]],
      [2, 2, 17, "", ["127.0.0.1", 80]],
      [2, 3, 0, "", ["127.0.0.1", 80]],
    ]);
    assertEquals(
      await loop.getaddrinfo("localhost", 80, {
        family: AF_INET6,
        type: SOCK_STREAM,
        flags: AI_V4MAPPED,
      }),
      [[10, 1, 6, "", ["::ffff:127.0.0.1", 80, 0, 0]]],
    );
    // inet_aton's forms are numeric hosts too.
    assertEquals(
      await loop.getaddrinfo("127.1", 80, { type: SOCK_STREAM, flags: AI_NUMERICHOST }),
      [[2, 1, 6, "", ["127.0.0.1", 80]]],
    );
    assertEquals(await loop.getaddrinfo("fe80::1%5", 80, { type: SOCK_STREAM }), [
      [10, 1, 6, "", ["fe80::1", 80, 0, 5]],
    ]);
  }));

Deno.test("getaddrinfo() fails as glibc does, with gaierror's errno", () =>
  inRealLoop(async (loop) => {
    assertEquals(await gaiErrno(loop.getaddrinfo("no-such-host.invalid", 80)), -2);
    assertEquals(await gaiErrno(loop.getaddrinfo("localhost", 80, { flags: AI_NUMERICHOST })), -2);
    assertEquals(await gaiErrno(loop.getaddrinfo("localhost", 80, { family: AF_INET6 })), -2);
    assertEquals(await gaiErrno(loop.getaddrinfo(null, 80, { flags: AI_CANONNAME })), -1);
    assertEquals(await gaiErrno(loop.getaddrinfo("127.0.0.1", 80, { family: 1 })), -6);
    assertEquals(await gaiErrno(loop.getaddrinfo("127.0.0.1", 80, { type: 4 })), -7);
    assertEquals(await gaiErrno(loop.getaddrinfo("127.0.0.1", "http", { type: SOCK_DGRAM })), -8);
    assertEquals(await gaiErrno(loop.getaddrinfo("127.0.0.1", 80, { type: SOCK_RAW })), -8);
    assertEquals(
      await gaiErrno(loop.getaddrinfo("127.0.0.1", "http", { flags: AI_NUMERICSERV })),
      -2,
    );
    assertEquals(await gaiErrno(loop.getaddrinfo("::1", 80, { family: AF_INET })), -9);
    const err = await assertRejects(() => loop.getaddrinfo("no-such-host.invalid", 80), gaierror);
    assertEquals(err.message, "[Errno -2] Name or service not known");
    assertEquals(err.code, "EAI_NONAME");
  }));

Deno.test("getaddrinfo() can be cancelled like any loop await", () =>
  inRealLoop(async (loop) => {
    const task = loop.createTask(() => loop.getaddrinfo("localhost", 80));
    await null;
    task.cancel();
    await assertRejects(() => task, CancelledError);
  }));

Deno.test("getnameinfo() gives names unless NI_NUMERICHOST / NI_NUMERICSERV", () =>
  inRealLoop(async (loop) => {
    assertEquals(await loop.getnameinfo(["127.0.0.1", 80]), ["localhost", "http"]);
    assertEquals(await loop.getnameinfo(["127.0.0.1", 80], NI_NUMERICHOST), ["127.0.0.1", "http"]);
    assertEquals(await loop.getnameinfo(["127.0.0.1", 80], NI_NUMERICSERV), ["localhost", "80"]);
    assertEquals(await loop.getnameinfo(["127.0.0.1", 53], NI_DGRAM), ["localhost", "domain"]);
    assertEquals(await loop.getnameinfo(["127.0.0.2", 80]), ["127.0.0.2", "http"]);
    assertEquals(await loop.getnameinfo(["fe80::1", 80, 0, 99], NI_NUMERICHOST), [
      "fe80::1%99",
      "http",
    ]);
    assertEquals(await gaiErrno(loop.getnameinfo(["127.0.0.2", 80], NI_NAMEREQD)), -2);
    assertEquals(await gaiErrno(loop.getnameinfo(["localhost", 80])), -2);
    const err = await assertRejects(
      () => loop.getnameinfo(["127.0.0.1", 80, 0, 0]),
      OSError,
    );
    assertEquals(err.message, "IPv4 sockaddr must be 2 tuple");
  }));

Deno.test("numeric addresses parse and print as glibc's inet_aton / inet_pton / inet_ntop", () => {
  assertEquals(parseIPv4("0x7f.1"), new Uint8Array([127, 0, 0, 1]));
  assertEquals(parseIPv4("1.2.3.256"), null);
  assertEquals(parseIPv6("1:2:3:4:5:6:7:8:9"), null);
  const fmt = (s: string) => formatIPv6(parseIPv6(s)!);
  assertEquals(
    ["0:0:0:ab:0:0:0:1", "1:0:0:2:0:0:0:3", "::ffff:0:0", "::0.0.0.2", "::1.2.3.4", "1::"].map(
      fmt,
    ),
    ["::ab:0:0:0:1", "1:0:0:2::3", "::ffff:0.0.0.0", "::2", "::1.2.3.4", "1::"],
  );
});

/** What `code` (a module importing `getaddrinfo`/`getnameinfo` as `gai`) prints under `flags`. */
async function inSubprocess(code: string, flags: string[]): Promise<string> {
  const resolve = new URL("../lib/_resolve.ts", import.meta.url).href;
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(script, `import * as gai from "${resolve}";\n${code}`);
    const { stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", ...flags, script],
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(stdout).trim();
  } finally {
    await Deno.remove(script);
  }
}

Deno.test("without --allow-net a name's lookup throws Deno's NotCapable, saying so", async () => {
  const out = await inSubprocess(
    `try { await gai.getaddrinfo("localhost", 80); } catch (e) { console.log(e.name, e.message); }`,
    ["--allow-read"],
  );
  assertEquals(
    out,
    'NotCapable Requires net access to "localhost" to resolve it, run again with the --allow-net flag',
  );
});

Deno.test("an interface's name in a scope (%lo) resolves where Deno shows interfaces (-A: /sys)", async () => {
  const out = await inSubprocess(
    `console.log(JSON.stringify(await gai.getaddrinfo("fe80::1%lo", 80, { type: 1 })));
     console.log(JSON.stringify(await gai.getnameinfo(["fe80::1", 80, 0, 1], 1)));`,
    ["-A"],
  );
  assertEquals(out.split("\n"), ['[[10,1,6,"",["fe80::1",80,0,1]]]', '["fe80::1%lo","http"]']);
});
