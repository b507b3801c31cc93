// What the loop's network methods do (lib/base_events.ts keeps their public
// face and docs): connect or listen with Deno, then hand the resource to a
// transport and its protocol, as CPython's base_events.create_connection /
// create_server and their Unix twins.
import type { CreateConnectionOptions, CreateServerOptions, EventLoop } from "./base_events.ts";
import type { TimerHandle } from "./events.ts";
import type { BaseProtocol } from "./protocols.ts";
import { Server } from "./servers.ts";
import type { Transport } from "./transports.ts";
import {
  DenoTransport,
  listenersClosing,
  removeSocketFile,
  SocketTransport,
} from "./_transports.ts";
import { toOSError } from "./_oserror.ts";
import {
  ConnectionError,
  ExceptionGroup,
  NotImplementedError,
  OSError,
  RuntimeError,
  SendfileNotAvailableError,
} from "./exceptions.ts";
import {
  _transportSocket,
  AF_UNIX,
  AI_PASSIVE,
  IPPROTO_TCP,
  SOCK_STREAM,
  Socket,
  TCP_NODELAY,
} from "./socket.ts";
import { type AddrInfo, getaddrinfo, type SockAddr, sockaddrRepr } from "./_resolve.ts";

/**
 * Bring a Deno promise onto the loop: the task waits on a loop future, so
 * cancelling it works; a value that comes after a cancel goes to `orphan`.
 * Tracers hear that the running code awaits I/O (`what`: the call), so
 * that, say, the REPL knows the loop will hear from it.
 */
export async function onLoop<T>(
  loop: EventLoop,
  promise: Promise<T>,
  orphan: (v: T) => void,
  what = "I/O",
): Promise<T> {
  loop._waitingForIO(what);
  const fut = loop.createFuture<T>();
  promise.then(
    (v) => {
      if (fut.done() || loop.isClosed()) orphan(v);
      else loop._callSoonIO(() => fut.done() ? orphan(v) : fut.setResult(v), undefined);
    },
    (e) => {
      if (!fut.done() && !loop.isClosed()) {
        loop._callSoonIO(() => fut.done() || fut.setException(e), undefined);
      }
    },
  );
  return await fut;
}

/** Connect to the Unix socket `path` and wire the connection to a new protocol. */
export async function connectUnix<P extends BaseProtocol>(
  loop: EventLoop,
  protocolFactory: () => P,
  path: string,
): Promise<[Transport, P]> {
  checkFactory(protocolFactory);
  if (listenersClosing.size > 0) await onLoop(loop, Promise.all(listenersClosing), () => {});
  let conn: Deno.Conn;
  try {
    conn = await onLoop(
      loop,
      Deno.connect({ transport: "unix", path }),
      (c) => c.close(),
      "connect",
    );
  } catch (err) {
    // As CPython: a socket file that is not there is the OS's FileNotFoundError.
    throw toOSError(err);
  }
  return await wire(loop, conn, protocolFactory, false);
}

/**
 * Connect over TCP (TLS with `ssl`), as CPython's create_connection: resolve
 * `host` and `port`, try the addresses in turn (or staggered, with
 * `happyEyeballsDelay`), and wire the first connection to a new protocol.
 */
export async function connectTcp<P extends BaseProtocol>(
  loop: EventLoop,
  protocolFactory: () => P,
  host: string | null,
  port: number | string | null,
  options: CreateConnectionOptions,
): Promise<[Transport, P]> {
  checkFactory(protocolFactory);
  const { sock, ssl } = options;
  if (sock !== undefined && sock !== null) {
    if (host !== null || port !== null) {
      throw new RangeError("host/port and sock can not be specified at the same time");
    }
    if (!(sock instanceof Socket)) throw new TypeError("sock must be a Socket");
    if (sock.type !== SOCK_STREAM) {
      throw new RangeError(`A Stream Socket was expected, got ${sock}`);
    }
  } else if (host === null && port === null) {
    throw new RangeError("host and port was not specified and no sock specified");
  }
  checkPort(port, "connect");
  if (options.localAddr !== undefined && options.localAddr !== null) {
    throw new NotImplementedError(
      "localAddr is not available: Deno cannot bind a socket before connecting it",
    );
  }
  const delay = options.happyEyeballsDelay ?? null;
  let interleave = options.interleave ?? null;
  if (delay !== null && (typeof delay !== "number" || !(delay >= 0))) {
    throw new RangeError(`happyEyeballsDelay must be a non-negative number, not ${delay}`);
  }
  if (interleave !== null && (!Number.isInteger(interleave) || interleave < 0)) {
    throw new RangeError(`interleave must be a non-negative integer, not ${interleave}`);
  }
  // As CPython 3.8+: happy eyeballs interleave the families unless told otherwise.
  if (delay !== null && interleave === null) interleave = 1;
  const tls = ssl ? (ssl === true ? {} : ssl) : null;
  const tlsName = tls?.hostname ?? host;
  if (tls !== null && !tlsName) {
    throw new RangeError("You must set server_hostname when using ssl without a host");
  }

  if (listenersClosing.size > 0) await onLoop(loop, Promise.all(listenersClosing), () => {});
  let conn: Deno.Conn;
  // As CPython's _set_nodelay: a transport turns Nagle off only on a socket
  // made for IPPROTO_TCP; a given `sock` made with proto 0 keeps its own.
  let nodelay: boolean | null = null;
  if (sock !== undefined && sock !== null) {
    if (sock.family !== AF_UNIX && sock.proto !== IPPROTO_TCP) {
      nodelay = sock.getsockopt(IPPROTO_TCP, TCP_NODELAY) === 1;
    }
    conn = sock._detachConn();
  } else {
    let infos = await onLoop(
      loop,
      getaddrinfo(host, port, {
        family: options.family ?? 0,
        type: SOCK_STREAM,
        proto: options.proto ?? 0,
        flags: options.flags ?? 0,
      }),
      () => {},
      "getaddrinfo",
    );
    if (infos.length === 0) throw new OSError("getaddrinfo() returned empty list");
    if (interleave) infos = interleaveFamilies(infos, interleave);
    conn = await connectFirst(loop, infos.map((info) => info[4]), delay, options.allErrors);
  }
  const tcpConn = conn;
  if (tls !== null) {
    // Set before the handshake: the TLS connection Deno makes has no setNoDelay.
    if (nodelay === null) (tcpConn as Deno.TcpConn).setNoDelay(true);
    try {
      conn = await onLoop(
        loop,
        Deno.startTls(conn as Deno.TcpConn, { hostname: tlsName!, caCerts: tls.caCerts }).then(
          async (c) => {
            // Handshake now, so that certificate errors surface here.
            try {
              await c.handshake();
            } catch (err) {
              c.close();
              throw err;
            }
            return c;
          },
        ),
        (c) => c.close(),
      );
    } catch (err) {
      try {
        tcpConn.close();
      } catch { /* Deno.startTls took it over (and the TLS connection is closed) */ }
      throw toOSError(err);
    }
  }
  const made = await wire(loop, conn, protocolFactory, tls !== null);
  if (nodelay !== null) {
    (tcpConn as Deno.TcpConn).setNoDelay(nodelay);
    _transportSocket(conn, nodelay);
  }
  return made;
}

/** Make the protocol and its transport for `conn`; return once `connectionMade` has run. */
async function wire<P extends BaseProtocol>(
  loop: EventLoop,
  conn: Deno.Conn,
  protocolFactory: () => P,
  tls: boolean,
): Promise<[Transport, P]> {
  let protocol: P;
  try {
    protocol = protocolFactory();
  } catch (err) {
    conn.close();
    throw err;
  }
  const transport = new SocketTransport(loop, conn, protocol, { tls });
  // As CPython: the call returns once connectionMade has run.
  const made = loop.createFuture<void>();
  transport._start(true, () => made.done() || made.setResult());
  try {
    await made;
  } catch (err) {
    transport.close();
    throw err;
  }
  return [transport, protocol];
}

/**
 * One TCP connect to `sockaddr`; a refusal reads as CPython's
 * `[Errno 111] Connect call failed ('127.0.0.1', 1)`.
 */
function connectTo(sockaddr: SockAddr): Promise<Deno.Conn> {
  return Deno.connect({ hostname: sockaddr[0], port: sockaddr[1] }).catch((err) => {
    const refused = err instanceof Deno.errors.ConnectionRefused;
    throw toOSError(
      err,
      refused ? { message: `Connect call failed ${sockaddrRepr(sockaddr)}` } : {},
    );
  });
}

/**
 * The first connection to any of `addrs`: one after another, or (with
 * `delay`) staggered as CPython's staggered_race: the next attempt starts
 * when the last one fails or `delay` seconds pass, the first to connect
 * wins and any later connection is closed.
 */
async function connectFirst(
  loop: EventLoop,
  addrs: SockAddr[],
  delay: number | null,
  allErrors: boolean | undefined,
): Promise<Deno.Conn> {
  const errors: unknown[] = [];
  if (delay === null) {
    for (const addr of addrs) {
      try {
        return await onLoop(loop, connectTo(addr), (c) => c.close(), "connect");
      } catch (err) {
        if (!(err instanceof OSError)) throw err;
        errors.push(err);
      }
    }
    throw connectError(errors, allErrors);
  }
  const winner = loop.createFuture<Deno.Conn>();
  let next = 0, running = 0;
  let timer: TimerHandle | null = null;
  const start = (): void => {
    timer?.cancel();
    timer = null;
    if (winner.done() || next >= addrs.length) return;
    const i = next++;
    running++;
    if (next < addrs.length) timer = loop.callLater(delay, start);
    // A connect in flight is time a virtual clock must not skip.
    loop._externalWaits++;
    const settled = (conn: Deno.Conn | null, err: unknown) => {
      loop._externalWaits--;
      running--;
      if (conn !== null) {
        if (winner.done()) conn.close();
        else winner.setResult(conn);
        return;
      }
      errors[i] = err;
      if (winner.done()) return;
      if (!(err instanceof OSError)) winner.setException(err);
      else if (next < addrs.length) start();
      else if (running === 0) winner.setException(connectError(errors, allErrors));
    };
    connectTo(addrs[i]).then(
      (conn) => loop.isClosed() ? conn.close() : loop.callSoonThreadsafe(() => settled(conn, null)),
      (err) => loop.isClosed() || loop.callSoonThreadsafe(() => settled(null, err)),
    );
  };
  start();
  try {
    return await winner;
  } finally {
    (timer as TimerHandle | null)?.cancel();
  }
}

/** What create_connection raises when every address failed (CPython base_events). */
function connectError(errors: unknown[], allErrors: boolean | undefined): unknown {
  if (allErrors) return new ExceptionGroup("create_connection failed", errors);
  if (errors.length === 1) return errors[0];
  const texts = errors.map((e) => String((e as Error).message));
  if (texts.every((t) => t === texts[0])) return errors[0];
  return new OSError(`Multiple exceptions: ${texts.join(", ")}`);
}

/**
 * Interleave the address families, as CPython's _interleave_addrinfos: the
 * first `firstFamilyCount` rows of the first family, then one of each
 * family in turn.
 */
function interleaveFamilies(infos: AddrInfo[], firstFamilyCount: number): AddrInfo[] {
  const byFamily = new Map<number, AddrInfo[]>();
  for (const info of infos) {
    const list = byFamily.get(info[0]);
    if (list === undefined) byFamily.set(info[0], [info]);
    else list.push(info);
  }
  const lists = [...byFamily.values()];
  const out = lists[0].splice(0, Math.max(0, firstFamilyCount - 1));
  for (let i = 0; lists.some((l) => i < l.length); i++) {
    for (const list of lists) if (i < list.length) out.push(list[i]);
  }
  return out;
}

/**
 * Listen on TCP (or TLS) on every address `host` resolves to (each of
 * `host` if a list), or on the listening `sock`, and serve each connection
 * with a new protocol.
 */
export async function listenTcp(
  loop: EventLoop,
  protocolFactory: () => BaseProtocol,
  host: string | readonly string[] | null,
  port: number | string | null,
  options: CreateServerOptions,
): Promise<Server> {
  checkFactory(protocolFactory);
  const listeners: Deno.Listener[] = [];
  const sock = options.sock;
  if (sock !== undefined && sock !== null) {
    if (host !== null || port !== null) {
      throw new RangeError("host/port and sock can not be specified at the same time");
    }
    if (!(sock instanceof Socket)) throw new TypeError("sock must be a Socket");
    if (sock.type !== SOCK_STREAM) {
      throw new RangeError(`A Stream Socket was expected, got ${sock}`);
    }
    if (options.ssl) {
      throw new NotImplementedError(
        "ssl with sock is not available: Deno makes a TLS listener only by binding it itself",
      );
    }
    listeners.push(sock._detachListener());
  } else {
    checkPort(port, "bind");
    const hosts = host === null || host === "" ? [null] : typeof host === "string" ? [host] : host;
    const found = await onLoop(
      loop,
      Promise.all(hosts.map((h) =>
        getaddrinfo(h, port ?? 0, {
          family: options.family ?? 0,
          type: SOCK_STREAM,
          flags: options.flags ?? AI_PASSIVE,
        })
      )),
      () => {},
      "getaddrinfo",
    );
    const addrs = new Map<string, SockAddr>();
    for (const info of found.flat()) addrs.set(sockaddrRepr(info[4]), info[4]);
    // Deno cannot set IPV6_V6ONLY, so "::" would take the IPv4 port too and
    // the pair cannot both listen: the wildcard is IPv4's alone.
    if (hasBoth(addrs)) {
      for (const [key, addr] of addrs) if (addr[0] === "::") addrs.delete(key);
    }
    for (const addr of addrs.values()) {
      try {
        listeners.push(
          options.ssl
            ? Deno.listenTls({
              hostname: addr[0],
              port: addr[1],
              cert: options.ssl.cert,
              key: options.ssl.key,
            })
            : Deno.listen({ hostname: addr[0], port: addr[1], reusePort: options.reusePort }),
        );
      } catch (err) {
        for (const listener of listeners) listener.close();
        throw bindError(err, sockaddrRepr(addr));
      }
    }
  }
  const server = new Server(loop, listeners, protocolFactory, { tls: Boolean(options.ssl) });
  if (options.startServing ?? true) await server.startServing();
  return server;
}

/** Both wildcards, "0.0.0.0" and "::", on one port. */
function hasBoth(addrs: Map<string, SockAddr>): boolean {
  const values = [...addrs.values()];
  return values.some((a) => a[0] === "0.0.0.0") && values.some((a) => a[0] === "::");
}

/** Listen on the Unix socket `path` (a stale socket file there is removed first). */
export async function listenUnix(
  loop: EventLoop,
  protocolFactory: () => BaseProtocol,
  path: string,
  options: { startServing?: boolean },
): Promise<Server> {
  checkFactory(protocolFactory);
  removeSocketFile(path);
  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ transport: "unix", path });
  } catch (err) {
    throw toOSError(err);
  }
  const server = new Server(loop, [listener], protocolFactory, { unixPath: path });
  if (options.startServing ?? true) await server.startServing();
  return server;
}

/** As CPython's create_server: the OS's error, naming the address. */
function bindError(err: unknown, address: string): unknown {
  const exc = toOSError(err) as OSError;
  if (exc.errno === undefined || exc.errno === null) return exc;
  const reason = (exc.strerror ?? "").toLowerCase();
  return toOSError(err, {
    message: `error while attempting to bind on address ${address}: ${reason}`,
  });
}

function checkFactory(protocolFactory: unknown): void {
  if (typeof protocolFactory !== "function") {
    throw new TypeError("protocolFactory must be a function returning a protocol");
  }
}

/**
 * A numeric port out of range fails as CPython's connect() and bind() do
 * (OverflowError there): the resolver would wrap 99999 to 34463 and
 * reach a port nobody asked for.
 */
function checkPort(port: number | string | null, call: "connect" | "bind"): void {
  if (typeof port === "number" && !(port >= 0 && port <= 0xffff)) {
    throw new RangeError(`${call}(): port must be 0-65535.`);
  }
}

// The size of one block the sendfile fallbacks read, as CPython's.
const SENDFILE_BLOCK = 256 * 1024;

/**
 * asyncio's sendfile fallback, for `loop.sendfile` and `loop.sockSendfile`
 * (Deno has no sendfile()): read `file` from `offset` in blocks (`count`
 * bytes, or to its end) and hand each to `send`; leave the file's position
 * after the last byte sent. How many bytes were sent. `ready` runs once the
 * arguments are checked, before anything is read (a socket checks that it
 * is connected).
 */
export async function sendFileBlocks(
  loop: EventLoop,
  file: Deno.FsFile,
  offset: number,
  count: number | null,
  fallback: boolean,
  send: (block: Uint8Array) => Promise<void>,
  ready: () => void = () => {},
): Promise<number> {
  if (count !== null && (!Number.isInteger(count) || count <= 0)) {
    throw new RangeError(`count must be a positive integer (got ${count})`);
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(`offset must be a non-negative integer (got ${offset})`);
  }
  if (!fallback) {
    throw new SendfileNotAvailableError(
      "syscall sendfile is not available: Deno has no sendfile() for its connections",
    );
  }
  ready();
  let sent = 0;
  try {
    if (offset !== 0) await onLoop(loop, file.seek(offset, Deno.SeekMode.Start), () => {});
    for (;;) {
      const want = count === null ? SENDFILE_BLOCK : Math.min(count - sent, SENDFILE_BLOCK);
      if (want <= 0) break;
      // A new block each time: the one just sent may still be in flight.
      const block = new Uint8Array(want);
      const n = await onLoop(loop, file.read(block), () => {}, "read");
      if (n === null || n === 0) break;
      await send(block.subarray(0, n));
      sent += n;
    }
    return sent;
  } finally {
    if (sent > 0) await file.seek(offset + sent, Deno.SeekMode.Start);
  }
}

/**
 * `loop.sendfile` as CPython's `_sendfile_fallback`: each block is written,
 * waiting while the transport's buffer is above its high-water mark.
 */
export function sendfileFallback(
  loop: EventLoop,
  transport: Transport,
  file: Deno.FsFile,
  offset: number,
  count: number | null,
  fallback: boolean,
): Promise<number> {
  if (!(transport instanceof DenoTransport) || !transport.canWriteEof()) {
    throw new TypeError(`transport must be a stream transport of this library, not ${transport}`);
  }
  if (transport.isClosing()) throw new RuntimeError("Transport is closing");
  return sendFileBlocks(loop, file, offset, count, fallback, async (block) => {
    if (transport.isClosing()) throw new ConnectionError("Connection closed by peer");
    transport.write(block);
    const [, high] = transport.getWriteBufferLimits();
    if (transport.getWriteBufferSize() > high) await transport._drained();
  });
}
