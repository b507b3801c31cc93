// UDP endpoints (`loop.createDatagramEndpoint`), as CPython's
// base_events.create_datagram_endpoint and selector_events'
// _SelectorDatagramTransport.
//
// Built on `node:dgram`: Deno's own `Deno.listenDatagram` needs the
// `--unstable-net` flag in Deno 2.9, and a library must not ask its users
// for an unstable flag. Two things `node:dgram` does in Deno that shape this
// file: sends started together may leave in any order (so the transport
// keeps one send in flight and queues the rest, which keeps asyncio's
// order), and a connected socket reports no ICMP errors (so
// `errorReceived(ConnectionRefusedError)` after sending to a closed port,
// which CPython gives on Linux, never comes).
//
// As in lib/_transports.ts, protocol methods run only in loop callbacks
// (`_callSoonIO`): `connectionMade` first, `connectionLost` once and last.
import dgram from "node:dgram";
import type { CreateDatagramEndpointOptions, EventLoop } from "./base_events.ts";
import type { DatagramProtocol } from "./protocols.ts";
import type { DatagramTransport } from "./transports.ts";
import { onLoop } from "./_network.ts";
import { toOSError } from "./_oserror.ts";
import { typeName } from "./_util.ts";

type Addr = [string, number];

/** Linux's `AF_INET` and `AF_INET6`, the values Python's `socket` module has. */
const AF_INET = 2;
const AF_INET6 = 10;
// As asyncio's FlowControlMixin defaults.
const HIGH_WATER = 64 * 1024;
const LOW_WATER = HIGH_WATER / 4;

/** Open a UDP socket as `options` say and wire it to a new protocol. */
export async function createDatagramEndpoint<P extends DatagramProtocol>(
  loop: EventLoop,
  protocolFactory: () => P,
  options: CreateDatagramEndpointOptions,
): Promise<[DatagramTransport, P]> {
  if (typeof protocolFactory !== "function") {
    throw new TypeError("protocolFactory must be a function returning a protocol");
  }
  const local = checkAddr(options.localAddr, "localAddr");
  const remote = checkAddr(options.remoteAddr, "remoteAddr");
  const family = options.family ?? 0;
  if (family !== 0 && family !== AF_INET && family !== AF_INET6) {
    throw new RangeError(`family must be 0, AF_INET (2) or AF_INET6 (10), not ${family}`);
  }
  if (local === null && remote === null && family === 0) {
    // As CPython, which cannot guess which socket to make.
    throw new RangeError("unexpected address family");
  }
  const v6 = family === AF_INET6 ||
    (family === 0 && ((local ?? remote)![0].includes(":")));
  const socket = dgram.createSocket({
    type: v6 ? "udp6" : "udp4",
    reuseAddr: options.reuseAddr ?? false,
    reusePort: options.reusePort ?? false,
  } as dgram.SocketOptions);
  const ready = new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    const ok = () => {
      socket.off("error", reject);
      resolve();
    };
    // Without localAddr: any port on every interface, as the kernel does
    // for an unbound socket's first send.
    socket.bind(local?.[1] ?? 0, local?.[0] ?? (v6 ? "::" : "0.0.0.0"), () => {
      if (options.allowBroadcast) socket.setBroadcast(true);
      if (remote === null) ok();
      else socket.connect(remote[1], remote[0], ok);
    });
  }).then(() => socket, (err) => {
    socket.close();
    throw toOSError(err);
  });
  await onLoop(loop, ready, (s) => s.close());
  let protocol: P;
  try {
    protocol = protocolFactory();
  } catch (err) {
    socket.close();
    throw err;
  }
  const transport = new DatagramSocketTransport(loop, socket, protocol, remote);
  const made = loop.createFuture<void>();
  transport._start(() => made.done() || made.setResult());
  try {
    await made;
  } catch (err) {
    transport.abort();
    throw err;
  }
  return [transport, protocol];
}

function checkAddr(addr: unknown, name: string): Addr | null {
  if (addr === undefined || addr === null) return null;
  if (
    !Array.isArray(addr) || addr.length !== 2 || typeof addr[0] !== "string" ||
    !Number.isInteger(addr[1]) || addr[1] < 0 || addr[1] > 65535
  ) {
    throw new TypeError(`${name} must be a [host, port] pair, not ${JSON.stringify(addr)}`);
  }
  return [addr[0], addr[1]];
}

// Invariants: at most one send is in flight (`#sending`), the rest wait in
// `#queue` in order; `getWriteBufferSize()` counts both; after `close()`
// the queue drains, then the socket closes; `connectionLost` is scheduled
// exactly once, after the socket closed.
/** A transport over a `node:dgram` socket. */
class DatagramSocketTransport implements DatagramTransport {
  #loop: EventLoop;
  #socket: dgram.Socket;
  #protocol: DatagramProtocol;
  #remote: Addr | null;
  #extra: Record<string, unknown>;
  #queue: Array<{ data: Uint8Array; addr: Addr | null }> = [];
  #buffered = 0;
  #sending = false;
  #writePaused = false;
  #closing = false;
  #released = false;

  constructor(
    loop: EventLoop,
    socket: dgram.Socket,
    protocol: DatagramProtocol,
    remote: Addr | null,
  ) {
    this.#loop = loop;
    this.#socket = socket;
    this.#protocol = protocol;
    this.#remote = remote;
    const { address, port } = socket.address();
    this.#extra = { sockname: [address, port], socket };
    if (remote !== null) {
      const peer = socket.remoteAddress();
      this.#extra.peername = [peer.address, peer.port];
    }
  }

  /** @ignore `connectionMade` in a loop callback, then datagrams; `made` after it. */
  _start(made: () => void): void {
    this.#loop._callSoonIO(() => {
      try {
        this.#protocol.connectionMade(this);
      } catch (err) {
        this.#report("Exception in callback protocol.connectionMade()", err);
      }
      made();
    }, undefined);
    // Listening after the call above is queued keeps connectionMade first.
    this.#socket.on("message", this.#onMessage);
    this.#socket.on("error", this.#onError);
  }

  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return Object.hasOwn(this.#extra, name) ? this.#extra[name] : defaultValue;
  }

  isClosing(): boolean {
    return this.#closing;
  }

  setProtocol(protocol: DatagramProtocol): void {
    this.#protocol = protocol;
  }

  getProtocol(): DatagramProtocol {
    return this.#protocol;
  }

  getWriteBufferSize(): number {
    return this.#buffered;
  }

  /**
   * Queue one datagram. Unlike CPython, which reports a missing address as
   * a fatal error on the transport later, it is a `TypeError` here.
   */
  sendto(data: Uint8Array, addr: Addr | null = null): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`data argument must be a Uint8Array, not ${typeName(data)}`);
    }
    const remote = this.#remote;
    if (remote !== null) {
      // As CPython's _SelectorDatagramTransport.sendto.
      if (addr !== null && (addr[0] !== remote[0] || addr[1] !== remote[1])) {
        throw new RangeError(`Invalid address: must be None or ('${remote[0]}', ${remote[1]})`);
      }
      addr = null;
    } else if (addr === null) {
      throw new TypeError("Invalid address: this endpoint has no remoteAddr, give [host, port]");
    } else {
      addr = checkAddr(addr, "addr");
    }
    // Dropped after close(), as asyncio's transports drop late writes.
    if (this.#closing) return;
    this.#queue.push({ data, addr });
    this.#buffered += data.length;
    if (!this.#sending) this.#sendNext();
    if (!this.#writePaused && this.#buffered > HIGH_WATER) {
      this.#writePaused = true;
      try {
        this.#protocol.pauseWriting();
      } catch (err) {
        this.#report("protocol.pauseWriting() failed", err);
      }
    }
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (!this.#sending) this.#release();
  }

  abort(): void {
    this.#closing = true;
    this.#queue = [];
    this.#buffered = 0;
    this.#release();
  }

  /** For example `<DatagramSocketTransport closing>`. */
  toString(): string {
    return `<DatagramSocketTransport${this.#closing ? " closing" : ""}>`;
  }

  #sendNext(): void {
    const next = this.#queue.shift();
    if (next === undefined || this.#released) {
      this.#sending = false;
      if (this.#closing) this.#release();
      return;
    }
    this.#sending = true;
    const { data, addr } = next;
    const sent = (err: Error | null) => {
      if (this.#released) return this.#sendNext(); // aborted: counted out already
      this.#buffered -= data.length;
      // A failed send is the protocol's to hear of; the endpoint stays open.
      if (err !== null) this.#loop._callSoonIO(this.#errorReceived, err);
      if (this.#writePaused && this.#buffered <= LOW_WATER) {
        this.#loop._callSoonIO(this.#maybeResume, undefined);
      }
      this.#sendNext();
    };
    try {
      if (addr === null) this.#socket.send(data, sent);
      else this.#socket.send(data, addr[1], addr[0], sent);
    } catch (err) {
      // node:dgram throws some errors at once (a closed socket, a bad port).
      sent(err as Error);
    }
  }

  #maybeResume = (): void => {
    if (!this.#writePaused || this.#buffered > LOW_WATER) return;
    this.#writePaused = false;
    try {
      this.#protocol.resumeWriting();
    } catch (err) {
      this.#report("protocol.resumeWriting() failed", err);
    }
  };

  #onMessage = (msg: Uint8Array, rinfo: dgram.RemoteInfo): void => {
    // A plain view of node's Buffer: the bytes are the protocol's to keep.
    const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    this.#loop._callSoonIO(this.#deliver, { data, addr: [rinfo.address, rinfo.port] as Addr });
  };

  #deliver = ({ data, addr }: { data: Uint8Array; addr: Addr }): void => {
    if (this.#closing) return; // as CPython: close() stops reading at once
    try {
      this.#protocol.datagramReceived(data, addr);
    } catch (err) {
      this.#report("Exception in callback protocol.datagramReceived()", err);
    }
  };

  #onError = (err: Error): void => {
    if (!this.#released) this.#loop._callSoonIO(this.#errorReceived, err);
  };

  #errorReceived = (err: Error): void => {
    try {
      this.#protocol.errorReceived(toOSError(err));
    } catch (exc) {
      this.#report("Exception in callback protocol.errorReceived()", exc);
    }
  };

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#socket.off("message", this.#onMessage);
    this.#socket.close(() => this.#loop._callSoonIO(this.#connectionLost, undefined));
  }

  #connectionLost = (): void => {
    this.#protocol.connectionLost(null);
  };

  #report(message: string, exception: unknown): void {
    if (this.#loop.isClosed()) return;
    this.#loop.callExceptionHandler({
      message,
      exception,
      transport: this,
      protocol: this.#protocol,
    });
  }
}
