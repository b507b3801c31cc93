/**
 * Transports, as CPython's `asyncio/transports.py`: what a protocol is given
 * to write, close and steer the flow of its connection. The loop makes them
 * (`loop.createConnection`, `createServer`, `createDatagramEndpoint`,
 * `subprocessExec`, …); the types here say what each kind offers.
 *
 * Ownership: `write(data)` does not copy `data`; leave the array unchanged
 * until the transport has written it (`getWriteBufferSize()` no longer
 * counts it, or the protocol's `resumeWriting` was called). The chunks a
 * transport hands to `dataReceived` are the protocol's to keep.
 * @module
 */
import type { BaseProtocol } from "./protocols.ts";

/**
 * What every transport offers. Mirrors `asyncio.BaseTransport`.
 */
export interface BaseTransport {
  /**
   * Details of the connection: `"peername"` and `"sockname"` (`[host, port]`
   * for TCP and UDP, the path for Unix sockets), `"socket"` (a
   * `TransportSocket`: addresses, options, `fileno`; no I/O), `"sslcontext"`
   * (true over TLS), `"pipe"`, `"subprocess"`;
   * `defaultValue` (default `null`) for anything else.
   */
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
  /** True once `close()` or `abort()` was called or the connection was lost. */
  isClosing(): boolean;
  /**
   * Close after the buffered data is written; reading stops at once. The
   * protocol's `connectionLost(null)` follows. Idempotent.
   */
  close(): void;
  /** Make `protocol` the one this transport calls from now on. */
  setProtocol(protocol: BaseProtocol): void;
  /** The protocol this transport calls. */
  getProtocol(): BaseProtocol;
}

/** The reading side of a transport. Mirrors `asyncio.ReadTransport`. */
export interface ReadTransport extends BaseTransport {
  /** True while the transport reads (not paused, not closing). */
  isReading(): boolean;
  /** Stop calling the protocol's `dataReceived` until `resumeReading()`. */
  pauseReading(): void;
  /** Deliver data again after `pauseReading()`. */
  resumeReading(): void;
}

/** The writing side of a transport. Mirrors `asyncio.WriteTransport`. */
export interface WriteTransport extends BaseTransport {
  /**
   * Set the water marks of the write buffer: above `high` the protocol's
   * `pauseWriting()` is called, at or below `low` its `resumeWriting()`.
   * Default high 64 KiB, low a quarter of high.
   * @throws {RangeError} unless `high >= low >= 0`.
   */
  setWriteBufferLimits(high?: number, low?: number): void;
  /** Bytes queued or being written. */
  getWriteBufferSize(): number;
  /** `[low, high]`. */
  getWriteBufferLimits(): [number, number];
  /**
   * Queue `data` for writing; never blocks. `data` is not copied (see the
   * module's ownership rule). Dropped after `close()` or a lost connection.
   * @throws {RuntimeError} after `writeEof()`.
   */
  write(data: Uint8Array): void;
  /** `write` each chunk in turn. */
  writelines(chunks: Iterable<Uint8Array>): void;
  /** Close the write side after the buffered data (the peer reads EOF). */
  writeEof(): void;
  /** True if `writeEof()` is supported. */
  canWriteEof(): boolean;
  /**
   * Close at once, dropping the buffered data; `connectionLost(null)`
   * follows.
   */
  abort(): void;
}

/** A two-way stream transport (TCP, Unix, TLS). Mirrors `asyncio.Transport`. */
export interface Transport extends ReadTransport, WriteTransport {}

/** A datagram (UDP) transport. Mirrors `asyncio.DatagramTransport`. */
export interface DatagramTransport extends BaseTransport {
  /**
   * Send `data` as one datagram to `addr` (`[host, port]`), or to the
   * remote address the endpoint was connected to (then `addr` must be
   * `null`/absent or equal to it). Not copied.
   */
  sendto(data: Uint8Array, addr?: [string, number] | null): void;
  /** Close at once, dropping the buffered datagrams. */
  abort(): void;
  /** Bytes of datagrams queued but not yet sent. */
  getWriteBufferSize(): number;
}

/** The transport of a child process. Mirrors `asyncio.SubprocessTransport`. */
export interface SubprocessTransport extends BaseTransport {
  /** The child's process id. */
  getPid(): number;
  /** Its return code (minus the signal that ended it), `null` while it runs. */
  getReturncode(): number | null;
  /** The transport of pipe `fd` (0, 1, 2), or `null` if it is not a pipe. */
  getPipeTransport(fd: number): WriteTransport | ReadTransport | null;
  /** Send `signal` (a name such as `"SIGTERM"`, or a number). */
  sendSignal(signal: Deno.Signal | number): void;
  /** Send SIGTERM. */
  terminate(): void;
  /** Send SIGKILL. */
  kill(): void;
}
