/**
 * Protocols, as CPython's `asyncio/protocols.py`: the classes a user extends
 * to react to a transport's events. A protocol only reacts; its transport
 * owns the socket or pipe, the write buffer and flow control.
 *
 * Every method has a default that does nothing, so a protocol overrides only
 * what it needs. The loop calls them inside its iterations, never inside a
 * transport method: `connectionMade` first, then any number of
 * `dataReceived` (or `getBuffer`/`bufferUpdated`) and at most one
 * `eofReceived`, then `connectionLost` exactly once. A method that throws is
 * reported to the loop's exception handler and its transport is closed.
 * @module
 */
import type {
  BaseTransport,
  DatagramTransport,
  SubprocessTransport,
  Transport,
} from "./transports.ts";

/**
 * What every protocol can be told: the connection was made or lost, and
 * the transport's write buffer went above its high-water mark or fell back
 * to its low-water mark.
 *
 * Mirrors `asyncio.BaseProtocol`.
 */
export class BaseProtocol {
  /**
   * The connection is made; `transport` is its transport (keep it to write).
   * Called once, before any data.
   */
  connectionMade(_transport: BaseTransport): void {}

  /**
   * The connection is lost or closed: `exc` is the error it was lost to, or
   * `null` for a regular EOF or close. Called exactly once, last.
   */
  connectionLost(_exc: unknown): void {}

  /**
   * The write buffer went above the high-water mark: stop writing until
   * `resumeWriting()`. Calls to the two strictly alternate.
   */
  pauseWriting(): void {}

  /** The write buffer fell to the low-water mark: writing may go on. */
  resumeWriting(): void {}
}

/**
 * A stream protocol: data arrives as it comes, in chunks of any size (a
 * message may be split across calls or several may arrive in one).
 *
 * Mirrors `asyncio.Protocol`.
 *
 * @example
 * ```ts
 * import { getRunningLoop, Protocol, run, type Transport } from "@asyncio/deno";
 * class Echo extends Protocol {
 *   #transport: Transport | null = null;
 *   override connectionMade(transport: Transport) {
 *     this.#transport = transport;
 *   }
 *   override dataReceived(data: Uint8Array) {
 *     this.#transport!.write(data);
 *   }
 * }
 * await run(async () => {
 *   const loop = getRunningLoop();
 *   await using server = await loop.createServer(() => new Echo(), "127.0.0.1", 0);
 *   const { port } = server.sockets[0] as Deno.NetAddr;
 *   const conn = await Deno.connect({ hostname: "127.0.0.1", port });
 *   await conn.write(new TextEncoder().encode("hi"));
 *   const buf = new Uint8Array(2);
 *   await conn.read(buf);
 *   console.assert(new TextDecoder().decode(buf) === "hi");
 *   conn.close();
 * });
 * ```
 */
export class Protocol extends BaseProtocol {
  /** As `BaseProtocol.connectionMade`, with the stream transport. */
  override connectionMade(_transport: Transport): void {}

  /**
   * Bytes arrived. `data` is the protocol's to keep: the transport never
   * writes into it again.
   */
  dataReceived(_data: Uint8Array): void {}

  /**
   * The peer sent EOF (it will send no more). Return `true` to keep the
   * transport open (half-closed: you may still write, then close it
   * yourself); anything else closes it.
   */
  eofReceived(): boolean | void {}
}

/**
 * A stream protocol that owns the receive buffer: the transport asks it for
 * a buffer, reads into it, and says how many bytes landed. No copy and no
 * allocation per read.
 *
 * Ownership: the array `getBuffer` returns is written by the transport until
 * `bufferUpdated` is called; from then it is the protocol's again, and the
 * transport asks for a buffer anew before each read, never while reading is
 * paused. So a protocol that reuses one buffer must be done with its bytes
 * before it returns from `bufferUpdated`: copy them (`write` does not), or
 * write from the buffer with no copy at all by pausing reading until the
 * write is done (`setWriteBufferLimits(0)` in `connectionMade`, then
 * `pauseReading()` in `pauseWriting` and `resumeReading()` in
 * `resumeWriting`).
 *
 * Mirrors `asyncio.BufferedProtocol`.
 *
 * @example The no-copy echo: bytes go back out of the buffer they came in.
 * ```ts
 * import { BufferedProtocol, getRunningLoop, run, type Transport } from "@asyncio/deno";
 * class Echo extends BufferedProtocol {
 *   #buf = new Uint8Array(65536);
 *   #transport: Transport | null = null;
 *   override connectionMade(transport: Transport) {
 *     this.#transport = transport;
 *     transport.setWriteBufferLimits(0); // every write pauses writing until it is done
 *   }
 *   override getBuffer() {
 *     return this.#buf;
 *   }
 *   override bufferUpdated(n: number) {
 *     this.#transport!.write(this.#buf.subarray(0, n));
 *   }
 *   override pauseWriting() {
 *     this.#transport!.pauseReading(); // no read into #buf while it is being written
 *   }
 *   override resumeWriting() {
 *     this.#transport!.resumeReading();
 *   }
 * }
 * await run(async () => {
 *   await using server = await getRunningLoop().createServer(() => new Echo(), "127.0.0.1", 0);
 *   const { port } = server.sockets[0] as Deno.NetAddr;
 *   const conn = await Deno.connect({ hostname: "127.0.0.1", port });
 *   await conn.write(new TextEncoder().encode("hi"));
 *   const buf = new Uint8Array(2);
 *   let got = 0;
 *   while (got < 2) got += (await conn.read(buf.subarray(got))) ?? 2;
 *   console.assert(new TextDecoder().decode(buf) === "hi");
 *   conn.close();
 * });
 * ```
 */
export class BufferedProtocol extends BaseProtocol {
  /** As `BaseProtocol.connectionMade`, with the stream transport. */
  override connectionMade(_transport: Transport): void {}

  /**
   * A buffer for the next read, at least one byte long. `sizeHint` is the
   * size the transport would like (`-1`: any).
   */
  getBuffer(_sizeHint: number): Uint8Array {
    throw new TypeError("BufferedProtocol.getBuffer() must be overridden");
  }

  /** `nbytes` bytes were read into the buffer `getBuffer` last returned. */
  bufferUpdated(_nbytes: number): void {}

  /** As `Protocol.eofReceived`. */
  eofReceived(): boolean | void {}
}

/**
 * A datagram (UDP) protocol: whole datagrams with their sender's address.
 *
 * Mirrors `asyncio.DatagramProtocol`.
 */
export class DatagramProtocol extends BaseProtocol {
  /** As `BaseProtocol.connectionMade`, with the datagram transport. */
  override connectionMade(_transport: DatagramTransport): void {}

  /** A datagram arrived from `addr` (`[host, port]`). */
  datagramReceived(_data: Uint8Array, _addr: [string, number]): void {}

  /**
   * A send or receive failed (an ICMP error such as "connection refused"
   * from an earlier send); the transport stays open.
   */
  errorReceived(_exc: unknown): void {}
}

/**
 * A protocol for a child process and its pipes (fd 0, 1, 2).
 *
 * Mirrors `asyncio.SubprocessProtocol`.
 */
export class SubprocessProtocol extends BaseProtocol {
  /** As `BaseProtocol.connectionMade`, with the subprocess transport. */
  override connectionMade(_transport: SubprocessTransport): void {}

  /** The child wrote `data` to its stdout (`fd` 1) or stderr (`fd` 2). */
  pipeDataReceived(_fd: number, _data: Uint8Array): void {}

  /** The pipe `fd` was closed (`exc` is the error, or `null`). */
  pipeConnectionLost(_fd: number, _exc: unknown): void {}

  /** The child exited (its return code is `transport.getReturncode()`). */
  processExited(): void {}
}
