// Transports: what moves bytes between a StreamReader/StreamWriter pair and
// a Deno resource (a Deno.Conn, or a WritableStream / ReadableStream). They
// play the part of asyncio's selector transports plus StreamReaderProtocol:
// incoming data goes straight into the reader, outgoing data is queued,
// coalesced and written by one pump, and flow control pauses either side.
//
// Deno's I/O is completion based, so the reading and writing run as plain
// async functions outside the loop (host callbacks). They only append to the
// reader's buffer and settle loop futures, which queues the waiting task's
// step with callSoon (callSoonThreadsafe is the same call in this loop), so
// the loop is woken once per chunk and nothing runs a task from here.
import type { EventLoop } from "./base_events.ts";
import {
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  RuntimeError,
} from "./exceptions.ts";
import type { StreamReader, StreamWriter, Transport } from "./streams.ts";

// As asyncio's FlowControlMixin: pause the writer above 64 KiB, resume at a
// quarter of that.
const DEFAULT_HIGH_WATER = 64 * 1024;
// Socket reads go into a slab, one after another, and the reader gets views
// of it (no copy; a slab is never written twice, so views stay valid). Slabs
// start small (memory for many idle connections) and grow when a read fills
// the space offered (throughput for bulk transfers).
const SLAB_MIN = 16 * 1024;
const SLAB_MAX = 256 * 1024;
// Queued writes at least this big are written as they are; smaller ones are
// joined into one write (a copy is cheaper than an extra write call).
const JOIN_BELOW = 16 * 1024;

/** Turn a Deno I/O error into the Python-named connection error. */
export function toConnectionError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const options = { cause: err };
  if (err instanceof Deno.errors.ConnectionReset) {
    return new ConnectionResetError(err.message, options);
  }
  if (err instanceof Deno.errors.BrokenPipe) return new BrokenPipeError(err.message, options);
  if (err instanceof Deno.errors.ConnectionAborted) {
    return new ConnectionAbortedError(err.message, options);
  }
  if (err instanceof Deno.errors.ConnectionRefused) {
    return new ConnectionRefusedError(err.message, options);
  }
  return err;
}

// Invariants: at most one `#pump` runs (`#pumping`); `bufferSize` is the
// bytes queued plus the bytes of the batch in flight; the protocol is told
// `connectionLost` exactly once, after the pump, the read loop and the
// resource's closing have all finished (`#busy === 0`).
/**
 * The write side, shared by every transport: a queue of chunks written one
 * batch at a time, the high/low water marks, half-close and close.
 */
export abstract class BaseTransport implements Transport {
  /** @ignore */
  readonly _loop: EventLoop;
  /** @ignore */
  _reader: StreamReader | null = null;
  /** @ignore */
  _writer: StreamWriter | null = null;
  /** @ignore Called once the connection is lost (servers track clients). */
  _onLost: ((t: BaseTransport) => void) | null = null;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #inFlight = 0;
  #pumping = false;
  #high = DEFAULT_HIGH_WATER;
  #low = DEFAULT_HIGH_WATER / 4;
  #writePaused = false;
  #eof = false;
  #closing = false;
  #lostExc: unknown = null;
  #busy = 0;
  #lost = false;

  constructor(loop: EventLoop) {
    this._loop = loop;
  }

  /** Wire the transport to its reader and writer and start reading. */
  _start(reader: StreamReader | null, writer: StreamWriter): void {
    this._reader = reader;
    this._writer = writer;
    reader?._setTransport(this);
    this._startReading();
  }

  // ---- What each kind of transport provides ------------------------------

  /** Start the read loop, if this transport reads. */
  protected abstract _startReading(): void;
  /** Write some of `chunk`; resolve to how many bytes were written. */
  protected abstract _writeSome(chunk: Uint8Array): Promise<number>;
  /** Send EOF after the data written so far. */
  protected abstract _sendEof(): Promise<void>;
  /** Release the resource (abort pending operations when `abort`). */
  protected abstract _closeResource(abort: boolean): Promise<void> | void;
  abstract canWriteEof(): boolean;
  abstract getExtraInfo(name: string, defaultValue?: unknown): unknown;
  abstract pauseReading(): void;
  abstract resumeReading(): void;
  abstract isReading(): boolean;

  // ---- Writing -----------------------------------------------------------

  write(data: Uint8Array): void {
    if (this.#eof) throw new RuntimeError("Cannot call write() after write_eof()");
    // Writes after close() or a lost connection are dropped, as asyncio's
    // transports do; drain() is where the writer learns of it.
    if (data.length === 0 || this.#closing) return;
    this.#queue.push(data);
    this.#queued += data.length;
    if (!this.#pumping) void this.#pump();
    if (!this.#writePaused && this.getWriteBufferSize() > this.#high) {
      this.#writePaused = true;
      this._writer?._pauseWriting();
    }
  }

  writeEof(): void {
    if (this.#closing || this.#eof) return;
    if (!this.canWriteEof()) {
      throw new RuntimeError("Cannot write EOF: this transport cannot half-close");
    }
    this.#eof = true;
    if (!this.#pumping) void this.#pump();
  }

  getWriteBufferSize(): number {
    return this.#queued + this.#inFlight;
  }

  getWriteBufferLimits(): [number, number] {
    return [this.#low, this.#high];
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    // As asyncio's _set_write_buffer_limits.
    const hi = high ?? (low === undefined ? DEFAULT_HIGH_WATER : 4 * low);
    const lo = low ?? Math.floor(hi / 4);
    if (!(hi >= lo && lo >= 0)) {
      throw new RangeError(`high (${hi}) must be >= low (${lo}) must be >= 0`);
    }
    this.#high = hi;
    this.#low = lo;
    this.#updatePaused();
  }

  #updatePaused(): void {
    const size = this.getWriteBufferSize();
    if (!this.#writePaused && size > this.#high) {
      this.#writePaused = true;
      this._writer?._pauseWriting();
    } else if (this.#writePaused && size <= this.#low) {
      this.#writePaused = false;
      this._writer?._resumeWriting();
    }
  }

  /** The one writer: sends what is queued, as one batch per round. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    this.#busy++;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#nextBatch();
        this.#inFlight = batch.length;
        let off = 0;
        while (off < batch.length) {
          off += await this._writeSome(off === 0 ? batch : batch.subarray(off));
          this.#inFlight = batch.length - off;
          if (this.#writePaused) this.#updatePaused();
        }
      }
      if (this.#eof && !this.#closing) await this._sendEof();
    } catch (err) {
      this.#inFlight = 0;
      this._fatal(err);
    } finally {
      this.#pumping = false;
      this.#busy--;
      if (this.#closing) {
        // close() waited for the queue to empty: now let the resource go.
        this.#release(false);
        this.#maybeLost();
      }
    }
  }

  /** Take the next write off the queue: a big chunk alone, or small ones joined. */
  #nextBatch(): Uint8Array {
    const queue = this.#queue;
    let count = 1;
    let size = queue[0].length;
    if (size < JOIN_BELOW) {
      while (count < queue.length && queue[count].length < JOIN_BELOW) {
        size += queue[count++].length;
      }
    }
    const batch = count === 1 ? queue[0] : concat(queue, count, size);
    queue.splice(0, count);
    this.#queued -= size;
    return batch;
  }

  // ---- Closing -----------------------------------------------------------

  isClosing(): boolean {
    return this.#closing;
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this._stopReading();
    if (!this.#pumping) {
      this.#release(false);
      this.#maybeLost();
    }
  }

  abort(): void {
    this._forceClose(null);
  }

  /** @ignore A read or write failed: close now; the reader and drain() get the error. */
  _fatal(err: unknown): void {
    this._forceClose(toConnectionError(err));
  }

  /** @ignore Close at once, dropping what is queued; `exc` reaches the protocol. */
  _forceClose(exc: unknown): void {
    if (this.#lost || (this.#closing && this.#released)) return;
    this.#closing = true;
    this.#lostExc = exc;
    this.#queue = [];
    this.#queued = 0;
    this._stopReading();
    this.#release(true);
    this.#maybeLost();
  }

  #released = false;

  #release(abort: boolean): void {
    if (this.#released) return;
    this.#released = true;
    let done: Promise<void> | void;
    try {
      done = this._closeResource(abort);
    } catch {
      return; // already closed: nothing to wait for
    }
    if (done instanceof Promise) {
      this.#busy++;
      done.catch(() => {}).finally(() => {
        this.#busy--;
        this.#maybeLost();
      });
    }
  }

  /** Stop reading for good (close() stops reading at once, as asyncio's). */
  protected abstract _stopReading(): void;

  /** @ignore The read loop is running (it counts as busy). */
  _readStarted(): void {
    this.#busy++;
  }

  /** @ignore The read loop ended. */
  _readEnded(): void {
    this.#busy--;
    this.#maybeLost();
  }

  #maybeLost(): void {
    if (this.#lost || !this.#closing || this.#busy > 0 || !this.#released) return;
    this.#lost = true;
    if (this._loop.isClosed()) return;
    this._writer?._connectionLost(this.#lostExc);
    this._onLost?.(this);
  }
}

/** The first `count` of `chunks` (`size` bytes in all) in one array. */
function concat(chunks: Uint8Array[], count: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let off = 0;
  for (let i = 0; i < count; i++) {
    out.set(chunks[i], off);
    off += chunks[i].length;
  }
  return out;
}

/** A `[host, port]` pair for a TCP address, the path for a Unix one. */
export function addrInfo(addr: Deno.Addr): unknown {
  if (addr.transport === "tcp" || addr.transport === "udp") return [addr.hostname, addr.port];
  // An unnamed Unix socket (a client's own end) is '' in asyncio.
  if (addr.transport === "unix" || addr.transport === "unixpacket") return addr.path ?? "";
  return addr;
}

/** A transport over a `Deno.Conn` (TCP, Unix socket or TLS). */
export class ConnTransport extends BaseTransport {
  #conn: Deno.Conn;
  #extra: Record<string, unknown>;
  #readPaused = false;
  #reading = false;
  #resume: (() => void) | null = null;
  #tls: boolean;

  constructor(conn: Deno.Conn, loop: EventLoop, options: { tls?: boolean } = {}) {
    super(loop);
    this.#conn = conn;
    this.#tls = options.tls ?? false;
    // As asyncio's socket transports (base_events._set_nodelay): without it,
    // a small write behind an unacknowledged one waits for the peer's
    // delayed ACK (40 ms on Linux).
    if (conn.remoteAddr.transport === "tcp" && "setNoDelay" in conn) {
      try {
        (conn as Deno.TcpConn).setNoDelay(true);
      } catch { /* already gone: the first read reports it */ }
    }
    this.#extra = {
      peername: addrInfo(conn.remoteAddr),
      sockname: addrInfo(conn.localAddr),
      socket: conn,
    };
  }

  canWriteEof(): boolean {
    return true;
  }

  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    if (name === "sslcontext") return this.#tls ? true : defaultValue;
    return name in this.#extra ? this.#extra[name] : defaultValue;
  }

  pauseReading(): void {
    this.#readPaused = true;
  }

  resumeReading(): void {
    if (!this.#readPaused) return;
    this.#readPaused = false;
    const resume = this.#resume;
    this.#resume = null;
    resume?.();
  }

  isReading(): boolean {
    return this.#reading && !this.#readPaused;
  }

  protected _startReading(): void {
    this.#reading = true;
    this._readStarted();
    void this.#readLoop();
  }

  protected _stopReading(): void {
    this.#reading = false;
    const resume = this.#resume;
    this.#resume = null;
    resume?.();
  }

  async #readLoop(): Promise<void> {
    const conn = this.#conn;
    let slab = new Uint8Array(SLAB_MIN);
    let used = 0;
    try {
      for (;;) {
        if (this.#readPaused && this.#reading) {
          await new Promise<void>((resolve) => this.#resume = resolve);
        }
        if (!this.#reading) break;
        const space = used === 0 ? slab : slab.subarray(used);
        const n = await conn.read(space);
        if (!this.#reading) break; // close() stops reading: the data is dropped
        if (this._loop.isClosed()) {
          this._forceClose(null);
          break;
        }
        if (n === null) {
          this.#reading = false;
          this._reader?.feedEof();
          break;
        }
        const chunk = space.subarray(0, n);
        used += n;
        // A new slab when the next read of this size would not fit, so that
        // a message is rarely split across two (two chunks, two writes).
        if (slab.length - used < Math.max(slab.length / 4, n)) {
          const full = n === space.length && slab.length < SLAB_MAX;
          slab = new Uint8Array(full ? 2 * slab.length : slab.length);
          used = 0;
        }
        this._reader?._feedOwned(chunk);
      }
    } catch (err) {
      // After close() the resource's closing interrupts the read: not an error.
      if (this.#reading) this._fatal(err);
    } finally {
      this.#reading = false;
      this._readEnded();
    }
  }

  protected _writeSome(chunk: Uint8Array): Promise<number> {
    return this.#conn.write(chunk);
  }

  protected async _sendEof(): Promise<void> {
    await this.#conn.closeWrite();
  }

  protected _closeResource(): void {
    this.#conn.close();
  }
}

/** A write-only transport onto a `WritableStream`. */
export class WritableTransport extends BaseTransport {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #canWriteEof: boolean;
  #extra: Record<string, unknown>;
  #closed = false;

  constructor(
    writable: WritableStream<Uint8Array>,
    loop: EventLoop,
    options: { extra?: Record<string, unknown>; canWriteEof?: boolean },
  ) {
    super(loop);
    this.#writer = writable.getWriter();
    this.#canWriteEof = options.canWriteEof ?? true;
    this.#extra = { pipe: writable, ...options.extra };
  }

  canWriteEof(): boolean {
    return this.#canWriteEof;
  }

  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return name in this.#extra ? this.#extra[name] : defaultValue;
  }

  pauseReading(): void {}
  resumeReading(): void {}
  isReading(): boolean {
    return false;
  }

  protected _startReading(): void {}
  protected _stopReading(): void {}

  protected async _writeSome(chunk: Uint8Array): Promise<number> {
    await this.#writer.write(chunk);
    return chunk.length;
  }

  protected async _sendEof(): Promise<void> {
    this.#closed = true;
    await this.#writer.close();
  }

  protected async _closeResource(abort: boolean): Promise<void> {
    const writer = this.#writer;
    if (!this.#closed) {
      this.#closed = true;
      await (abort ? writer.abort() : writer.close()).catch(() => {});
    }
    writer.releaseLock();
  }
}

/**
 * Feeds a `StreamReader` from a `ReadableStream`, pausing while the reader
 * holds more than twice its limit (as a socket transport would).
 */
export class ReadablePump {
  #reader: StreamReader;
  #paused = false;
  #resume: (() => void) | null = null;

  constructor(readable: ReadableStream<Uint8Array>, reader: StreamReader) {
    this.#reader = reader;
    reader._setTransport(this);
    void this.#run(readable.getReader());
  }

  pauseReading(): void {
    this.#paused = true;
  }

  resumeReading(): void {
    this.#paused = false;
    const resume = this.#resume;
    this.#resume = null;
    resume?.();
  }

  async #run(source: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const reader = this.#reader;
    try {
      for (;;) {
        if (this.#paused) await new Promise<void>((resolve) => this.#resume = resolve);
        const { value, done } = await source.read();
        if (done) break;
        reader._feedOwned(value); // a stream's chunks are handed over: no copy
      }
      reader.feedEof();
    } catch (err) {
      reader.setException(toConnectionError(err));
    } finally {
      source.releaseLock();
    }
  }
}
