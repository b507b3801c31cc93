/**
 * Sockets, as much of Python's `socket` module as asyncio code reaches for:
 * its constants (Python's names, Linux's values), a `Socket` that the loop's
 * `sock*` methods work on, and the `TransportSocket` a transport gives as
 * `getExtraInfo("socket")`.
 *
 * Deno has no socket object of its own, only what it makes when a socket is
 * already connected or listening (`Deno.Conn`, `Deno.Listener`). So a
 * `Socket` holds one of those once it has one, and some of what a Python
 * socket does is not possible: raw sockets (`SOCK_RAW`), Unix datagram
 * sockets, binding a socket before connecting it, and any `setsockopt` but
 * `TCP_NODELAY`, `SO_KEEPALIVE`, `SO_REUSEADDR` (always on for listeners),
 * `SO_REUSEPORT` (before `bind`) and `SO_BROADCAST` (UDP) throw
 * `NotImplementedError` naming what is missing. A TCP or Unix socket's
 * `bind()` listens at once (Deno cannot bind without listening); a UDP
 * socket (over `node:dgram`) binds in the background.
 * @module
 */
import dgram from "node:dgram";
import type { EventLoop } from "./base_events.ts";
import { BlockingIOError, NotImplementedError, RuntimeError } from "./exceptions.ts";
import { onLoop, sendFileBlocks } from "./_network.ts";
import { oserrorFromErrno, toOSError } from "./_oserror.ts";
import { getaddrinfo, parseIPv6, type SockAddr, sockaddrRepr } from "./_resolve.ts";

export type { AddrInfo, GetAddrInfoOptions, SockAddr } from "./_resolve.ts";

// ---- The constants (Linux's values, as `python3 -c "import socket"` prints them)

/** Unspecified address family (IPv4 or IPv6). Mirrors `socket.AF_UNSPEC`. */
export const AF_UNSPEC = 0;
/** Unix domain sockets. Mirrors `socket.AF_UNIX`. */
export const AF_UNIX = 1;
/** IPv4. Mirrors `socket.AF_INET`. */
export const AF_INET = 2;
/** IPv6. Mirrors `socket.AF_INET6`. */
export const AF_INET6 = 10;
/** A byte stream (TCP). Mirrors `socket.SOCK_STREAM`. */
export const SOCK_STREAM = 1;
/** Datagrams (UDP). Mirrors `socket.SOCK_DGRAM`. */
export const SOCK_DGRAM = 2;
/** Raw packets (not available in Deno; getaddrinfo rows name it). Mirrors `socket.SOCK_RAW`. */
export const SOCK_RAW = 3;
/** Reliable ordered datagrams (getaddrinfo rows only). Mirrors `socket.SOCK_SEQPACKET`. */
export const SOCK_SEQPACKET = 5;
/** The default protocol. Mirrors `socket.IPPROTO_IP`. */
export const IPPROTO_IP = 0;
/** TCP. Mirrors `socket.IPPROTO_TCP`. */
export const IPPROTO_TCP = 6;
/** UDP. Mirrors `socket.IPPROTO_UDP`. */
export const IPPROTO_UDP = 17;
/** IPv6 options level. Mirrors `socket.IPPROTO_IPV6`. */
export const IPPROTO_IPV6 = 41;
/** getaddrinfo: addresses to bind a server to (the wildcard for a null host). Mirrors `socket.AI_PASSIVE`. */
export const AI_PASSIVE = 0x1;
/** getaddrinfo: fill the first row's canonical name. Mirrors `socket.AI_CANONNAME`. */
export const AI_CANONNAME = 0x2;
/** getaddrinfo: the host must be a numeric address. Mirrors `socket.AI_NUMERICHOST`. */
export const AI_NUMERICHOST = 0x4;
/** getaddrinfo: IPv4 answers as IPv4-mapped IPv6 ones (with `AF_INET6`). Mirrors `socket.AI_V4MAPPED`. */
export const AI_V4MAPPED = 0x8;
/** getaddrinfo: with `AI_V4MAPPED`, both IPv6 and mapped IPv4 answers. Mirrors `socket.AI_ALL`. */
export const AI_ALL = 0x10;
/** getaddrinfo: only families this machine has an address of. Mirrors `socket.AI_ADDRCONFIG`. */
export const AI_ADDRCONFIG = 0x20;
/** getaddrinfo: the port must be a number. Mirrors `socket.AI_NUMERICSERV`. */
export const AI_NUMERICSERV = 0x400;
/** getnameinfo: the numeric address, no lookup. Mirrors `socket.NI_NUMERICHOST`. */
export const NI_NUMERICHOST = 1;
/** getnameinfo: the port number, not its service name. Mirrors `socket.NI_NUMERICSERV`. */
export const NI_NUMERICSERV = 2;
/** getnameinfo: the short name for a local host. Mirrors `socket.NI_NOFQDN`. */
export const NI_NOFQDN = 4;
/** getnameinfo: fail if the address has no name. Mirrors `socket.NI_NAMEREQD`. */
export const NI_NAMEREQD = 8;
/** getnameinfo: the service is a UDP one. Mirrors `socket.NI_DGRAM`. */
export const NI_DGRAM = 16;
/** The longest host name getnameinfo gives. Mirrors `socket.NI_MAXHOST`. */
export const NI_MAXHOST = 1025;
/** The longest service name getnameinfo gives. Mirrors `socket.NI_MAXSERV`. */
export const NI_MAXSERV = 32;
/** gaierror: bad `flags`. Mirrors `socket.EAI_BADFLAGS`. */
export const EAI_BADFLAGS: -1 = -1;
/** gaierror: name or service not known. Mirrors `socket.EAI_NONAME`. */
export const EAI_NONAME: -2 = -2;
/** gaierror: temporary failure in name resolution. Mirrors `socket.EAI_AGAIN`. */
export const EAI_AGAIN: -3 = -3;
/** gaierror: non-recoverable failure. Mirrors `socket.EAI_FAIL`. */
export const EAI_FAIL: -4 = -4;
/** gaierror: the name has no address. Mirrors `socket.EAI_NODATA`. */
export const EAI_NODATA: -5 = -5;
/** gaierror: `family` not supported. Mirrors `socket.EAI_FAMILY`. */
export const EAI_FAMILY: -6 = -6;
/** gaierror: `type` not supported. Mirrors `socket.EAI_SOCKTYPE`. */
export const EAI_SOCKTYPE: -7 = -7;
/** gaierror: the service is not known for the socket type. Mirrors `socket.EAI_SERVICE`. */
export const EAI_SERVICE: -8 = -8;
/** gaierror: the host has no address of `family`. Mirrors `socket.EAI_ADDRFAMILY`. */
export const EAI_ADDRFAMILY: -9 = -9;
/** gaierror: out of memory. Mirrors `socket.EAI_MEMORY`. */
export const EAI_MEMORY: -10 = -10;
/** gaierror: a system error (see errno). Mirrors `socket.EAI_SYSTEM`. */
export const EAI_SYSTEM: -11 = -11;
/** Socket-level options (`setsockopt`). Mirrors `socket.SOL_SOCKET`. */
export const SOL_SOCKET = 1;
/** TCP-level options, as `IPPROTO_TCP`. Mirrors `socket.SOL_TCP`. */
export const SOL_TCP = 6;
/** Allow reusing a local address (always on for Deno's listeners). Mirrors `socket.SO_REUSEADDR`. */
export const SO_REUSEADDR = 2;
/** The socket's type (`getsockopt` only). Mirrors `socket.SO_TYPE`. */
export const SO_TYPE = 3;
/** The pending error (`getsockopt` only; always 0 here). Mirrors `socket.SO_ERROR`. */
export const SO_ERROR = 4;
/** Allow sending to broadcast addresses (UDP). Mirrors `socket.SO_BROADCAST`. */
export const SO_BROADCAST = 6;
/** TCP keep-alive probes. Mirrors `socket.SO_KEEPALIVE`. */
export const SO_KEEPALIVE = 9;
/** Let several sockets bind one port (set before `bind`). Mirrors `socket.SO_REUSEPORT`. */
export const SO_REUSEPORT = 15;
/** Send small writes at once (no Nagle delay). Mirrors `socket.TCP_NODELAY`. */
export const TCP_NODELAY = 1;
/** `shutdown`: no more receives (not available in Deno). Mirrors `socket.SHUT_RD`. */
export const SHUT_RD = 0;
/** `shutdown`: no more sends (sends EOF). Mirrors `socket.SHUT_WR`. */
export const SHUT_WR = 1;
/** `shutdown`: neither (not available in Deno). Mirrors `socket.SHUT_RDWR`. */
export const SHUT_RDWR = 2;
/** The largest listen backlog. Mirrors `socket.SOMAXCONN`. */
export const SOMAXCONN = 4096;

/** @ignore Every constant above, for the `socket` object's type. */
export const _SOCKET_CONSTANTS = {
  AF_UNSPEC,
  AF_UNIX,
  AF_INET,
  AF_INET6,
  SOCK_STREAM,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_SEQPACKET,
  IPPROTO_IP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_IPV6,
  AI_PASSIVE,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_V4MAPPED,
  AI_ALL,
  AI_ADDRCONFIG,
  AI_NUMERICSERV,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  NI_NOFQDN,
  NI_NAMEREQD,
  NI_DGRAM,
  NI_MAXHOST,
  NI_MAXSERV,
  EAI_BADFLAGS,
  EAI_NONAME,
  EAI_AGAIN,
  EAI_FAIL,
  EAI_NODATA,
  EAI_FAMILY,
  EAI_SOCKTYPE,
  EAI_SERVICE,
  EAI_ADDRFAMILY,
  EAI_MEMORY,
  EAI_SYSTEM,
  SOL_SOCKET,
  SOL_TCP,
  SO_REUSEADDR,
  SO_TYPE,
  SO_ERROR,
  SO_BROADCAST,
  SO_KEEPALIVE,
  SO_REUSEPORT,
  TCP_NODELAY,
  SHUT_RD,
  SHUT_WR,
  SHUT_RDWR,
  SOMAXCONN,
} as const;

/**
 * Python's `socket` module as one object, so that code reads as Python's:
 * `socket.socket(socket.AF_INET, socket.SOCK_STREAM)`, `socket.AI_PASSIVE`.
 * Mirrors the `socket` module's constants and its `socket()` constructor.
 * @example
 * ```ts
 * import { socket } from "@asyncio/deno";
 * using sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
 * console.assert(sock.family === 2 && socket.AI_PASSIVE === 1);
 * ```
 */
export const socket: Readonly<
  typeof _SOCKET_CONSTANTS & {
    socket: (family?: number, type?: number, proto?: number) => Socket;
  }
> = Object.freeze({
  ..._SOCKET_CONSTANTS,
  socket: (family?: number, type?: number, proto?: number) => new Socket(family, type, proto),
});

// ---- Socket ----------------------------------------------------------------

// A number per socket, for fileno(): Deno does not expose descriptors.
let nextFileno = 3;

/** What the options `setsockopt` can set are, until the socket has a resource to set them on. */
interface Options {
  nodelay: boolean;
  keepalive: boolean;
  reusePort: boolean;
  broadcast: boolean;
}

/** A UDP socket's datagrams not yet received, and who waits for them. */
interface Datagrams {
  udp: dgram.Socket;
  /** Settles when node:dgram has bound the socket (`bind`, or a first send or connect), or failed to. */
  bound: Promise<void>;
  isBound: boolean;
  /** `bind()` was called: sends wait for it (and fail as it failed). */
  bindCalled: boolean;
  /** Fail `bound` (a close before any bind ends the waits for one). */
  unbound: (err: unknown) => void;
  queue: Array<[Uint8Array, SockAddr]>;
  /** An error node:dgram reported after the bind, for the next receive. */
  error: unknown;
  /** The address `sockConnect` set, if any. */
  peer: SockAddr | null;
  wake: (() => void) | null;
}

// Invariants: a socket holds at most one of `#conn` (connected stream),
// `#listener` (bound stream) and `#dgram` (UDP); `#fileno` is -1 once
// closed or handed to a transport or server, and then it holds none. Bytes
// read but not yet taken wait in `#pending` (a cancelled `sockRecv` loses
// nothing: a read's data is only taken by a call that resumes on the loop).
/**
 * A socket, for the loop's `sock*` methods: TCP (`AF_INET`/`AF_INET6` with
 * `SOCK_STREAM`, client or listener), UDP (`SOCK_DGRAM`, over `node:dgram`)
 * and Unix stream sockets (`AF_UNIX`). Every `Socket` is non-blocking:
 * read and write it with `loop.sockRecv`, `sockSendall`, `sockAccept`, …
 *
 * Mirrors `socket.socket`. Not available (throw `NotImplementedError`): raw
 * sockets, Unix datagram sockets, `bind()` before a connect, most socket
 * options (see the module). A stream socket's `bind()` listens at once.
 * `close()` or `using` releases it.
 * @example
 * ```ts
 * import { AF_INET, getRunningLoop, run, SOCK_STREAM, Socket } from "@asyncio/deno";
 * await run(async () => {
 *   const loop = getRunningLoop();
 *   using server = new Socket(AF_INET, SOCK_STREAM);
 *   server.bind(["127.0.0.1", 0]);
 *   server.listen();
 *   using client = new Socket(AF_INET, SOCK_STREAM);
 *   await loop.sockConnect(client, server.getsockname());
 *   const [conn] = await loop.sockAccept(server);
 *   using _ = conn;
 *   await loop.sockSendall(client, new TextEncoder().encode("ping"));
 *   console.assert(new TextDecoder().decode(await loop.sockRecv(conn, 100)) === "ping");
 * });
 * ```
 */
export class Socket implements Disposable {
  /** `AF_INET`, `AF_INET6` or `AF_UNIX`. */
  readonly family: number;
  /** `SOCK_STREAM` or `SOCK_DGRAM`. */
  readonly type: number;
  /** The protocol number given (0 by default). */
  readonly proto: number;
  #fileno: number;
  #conn: Deno.Conn | null = null;
  #listener: Deno.Listener | null = null;
  #dgram: Datagrams | null = null;
  #options: Options = { nodelay: false, keepalive: false, reusePort: false, broadcast: false };
  #pending: Uint8Array[] = [];
  #eof = false;
  #readError: unknown = null;
  #reading: Promise<void> | null = null;
  #accepted: Deno.Conn[] = [];
  #accepting: Promise<void> | null = null;
  #writing: Promise<void> = Promise.resolve();
  #shutWrite = false;

  /**
   * A new socket, not yet connected or bound.
   * @throws {NotImplementedError} for `SOCK_RAW` or Unix datagram sockets.
   * @throws {OSError} `EAFNOSUPPORT` / `EPROTONOSUPPORT` as Linux for an
   *   unknown family or a protocol that does not fit the type.
   */
  constructor(family: number = AF_INET, type: number = SOCK_STREAM, proto: number = 0) {
    if (type === SOCK_RAW) {
      throw new NotImplementedError("raw sockets (SOCK_RAW) are not available: Deno has none");
    }
    if (family !== AF_INET && family !== AF_INET6 && family !== AF_UNIX) {
      throw oserrorFromErrno(97); // EAFNOSUPPORT
    }
    if (type !== SOCK_STREAM && type !== SOCK_DGRAM) throw oserrorFromErrno(22);
    if (family === AF_UNIX && type === SOCK_DGRAM) {
      throw new NotImplementedError(
        "Unix datagram sockets are not available: Deno has them only behind --unstable-net",
      );
    }
    const fits = family === AF_UNIX ? 0 : type === SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
    if (proto !== 0 && proto !== fits) throw oserrorFromErrno(93); // EPROTONOSUPPORT
    this.family = family;
    this.type = type;
    this.proto = proto;
    this.#fileno = nextFileno++;
  }

  /** @ignore A socket over a connection Deno made (accepted, or a transport's). */
  static _fromConn(conn: Deno.Conn, options: { nodelay?: boolean } = {}): Socket {
    const sock = new Socket(familyOf(conn.localAddr), SOCK_STREAM);
    sock.#conn = conn;
    sock.#options.nodelay = options.nodelay ?? false;
    return sock;
  }

  /**
   * A number naming this socket in this process, stable while it is open
   * (not an OS descriptor: Deno does not expose those); -1 once closed.
   * Mirrors `socket.fileno`.
   */
  fileno(): number {
    return this.#fileno;
  }

  /**
   * Accepted for porting: every `Socket` is non-blocking to the loop, and
   * its `sock*` methods never block the thread. Mirrors `socket.setblocking`.
   */
  setblocking(_flag: boolean): void {
    this.#checkOpen();
  }

  /**
   * This socket's own address: `[host, port]` (`[host, port, flowinfo,
   * scopeId]` for IPv6), a Unix socket's path, or the unbound address
   * (`["0.0.0.0", 0]`, `""`). Mirrors `socket.getsockname`.
   * @throws {BlockingIOError} while a UDP socket is still binding.
   */
  getsockname(): SockAddr | string {
    this.#checkOpen();
    if (this.#conn !== null) return toSockAddr(this.#conn.localAddr);
    if (this.#listener !== null) return toSockAddr(this.#listener.addr);
    if (this.#dgram !== null) {
      if (!this.#dgram.isBound) {
        throw new BlockingIOError(
          11,
          "the UDP socket is still binding (node:dgram binds in the background): await a loop.sock* call on it first",
        );
      }
      const { address, port } = this.#dgram.udp.address();
      return this.family === AF_INET6 ? [address, port, 0, 0] : [address, port];
    }
    if (this.family === AF_UNIX) return "";
    return this.family === AF_INET6 ? ["::", 0, 0, 0] : ["0.0.0.0", 0];
  }

  /**
   * The peer's address, as `getsockname` gives addresses.
   * Mirrors `socket.getpeername`.
   * @throws {OSError} `ENOTCONN` if not connected.
   */
  getpeername(): SockAddr | string {
    this.#checkOpen();
    if (this.#dgram?.peer) return this.#dgram.peer;
    if (this.#conn === null) throw oserrorFromErrno(107);
    return toSockAddr(this.#conn.remoteAddr);
  }

  /**
   * Set a socket option: `TCP_NODELAY` and `SO_KEEPALIVE` (TCP), `SO_REUSEPORT`
   * (before `bind`), `SO_BROADCAST` (UDP), `SO_REUSEADDR` (accepted: Deno's
   * listeners always have it). Mirrors `socket.setsockopt`.
   * @throws {NotImplementedError} for any other option, naming it.
   */
  setsockopt(level: number, optname: number, value: number | boolean): void {
    this.#checkOpen();
    const on = Boolean(value);
    const tcp = this.type === SOCK_STREAM && this.family !== AF_UNIX;
    if (tcp && (level === IPPROTO_TCP) && optname === TCP_NODELAY) {
      this.#options.nodelay = on;
      if (this.#conn !== null) (this.#conn as Deno.TcpConn).setNoDelay(on);
    } else if (tcp && level === SOL_SOCKET && optname === SO_KEEPALIVE) {
      this.#options.keepalive = on;
      if (this.#conn !== null) (this.#conn as Deno.TcpConn).setKeepAlive(on);
    } else if (level === SOL_SOCKET && optname === SO_REUSEPORT && this.family !== AF_UNIX) {
      this.#options.reusePort = on;
    } else if (level === SOL_SOCKET && optname === SO_BROADCAST && this.type === SOCK_DGRAM) {
      this.#options.broadcast = on;
      if (this.#dgram?.isBound) this.#dgram.udp.setBroadcast(on);
    } else if (level === SOL_SOCKET && optname === SO_REUSEADDR && on) {
      // Deno sets it on every listener already.
    } else {
      throw new NotImplementedError(
        `setsockopt(${level}, ${optname}) is not available: Deno exposes only TCP_NODELAY, ` +
          "SO_KEEPALIVE, SO_REUSEPORT, SO_BROADCAST and SO_REUSEADDR (on)",
      );
    }
  }

  /**
   * Read back an option `setsockopt` can set (as 0 or 1), `SO_TYPE`, or
   * `SO_ERROR` (always 0: errors are thrown by the call that meets them).
   * Mirrors `socket.getsockopt`.
   * @throws {NotImplementedError} for any other option.
   */
  getsockopt(level: number, optname: number): number {
    this.#checkOpen();
    const known: Record<string, boolean | number> = {
      [`${IPPROTO_TCP}/${TCP_NODELAY}`]: this.#options.nodelay,
      [`${SOL_SOCKET}/${SO_KEEPALIVE}`]: this.#options.keepalive,
      [`${SOL_SOCKET}/${SO_REUSEPORT}`]: this.#options.reusePort,
      [`${SOL_SOCKET}/${SO_BROADCAST}`]: this.#options.broadcast,
      [`${SOL_SOCKET}/${SO_REUSEADDR}`]: this.#listener !== null,
      [`${SOL_SOCKET}/${SO_TYPE}`]: this.type,
      [`${SOL_SOCKET}/${SO_ERROR}`]: 0,
    };
    const value = known[`${level}/${optname}`];
    if (value === undefined) {
      throw new NotImplementedError(`getsockopt(${level}, ${optname}) is not available in Deno`);
    }
    return Number(value);
  }

  /**
   * Bind to `address` (`[host, port]`, or a path for `AF_UNIX`). A stream
   * socket listens at once (Deno cannot bind without listening: early
   * clients wait in the backlog until `sockAccept`); a UDP socket binds in
   * the background, and its `sock*` calls wait for it.
   * Mirrors `socket.bind`.
   * @throws {OSError} as the OS refuses (`EADDRINUSE`, …); `EINVAL` if bound already.
   */
  bind(address: SockAddr | string): void {
    this.#checkOpen();
    if (this.#listener !== null || this.#conn !== null || this.#dgram !== null) {
      throw oserrorFromErrno(22);
    }
    if (this.type === SOCK_DGRAM) {
      const [host, port] = inetAddress(address, this.family);
      const datagrams = this.#udp();
      datagrams.bindCalled = true;
      datagrams.udp.bind(port, host ?? (this.family === AF_INET6 ? "::" : "0.0.0.0"));
      return;
    }
    try {
      this.#listener = this.family === AF_UNIX
        ? Deno.listen({ transport: "unix", path: unixPath(address) })
        : listenTcp(inetAddress(address, this.family), this.family, this.#options.reusePort);
    } catch (err) {
      throw toOSError(err);
    }
  }

  /**
   * Accept connections (with `loop.sockAccept`). An unbound socket is bound
   * to a free port first, as Linux does. `backlog` is not applied (Deno
   * gives no way to set it). Mirrors `socket.listen`.
   * @throws {OSError} `EOPNOTSUPP` on a UDP socket.
   */
  listen(_backlog?: number): void {
    this.#checkOpen();
    if (this.type !== SOCK_STREAM) throw oserrorFromErrno(95);
    if (this.#conn !== null) throw oserrorFromErrno(22);
    if (this.#listener === null) this.bind(this.family === AF_INET6 ? ["::", 0] : ["0.0.0.0", 0]);
  }

  /**
   * `SHUT_WR` sends EOF after what was sent (the peer's reads end); Deno
   * cannot stop only the receiving side. Mirrors `socket.shutdown`.
   * @throws {NotImplementedError} for `SHUT_RD` and `SHUT_RDWR`.
   * @throws {OSError} `ENOTCONN` if not connected.
   */
  shutdown(how: number): void {
    this.#checkOpen();
    if (how !== SHUT_WR) {
      throw new NotImplementedError(
        "shutdown(SHUT_RD) and shutdown(SHUT_RDWR) are not available: Deno can only end the sending side (SHUT_WR)",
      );
    }
    const conn = this.#conn;
    if (conn === null) throw oserrorFromErrno(107);
    if (this.#shutWrite) return;
    this.#shutWrite = true;
    // After every sockSendall already started, as the kernel would order it.
    this.#writing = this.#writing.then(() => conn.closeWrite()).catch(() => {});
  }

  /** Close the socket; pending `sock*` calls fail. Idempotent. Mirrors `socket.close`. */
  close(): void {
    if (this.#fileno === -1) return;
    this.#fileno = -1;
    const conn = this.#conn, listener = this.#listener, datagrams = this.#dgram;
    this.#conn = this.#listener = this.#dgram = null;
    for (const accepted of this.#accepted.splice(0)) accepted.close();
    try {
      conn?.close();
      listener?.close();
    } catch { /* already closed by Deno */ }
    if (datagrams !== null) {
      datagrams.udp.close();
      datagrams.unbound(oserrorFromErrno(9));
      datagrams.wake?.();
    }
  }

  /** `using sock = new Socket()` closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** For example `<Socket fd=3, family=2, type=1, proto=0, laddr=('127.0.0.1', 8000)>`. */
  toString(): string {
    if (this.#fileno === -1) {
      return `<Socket [closed] fd=-1, family=${this.family}, type=${this.type}, proto=${this.proto}>`;
    }
    let text =
      `<Socket fd=${this.#fileno}, family=${this.family}, type=${this.type}, proto=${this.proto}`;
    try {
      const local = this.getsockname();
      if (local !== "") text += `, laddr=${sockaddrRepr(local)}`;
      if (this.#conn !== null) text += `, raddr=${sockaddrRepr(this.getpeername())}`;
    } catch { /* still binding */ }
    return text + ">";
  }

  // ---- What the loop's sock* methods do (lib/base_events.ts) -------------

  /** @ignore `loop.sockConnect`. */
  async _connect(loop: EventLoop, address: SockAddr | string): Promise<void> {
    this.#checkOpen();
    if (this.type === SOCK_DGRAM) {
      const to = await this.#resolve(loop, address);
      const datagrams = this.#udp();
      const connected = (datagrams.bindCalled ? datagrams.bound : Promise.resolve()).then(() =>
        new Promise<void>((resolve, reject) => {
          datagrams.udp.connect(to[1], to[0], (err?: Error) => {
            if (err) reject(toOSError(err));
            else resolve();
          });
        })
      );
      await onLoop(loop, connected, () => {});
      datagrams.peer = to;
      return;
    }
    if (this.#listener !== null) {
      throw new NotImplementedError(
        "connecting a bound socket is not available: Deno cannot bind a socket before connecting it",
      );
    }
    if (this.#conn !== null) throw oserrorFromErrno(106); // EISCONN
    let conn: Deno.Conn;
    if (this.family === AF_UNIX) {
      try {
        conn = await onLoop(
          loop,
          Deno.connect({ transport: "unix", path: unixPath(address) }),
          (c) => {
            c.close();
          },
        );
      } catch (err) {
        throw toOSError(err);
      }
    } else {
      const resolved = await this.#resolve(loop, address);
      try {
        conn = await onLoop(
          loop,
          Deno.connect({ hostname: resolved[0], port: resolved[1] }),
          (c) => c.close(),
        );
      } catch (err) {
        // As CPython's sock_connect: "[Errno 111] Connect call failed ('127.0.0.1', 1)".
        const refused = err instanceof Deno.errors.ConnectionRefused;
        throw toOSError(
          err,
          refused ? { message: `Connect call failed ${sockaddrRepr(resolved)}` } : {},
        );
      }
    }
    if (this.#fileno === -1) {
      conn.close();
      throw oserrorFromErrno(9);
    }
    this.#conn = conn;
    this.#applyOptions(conn);
  }

  /** @ignore `loop.sockAccept`. */
  async _accept(loop: EventLoop): Promise<[Socket, SockAddr | string]> {
    for (;;) {
      this.#checkOpen();
      if (this.#listener === null) throw oserrorFromErrno(22);
      const conn = this.#accepted.shift();
      if (conn !== undefined) {
        const sock = Socket._fromConn(conn);
        return [sock, toSockAddr(conn.remoteAddr)];
      }
      await onLoop(loop, this.#accepting ??= this.#acceptOne(this.#listener), () => {});
    }
  }

  /** @ignore `loop.sockRecv`: up to `n` bytes; empty at EOF. */
  async _recv(loop: EventLoop, n: number): Promise<Uint8Array> {
    if (!Number.isInteger(n) || n < 0) throw new RangeError("negative buffersize in recv");
    if (this.type === SOCK_DGRAM) return (await this._recvfrom(loop, n))[0];
    for (;;) {
      const conn = this.#connected();
      if (n === 0) return new Uint8Array(0);
      if (this.#pending.length > 0) return this.#take(n);
      if (this.#readError !== null) throw this.#readError;
      if (this.#eof) return new Uint8Array(0);
      await onLoop(loop, this.#reading ??= this.#readSome(conn, n), () => {});
    }
  }

  /** @ignore `loop.sockRecvInto`: how many bytes were written into `buf`. */
  async _recvInto(loop: EventLoop, buf: Uint8Array): Promise<number> {
    if (!(buf instanceof Uint8Array)) throw new TypeError("buf must be a Uint8Array");
    const data = await this._recv(loop, buf.length);
    buf.set(data);
    return data.length;
  }

  /** @ignore `loop.sockSendall`. */
  async _sendall(loop: EventLoop, data: Uint8Array): Promise<void> {
    if (!(data instanceof Uint8Array)) throw new TypeError("data must be a Uint8Array");
    if (this.type === SOCK_DGRAM) {
      if (this.#dgram === null) throw oserrorFromErrno(89); // EDESTADDRREQ
      if (this.#dgram.peer === null) throw oserrorFromErrno(89); // EDESTADDRREQ
      await this.#send(loop, data, null);
      return;
    }
    const conn = this.#connected();
    if (this.#shutWrite) throw oserrorFromErrno(32);
    const written = this.#writing.then(async () => {
      for (let off = 0; off < data.length;) off += await conn.write(data.subarray(off));
    });
    this.#writing = written.catch(() => {});
    try {
      await onLoop(loop, written, () => {});
    } catch (err) {
      throw toOSError(err);
    }
  }

  /** @ignore `loop.sockRecvfrom`: `[data, address]`; a datagram longer than `n` is cut. */
  async _recvfrom(loop: EventLoop, n: number): Promise<[Uint8Array, SockAddr | null]> {
    if (!Number.isInteger(n) || n < 0) throw new RangeError("negative buffersize in recvfrom");
    if (this.type === SOCK_STREAM) return [await this._recv(loop, n), null];
    for (;;) {
      this.#checkOpen();
      const datagrams = this.#udp();
      if (!datagrams.isBound) {
        // Whatever binds it (bind, a send) lets datagrams in; a failed bind throws.
        await onLoop(loop, datagrams.bound, () => {});
        continue;
      }
      const first = datagrams.queue.shift();
      if (first !== undefined) return [first[0].subarray(0, n), first[1]];
      if (datagrams.error !== null) {
        const error = datagrams.error;
        datagrams.error = null;
        throw toOSError(error);
      }
      await onLoop(
        loop,
        new Promise<void>((resolve) => datagrams.wake = resolve),
        () => {},
      );
    }
  }

  /** @ignore `loop.sockRecvfromInto`: `[count, address]`. */
  async _recvfromInto(
    loop: EventLoop,
    buf: Uint8Array,
    n: number,
  ): Promise<[number, SockAddr | null]> {
    if (!(buf instanceof Uint8Array)) throw new TypeError("buf must be a Uint8Array");
    const size = n === 0 ? buf.length : n;
    if (size > buf.length) throw new RangeError("nbytes is greater than the length of the buffer");
    const [data, address] = await this._recvfrom(loop, size);
    buf.set(data);
    return [data.length, address];
  }

  /** @ignore `loop.sockSendto`: the bytes sent. */
  async _sendto(loop: EventLoop, data: Uint8Array, address: SockAddr): Promise<number> {
    if (!(data instanceof Uint8Array)) throw new TypeError("data must be a Uint8Array");
    if (this.type !== SOCK_DGRAM) {
      await this._sendall(loop, data); // as Linux: a connected stream ignores the address
      return data.length;
    }
    await this.#send(loop, data, await this.#resolve(loop, address));
    return data.length;
  }

  /**
   * @ignore `loop.sockSendfile`: Deno has no sendfile(), so this is
   * CPython's fallback (base_events._sock_sendfile_fallback): read a block,
   * send it, until `count` bytes or EOF; the file is left at `offset` plus
   * what was sent.
   */
  _sendfile(
    loop: EventLoop,
    file: Deno.FsFile,
    offset: number,
    count: number | null,
    fallback: boolean,
  ): Promise<number> {
    if (this.type !== SOCK_STREAM) {
      throw new RangeError("only SOCK_STREAM type sockets are supported");
    }
    return sendFileBlocks(
      loop,
      file,
      offset,
      count,
      fallback,
      (block) => this._sendall(loop, block),
      () => this.#connected(),
    );
  }

  /**
   * @ignore Hand the connection to a transport (`createConnection({ sock })`):
   * this socket no longer owns it.
   */
  _detachConn(): Deno.Conn {
    const conn = this.#connected();
    if (this.#pending.length > 0 || this.#reading !== null) {
      throw new RuntimeError("the socket has data read but not received: it cannot be handed over");
    }
    this.#conn = null;
    this.#fileno = -1;
    return conn;
  }

  /** @ignore Hand the listener to a server (`createServer({ sock })`), listening first. */
  _detachListener(): Deno.Listener {
    this.listen();
    if (this.#accepting !== null || this.#accepted.length > 0) {
      throw new RuntimeError("the socket has connections accepted: it cannot be handed over");
    }
    const listener = this.#listener!;
    this.#listener = null;
    this.#fileno = -1;
    return listener;
  }

  // ---- Internals ---------------------------------------------------------

  #checkOpen(): void {
    if (this.#fileno === -1) throw oserrorFromErrno(9); // EBADF, as a closed Python socket
  }

  #connected(): Deno.Conn {
    this.#checkOpen();
    if (this.#conn === null) throw oserrorFromErrno(107); // ENOTCONN
    return this.#conn;
  }

  #applyOptions(conn: Deno.Conn): void {
    if (this.family === AF_UNIX) return;
    const tcp = conn as Deno.TcpConn;
    if (this.#options.nodelay) tcp.setNoDelay(true);
    if (this.#options.keepalive) tcp.setKeepAlive(true);
  }

  /** One read of at most `n` bytes into `#pending` (or EOF, or the error). */
  async #readSome(conn: Deno.Conn, n: number): Promise<void> {
    try {
      const buf = new Uint8Array(Math.min(n, MAX_READ));
      const got = await conn.read(buf);
      if (got === null) this.#eof = true;
      else this.#pending.push(buf.subarray(0, got));
    } catch (err) {
      // A read cut short by close() is EBADF, as a Python socket's.
      this.#readError = this.#fileno === -1 ? oserrorFromErrno(9) : toOSError(err);
    } finally {
      this.#reading = null;
    }
  }

  #take(n: number): Uint8Array {
    const first = this.#pending[0];
    if (first.length <= n) {
      this.#pending.shift();
      return first;
    }
    this.#pending[0] = first.subarray(n);
    return first.subarray(0, n);
  }

  async #acceptOne(listener: Deno.Listener): Promise<void> {
    try {
      this.#accepted.push(await listener.accept());
    } catch (err) {
      if (this.#fileno !== -1) throw toOSError(err);
    } finally {
      this.#accepting = null;
    }
  }

  /** The first address `address` resolves to for this socket, as CPython's `_ensure_resolved`. */
  async #resolve(loop: EventLoop, address: SockAddr | string): Promise<SockAddr> {
    const [host, port] = inetAddress(address, this.family);
    const rows = await onLoop(
      loop,
      getaddrinfo(host, port, { family: this.family, type: this.type, proto: this.proto }),
      () => {},
    );
    return rows[0][4];
  }

  /** The UDP socket, made on first use (a send binds it, as the kernel does). */
  #udp(): Datagrams {
    if (this.#dgram !== null) return this.#dgram;
    const udp = dgram.createSocket({
      type: this.family === AF_INET6 ? "udp6" : "udp4",
      reusePort: this.#options.reusePort,
    } as dgram.SocketOptions);
    let bound!: () => void, failed!: (err: unknown) => void;
    const datagrams: Datagrams = {
      udp,
      bound: new Promise<void>((resolve, reject) => [bound, failed] = [resolve, reject]),
      isBound: false,
      bindCalled: false,
      unbound: failed,
      queue: [],
      error: null,
      peer: null,
      wake: null,
    };
    datagrams.bound.catch(() => {}); // reported by the next sock* call
    udp.on("message", (msg: Uint8Array, rinfo: dgram.RemoteInfo) => {
      const address: SockAddr = rinfo.family === "IPv6"
        ? [rinfo.address, rinfo.port, 0, 0]
        : [rinfo.address, rinfo.port];
      datagrams.queue.push([new Uint8Array(msg.buffer, msg.byteOffset, msg.length), address]);
      wakeUp(datagrams);
    });
    // Without a listener, node:dgram would throw an error event at the process.
    udp.on("error", (err: Error) => {
      if (datagrams.isBound) datagrams.error = err;
      else failed(toOSError(err));
      wakeUp(datagrams);
    });
    udp.on("listening", () => {
      datagrams.isBound = true;
      if (this.#options.broadcast) udp.setBroadcast(true);
      bound();
    });
    this.#dgram = datagrams;
    return datagrams;
  }

  async #send(loop: EventLoop, data: Uint8Array, to: SockAddr | null): Promise<void> {
    this.#checkOpen();
    const datagrams = this.#udp();
    const sent = (datagrams.bindCalled ? datagrams.bound : Promise.resolve()).then(() =>
      new Promise<void>((resolve, reject) => {
        const done = (err: Error | null) => err === null ? resolve() : reject(toOSError(err));
        if (to === null) datagrams.udp.send(data, done);
        else datagrams.udp.send(data, to[1], to[0], done);
      })
    );
    await onLoop(loop, sent, () => {});
  }
}

/** Wake the one receive waiting for a datagram, if any. */
function wakeUp(datagrams: Datagrams): void {
  const wake = datagrams.wake;
  datagrams.wake = null;
  wake?.();
}

// The biggest single read (a sockRecv asking for more gets at most this).
const MAX_READ = 256 * 1024;
// As CPython's fallback: blocks of at most 256 KiB.

function familyOf(addr: Deno.Addr): number {
  if (addr.transport === "unix" || addr.transport === "unixpacket") return AF_UNIX;
  return parseIPv6((addr as Deno.NetAddr).hostname) !== null ? AF_INET6 : AF_INET;
}

function toSockAddr(addr: Deno.Addr): SockAddr | string {
  if (addr.transport === "unix" || addr.transport === "unixpacket") return addr.path ?? "";
  const { hostname, port } = addr as Deno.NetAddr;
  return hostname.includes(":") ? [hostname, port, 0, 0] : [hostname, port];
}

function inetAddress(address: unknown, family: number): [string | null, number] {
  if (family === AF_UNIX) throw new TypeError("an AF_UNIX address is a path string");
  const ok = Array.isArray(address) && address.length >= 2 &&
    (typeof address[0] === "string" || address[0] === null) && Number.isInteger(address[1]);
  if (!ok) {
    throw new TypeError(
      `${family === AF_INET6 ? "AF_INET6" : "AF_INET"} address must be [host, port]`,
    );
  }
  const port = address[1] as number;
  if (port < 0 || port > 0xffff) throw new RangeError("port must be 0-65535.");
  return [address[0] as string | null, port];
}

function unixPath(address: unknown): string {
  if (typeof address !== "string") throw new TypeError("an AF_UNIX address is a path string");
  return address;
}

function listenTcp(
  [host, port]: [string | null, number],
  family: number,
  reusePort: boolean,
): Deno.Listener {
  // As Python: "" (or no host) is every interface of the family.
  const hostname = host || (family === AF_INET6 ? "::" : "0.0.0.0");
  return Deno.listen({ hostname, port, reusePort });
}

// ---- The socket a transport gives ------------------------------------------

const transportSockets = new WeakMap<Deno.Conn, TransportSocket>();

/**
 * The socket under a transport, as `transport.getExtraInfo("socket")` gives
 * it: its addresses, options and `fileno`, but no I/O and no `close()` (the
 * transport owns the connection: close the transport).
 *
 * Mirrors `asyncio.trsock.TransportSocket`.
 */
export class TransportSocket {
  #sock: Socket;

  /** @ignore Made by the transport. */
  constructor(sock: Socket) {
    this.#sock = sock;
  }

  /** `AF_INET`, `AF_INET6` or `AF_UNIX`. */
  get family(): number {
    return this.#sock.family;
  }

  /** `SOCK_STREAM`. */
  get type(): number {
    return this.#sock.type;
  }

  /** The protocol number (0). */
  get proto(): number {
    return this.#sock.proto;
  }

  /** As `Socket.fileno`. Mirrors `TransportSocket.fileno`. */
  fileno(): number {
    return this.#sock.fileno();
  }

  /** As `Socket.getsockname`. Mirrors `TransportSocket.getsockname`. */
  getsockname(): SockAddr | string {
    return this.#sock.getsockname();
  }

  /** As `Socket.getpeername`. Mirrors `TransportSocket.getpeername`. */
  getpeername(): SockAddr | string {
    return this.#sock.getpeername();
  }

  /** As `Socket.setsockopt`. Mirrors `TransportSocket.setsockopt`. */
  setsockopt(level: number, optname: number, value: number | boolean): void {
    this.#sock.setsockopt(level, optname, value);
  }

  /** As `Socket.getsockopt`. Mirrors `TransportSocket.getsockopt`. */
  getsockopt(level: number, optname: number): number {
    return this.#sock.getsockopt(level, optname);
  }

  /** For example `<asyncio.TransportSocket fd=5, family=2, type=1, proto=0, …>`. */
  toString(): string {
    return this.#sock.toString().replace("<Socket", "<asyncio.TransportSocket");
  }
}

/**
 * @ignore The `TransportSocket` of a transport's connection (one per
 * connection, made when first asked for). TCP connections say
 * `TCP_NODELAY` is on (transports set it, as asyncio's do) unless
 * `nodelay` says otherwise.
 */
export function _transportSocket(conn: Deno.Conn, nodelay?: boolean): TransportSocket {
  let found = transportSockets.get(conn);
  if (found === undefined) {
    const tcp = "hostname" in conn.remoteAddr; // TLS connections too
    found = new TransportSocket(Socket._fromConn(conn, { nodelay: nodelay ?? tcp }));
    transportSockets.set(conn, found);
  }
  return found;
}
