/**
 * Streams, as CPython's `asyncio/streams.py`: `StreamReader` and
 * `StreamWriter` over TCP, Unix sockets and TLS (`openConnection`,
 * `startServer`, …) and over Web Streams.
 *
 * The contract other modules rely on (subprocess pipes use the adapters): a
 * `StreamReader` is a buffer fed by `feedData` (or, without a copy, by our
 * transports' internal `_feedOwned`) / `feedEof` / `setException`
 * and read by `read`, `readline`, `readuntil`, `readexactly` and
 * `for await`, with asyncio's `limit` rules (default 64 KiB; it asks its
 * transport to pause above twice the limit and to resume at or below it),
 * and only one reader waiting at a time, on a loop future (so cancelling
 * the task cancels the read). A `StreamWriter` queues writes on its
 * `transport` (which coalesces them and reports its buffer size); `drain()`
 * waits while more than the high-water mark (64 KiB) is buffered, until it
 * falls to the low-water mark, and throws the connection's error if it was
 * lost. `streamReaderFromReadable` and `streamWriterFromWritable` adapt any
 * `ReadableStream` / `WritableStream`; `reader.readable` and
 * `writer.writable` go the other way.
 * @module
 */
import type {
  ClientTlsOptions,
  CreateConnectionOptions,
  CreateServerOptions,
  EventLoop,
} from "./base_events.ts";
import { getEventLoop, getRunningLoop } from "./events.ts";
import {
  ConnectionResetError,
  IncompleteReadError,
  LimitOverrunError,
  LineTooLongError,
  RuntimeError,
} from "./exceptions.ts";
import type { Future } from "./futures.ts";
import { Protocol } from "./protocols.ts";
import type { Server } from "./servers.ts";
import type { Transport } from "./transports.ts";
import { type DenoTransport, PipeTransport } from "./_transports.ts";
import { pyRepr, shortRepr, typeName } from "./_util.ts";
import { awaitable } from "./_running.ts";

export type { ClientTlsOptions };

/** The default `limit` of a `StreamReader`: 64 KiB, as asyncio's. */
export const DEFAULT_LIMIT = 2 ** 16;

const EMPTY = new Uint8Array(0);
// What `drain()` returns when there is nothing to wait for.
const RESOLVED: Promise<void> = Promise.resolve();
const NEWLINE: readonly Uint8Array[] = [new Uint8Array([10])];
// Copies of pieces up to a quarter of this go into a shared "room" buffer
// (see StreamReader#copyIn); bigger ones get an array of their own.
const ROOM_SIZE = 16 * 1024;
// Owned chunks smaller than this that cannot join the last chunk are copied.
const SMALL_CHUNK = 1024;
const encoder = new TextEncoder();

// Below this many bytes to search, `indexOfByte` leaves it to `indexOf`
// (the word view costs ~20 ns: at 64 bytes indexOf takes 32 ns and the word
// search 40, at 192 bytes 52 and 48, at 1 KiB 185 and 124).
const WORD_SEARCH_FROM = 192;

/**
 * Where `byte` first is in `chunk` at or after `from`, or -1: as
 * `chunk.indexOf(byte, from)`, which looks at one byte at a time (~0.33 ns
 * a byte here: a third of a 1 KiB line's round trip in a stream echo),
 * but four at a time, by the "has a zero byte" test on 32-bit words
 * (~0.15 ns a byte).
 */
function indexOfByte(chunk: Uint8Array, byte: number, from: number): number {
  const end = chunk.length;
  if (end - from < WORD_SEARCH_FROM) return chunk.indexOf(byte, from);
  let i = from;
  const offset = chunk.byteOffset;
  for (; ((offset + i) & 3) !== 0; i++) if (chunk[i] === byte) return i;
  const words = new Int32Array(chunk.buffer, offset + i, (end - i) >> 2);
  const pattern = Math.imul(byte, 0x01010101);
  let w = 0;
  for (; w < words.length; w++) {
    // A word holding `byte` has a zero byte once xored with the pattern.
    const v = words[w] ^ pattern;
    if (((v - 0x01010101) & ~v & 0x80808080) !== 0) break;
  }
  return chunk.indexOf(byte, i + (w << 2));
}

// The encoded form of the separators a server passes on every request
// ("\r\n\r\n"): encoding them anew was almost half of a buffered
// readuntil() (0.78 -> 0.43 µs with a feed, on this machine).
const textSeparators = new Map<string, readonly Uint8Array[]>();

/** `readuntil`'s separators as byte arrays, shortest first (never written to). */
function separatorsOf(separator: Separator | readonly Separator[]): readonly Uint8Array[] {
  if (typeof separator === "string") {
    const known = textSeparators.get(separator);
    if (known !== undefined) return known;
  }
  const list = (Array.isArray(separator) ? separator : [separator]) as Separator[];
  const seps = list.map((s) => {
    if (typeof s === "string") return encoder.encode(s);
    if (s instanceof Uint8Array) return s;
    throw new TypeError(`a separator is a string or a Uint8Array, not ${typeName(s)}`);
  })
    .sort((a, b) => a.length - b.length);
  if (seps.length === 0) throw new RangeError("Separator should contain at least one element");
  if (seps[0].length === 0) throw new RangeError("Separator should be at least one-byte string");
  if (typeof separator === "string") {
    if (textSeparators.size >= 64) textSeparators.clear();
    textSeparators.set(separator, seps);
  }
  return seps;
}

/** A separator for `readuntil`: bytes or a string (encoded as UTF-8). */
export type Separator = Uint8Array | string;

/** What a `StreamReader` needs from whatever feeds it. */
interface ReadingTransport {
  pauseReading(): void;
  resumeReading(): void;
  /** Stop or restart reading ahead (a socket or pipe transport). */
  _pull?(on: boolean): void;
  /** Read next into `buf`, if it can now (a socket or pipe transport). */
  _lend?(buf: Uint8Array): boolean;
  /**
   * Read into a buffer that grows in place, from `used` on (past the chunks
   * read and not yet handed over); null if it cannot.
   */
  _growInto?(used: number): ArrayBuffer | null;
  /** Stop `_growInto`. */
  _stopGrowing?(): void;
}

/** Options of a `StreamReader`. */
export interface StreamReaderOptions {
  /** The line/chunk limit in bytes (default 64 KiB); the buffer pauses its source above twice this. */
  limit?: number;
  /** The loop its reads wait on (default: the running loop when a read first waits). */
  loop?: EventLoop;
}

// Invariants: the unread bytes, `#size` of them, are `#chunks[#head]`
// from `#pos`, then the later chunks whole (none empty; the queue is
// reset when `#size` reaches 0); at most one read waits at a time, on
// `#waiter`; once `#eof` is set no data is fed; when the buffer grows past
// `2 * limit` the transport is paused (`#paused`), and it is resumed once a
// read takes the buffer to `limit` or below, or a read must wait for data.
/**
 * A buffer of incoming bytes with async reads.
 *
 * Mirrors `asyncio.StreamReader`: its errors (`IncompleteReadError`,
 * `LimitOverrunError`) and buffer rules; `readline` past the limit throws
 * `LineTooLongError` (Python's `ValueError`). `read(n)` returns up to `n` of
 * the buffered bytes, as CPython's: a view when they lie in one received
 * chunk, a copy when they span several.
 *
 * The arrays it returns are the caller's to keep and change, but to save
 * copies they are often views into a larger buffer that also holds other
 * data (as Node's pooled `Buffer`s): do not transfer their `buffer` (to a
 * byte stream's `enqueue`, `postMessage`, `ArrayBuffer.transfer`); copy
 * them first with `slice()`.
 *
 * @example
 * ```ts
 * import { run, StreamReader } from "@asyncio/deno";
 * await run(async () => {
 *   const reader = new StreamReader();
 *   reader.feedData(new TextEncoder().encode("one\ntwo\n"));
 *   reader.feedEof();
 *   const lines = [];
 *   for await (const line of reader) lines.push(new TextDecoder().decode(line));
 *   console.assert(lines.join("") === "one\ntwo\n");
 * });
 * ```
 */
export class StreamReader {
  #limit: number;
  #loop: EventLoop | null;
  #chunks: Uint8Array[] = [];
  #head = 0;
  #pos = 0;
  #size = 0;
  // Where copies of small pieces go (see #copyIn); bytes below #roomUsed
  // belong to chunks, possibly already handed to a caller.
  #room: Uint8Array = EMPTY;
  #roomUsed = 0;
  #eof = false;
  #waiter: Future<void> | null = null;
  #exception: unknown = null;
  #transport: ReadingTransport | null = null;
  #paused = false;
  #readable: ReadableStream<Uint8Array> | null = null;
  // readinto(): the caller's buffer lent to the transport for its next read
  // (until those bytes come), the buffer a readinto() waits to fill, and
  // the chunk queued in that buffer's memory (until that readinto takes it).
  #lent: Uint8Array | null = null;
  #into: Uint8Array | null = null;
  #inPlace: Uint8Array | null = null;
  // A big read gathering in place (see #gatherInPlace): the buffer the
  // reads land in, how much of it holds data, where the room kept for the
  // chunks read before ends, and whether it is a read() (which has taken
  // the bytes: other reads meanwhile fail, as they would find none).
  #growing: ArrayBuffer | null = null;
  #grownTo = 0;
  #roomTo = 0;
  #readingAll = false;

  #onReadiness: (() => void) | null = null;

  /**
   * An empty reader; feed it with `feedData`/`feedEof`.
   * @throws {RangeError} if `limit` is not a positive number.
   */
  constructor(options: StreamReaderOptions = {}) {
    const limit = options.limit ?? DEFAULT_LIMIT;
    if (typeof limit !== "number" || !(limit > 0)) {
      throw new RangeError("Limit cannot be <= 0");
    }
    this.#limit = limit;
    this.#loop = options.loop ?? null;
  }

  /** The limit this reader was made with. */
  get limit(): number {
    return this.#limit;
  }

  /** @ignore The number of bytes buffered. */
  get _buffered(): number {
    return this.#size;
  }

  /** @ignore True while a read waits for data (the buffered bytes are promised to it). */
  get _hasWaiter(): boolean {
    return this.#waiter !== null && !this.#waiter.done();
  }

  /** The error set with `setException`, or `null`. Mirrors `StreamReader.exception`. */
  exception(): unknown {
    return this.#exception;
  }

  /**
   * Make every read throw `exc` (the one waiting now, and all later ones).
   * Mirrors `StreamReader.set_exception`.
   */
  setException(exc: unknown): void {
    this.#exception = exc;
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      if (!waiter.done()) waiter.setException(exc);
    }
    this.#onReadiness?.();
  }

  /**
   * @ignore Called when data, EOF or an error arrives (selectors watch
   * readiness with it). Watched, the reader reads ahead: readiness needs
   * data that no read has asked for.
   */
  set _onReadiness(callback: (() => void) | null) {
    this.#onReadiness = callback;
    if (callback !== null) this.#transport?._pull?.(false);
  }

  /** @ignore Set by the transport that feeds this reader. */
  _setTransport(transport: ReadingTransport): void {
    if (this.#transport !== null) throw new RuntimeError("Transport already set");
    this.#transport = transport;
  }

  /** No more data will come. Mirrors `StreamReader.feed_eof`. */
  feedEof(): void {
    this.#eof = true;
    this.#lent = null; // its bytes will not come
    this.#wakeup();
    this.#onReadiness?.();
  }

  /** True once `feedEof()` was called and the buffer is empty. Mirrors `StreamReader.at_eof`. */
  atEof(): boolean {
    return this.#eof && this.#size === 0;
  }

  /**
   * Append a copy of `data` to the buffer (so the caller may reuse its
   * array) and wake the waiting read.
   * Mirrors `StreamReader.feed_data`.
   * @throws {RuntimeError} after `feedEof()`.
   */
  feedData(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) {
      // A string's length would count bytes that copyIn never finds.
      throw new TypeError(`data argument must be a Uint8Array, not ${typeName(data)}`);
    }
    if (this.#eof) throw new RuntimeError("feedData after feedEof");
    if (data.length === 0) return;
    this.#copyIn(data);
    this.#fed();
  }

  /**
   * @ignore As `feedData`, without the copy: the caller gives `chunk` up
   * (our transports read into memory they never touch again).
   */
  _feedOwned(chunk: Uint8Array): void {
    if (this.#eof) throw new RuntimeError("feedData after feedEof");
    const lent = this.#lent;
    if (lent !== null && chunk.buffer === lent.buffer && chunk.byteOffset === lent.byteOffset) {
      this.#lent = null;
      if (chunk.length === 0) return;
      // Read into a readinto()'s buffer: left there for it, unless it no
      // longer waits (its caller may use the memory again).
      if (this.#into !== lent || this.#size > 0) {
        this.#copyIn(chunk);
        return this.#fed();
      }
      this.#inPlace = chunk;
    }
    if (chunk.length === 0) return;
    if (this.#growing !== null) return this.#feedGrowing(chunk);
    // A small piece behind others is copied, so that data trickling in
    // does not pile up as many tiny chunks (or pin many big buffers).
    if (chunk.length < SMALL_CHUNK && this.#size > 0 && !this.#extendsLast(chunk)) {
      this.#copyIn(chunk);
    } else {
      this.#push(chunk);
    }
    this.#fed();
  }

  /**
   * A chunk while a big read gathers in place: the transport's reads extend
   * what is there; a chunk read before the gathering began goes in the room
   * the transport kept for it. Anything else (more such chunks than the
   * room holds, as when a child's pipe hands its chunks on one callback
   * later) ends the gathering: the chunks are queued as they are, in order,
   * and joined at the end as before.
   */
  #feedGrowing(chunk: Uint8Array): void {
    const growing = this.#growing!;
    const at = this.#grownTo;
    const n = chunk.length;
    if (chunk.buffer === growing && chunk.byteOffset === at) {
      this.#push(chunk);
      this.#grownTo = at + n;
    } else if (chunk.buffer !== growing && at + n <= this.#roomTo) {
      const placed = new Uint8Array(growing, at, n);
      placed.set(chunk);
      this.#push(placed);
      this.#grownTo = at + n;
    } else {
      this.#stopGathering();
      this.#push(chunk);
    }
    this.#fed();
  }

  #fed(): void {
    this.#wakeup();
    // (While a big read gathers in place, nothing is gained by pausing.)
    if (
      this.#transport !== null && !this.#paused && this.#size > 2 * this.#limit &&
      this.#growing === null
    ) {
      this.#paused = true;
      this.#transport.pauseReading();
    }
    this.#onReadiness?.();
  }

  /**
   * Read up to `n` bytes: with `n < 0` (the default) everything until EOF;
   * else at most `n` of the buffered bytes, as soon as at least one is
   * there. Empty at EOF. Everything until EOF, past 1 MiB from a socket or
   * a child's pipe, is read into one growing buffer and comes as a view of
   * it, longer than the view and resizable (unless the gathering had to
   * stop: then it is joined at EOF, as below 1 MiB).
   * Mirrors `StreamReader.read`.
   * @throws {TypeError} if `n` is not an integer.
   */
  async read(n = -1): Promise<Uint8Array> {
    if (!Number.isInteger(n)) throw new TypeError(`n must be an integer, got ${n}`);
    if (this.#exception !== null) throw this.#exception;
    if (n === 0) return new Uint8Array(0);
    this.#checkNotReadingAll("read");
    if (n < 0) return await this.#readAll();
    if (this.#size === 0 && !this.#eof) await this.#waitForData("read");
    if (this.#size === 0) return new Uint8Array(0);
    // All that is buffered, up to n, as CPython's read(n) slices its one
    // bytearray: a parser sees the boundaries it would see there.
    const data = this.#take(Math.min(n, this.#size));
    this.#maybeResume();
    return data;
  }

  async #readAll(): Promise<Uint8Array> {
    const blocks: Uint8Array[] = [];
    let gathered = 0;
    // Gathering in place: the bytes this read() has seen, which stay
    // buffered until it returns. Begun once at most: one that had to stop
    // is not begun again (each beginning copies what came so far).
    let taken = 0;
    let began = false;
    try {
      for (;;) {
        if (this.#exception !== null) throw this.#exception;
        if (
          !began && this.#growing === null && gathered + this.#size >= GATHER_IN_PLACE &&
          !this.#eof
        ) {
          if (this.#gatherInPlace(blocks, gathered)) {
            began = true;
            gathered = 0; // now buffered again
            this.#readingAll = true;
          }
        }
        if (this.#growing !== null) {
          // Everything stays buffered, as one chunk if all went well.
          if (this.#eof) return this.#readAllDone();
          taken = this.#size;
          await this.#waitForData("read");
        } else if (this.#size > 0) {
          // Take all (which resumes a paused transport, as CPython's loop of
          // read(limit) does: it once deadlocked on big subprocess outputs).
          gathered += this.#size;
          while (this.#size > 0) {
            blocks.push(this.#take(this.#chunks[this.#head].length - this.#pos));
          }
          this.#maybeResume();
        } else if (this.#eof) {
          return concat(blocks);
        } else {
          await this.#waitForData("read");
        }
      }
    } catch (err) {
      // Cancelled or failed, a read() loses what it took, as CPython's does
      // (its blocks): in place, those bytes are still buffered.
      if (this.#growing !== null) this.#skip(Math.min(taken, this.#size));
      throw err;
    } finally {
      this.#stopGathering();
    }
  }

  /**
   * Have the transport read what comes next into one buffer that grows in
   * place (`_growInto`), after a copy of what came so far (`blocks`, then
   * the buffered bytes), so that a big read (`read()` past GATHER_IN_PLACE
   * bytes, a big `readexactly`) finds its bytes in one place instead of
   * joining many chunks into fresh memory (half of a big `communicate()`'s
   * time). If the transport cannot yet, a later call may.
   */
  #gatherInPlace(blocks: Uint8Array[], gathered: number): boolean {
    const used = gathered + this.#size;
    const growing = this.#transport?._growInto?.(used);
    if (growing === undefined || growing === null) return false;
    // The buffer starts as long as the room kept (see `_growInto`).
    this.#roomTo = growing.byteLength;
    const head = new Uint8Array(growing, 0, used);
    let at = 0;
    for (const block of blocks) {
      head.set(block, at);
      at += block.length;
    }
    blocks.length = 0;
    this.#copyOut(head.subarray(at));
    this.#skip(this.#size);
    this.#maybeResume();
    this.#growing = growing;
    this.#grownTo = used;
    if (used > 0) this.#push(head);
    return true;
  }

  /**
   * At EOF, what read() gathered in place. (Its buffer is not cut to size:
   * V8 zeroes what a shrink gives back, 60 ms for 128 MiB never touched.)
   */
  #readAllDone(): Uint8Array {
    this.#stopGathering();
    return this.#take(this.#size);
  }

  /** Reads go back to the transport's own memory (see `#gatherInPlace`). */
  #stopGathering(): void {
    if (this.#growing === null) return;
    this.#growing = null;
    this.#readingAll = false;
    this.#transport!._stopGrowing!();
  }

  /**
   * While read() gathers in place, the bytes buffered are its own, taken
   * (CPython's read() holds them in its blocks, leaving none): another read
   * would wait with it, and fails as such.
   */
  #checkNotReadingAll(funcName: string): void {
    if (this.#readingAll) {
      throw new RuntimeError(
        `${funcName}() called while another coroutine is already waiting for incoming data`,
      );
    }
  }

  /**
   * Read one line, ending with `\n`; at EOF the last, unterminated part, or
   * an empty array when nothing is left.
   *
   * Mirrors `StreamReader.readline`.
   * @throws {LineTooLongError} if the line is longer than `limit`; the line
   *   (up to and including its `\n` if it is in the buffer, else the whole
   *   buffer) is discarded.
   */
  readline(): Promise<Uint8Array> {
    return this.#readUntilOne(NEWLINE[0], true);
  }

  /**
   * `readline()`, or `readuntil()` with one separator: at once if a match
   * is buffered, else as a `then` on the wait for more data, not an async
   * frame (~260 bytes less a wait). EOF, errors and data past the limit
   * take the general path.
   */
  #readUntilOne(sep: Uint8Array, line: boolean): Promise<Uint8Array> {
    try {
      this.#checkNotReadingAll("readuntil");
      // As CPython's: an exception set is raised on entry; after a wait, a
      // match that came before it is returned first.
      if (this.#exception !== null) return line ? this.#readline() : this.#readUntil([sep]);
      const got = this.#untilFrom(sep, 0, line);
      return got instanceof Uint8Array ? Promise.resolve(got) : got;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The fast path of `#readUntilOne`, searching from `from` (where a match may start). */
  #untilFrom(sep: Uint8Array, from: number, line: boolean): Uint8Array | Promise<Uint8Array> {
    const i = this.#indexOf(sep, from);
    if (i !== -1 && i <= this.#limit) {
      const chunk = this.#take(i + sep.length);
      this.#maybeResume();
      return chunk;
    }
    const more = i === -1 && !this.#eof && this.#size + 1 - sep.length <= this.#limit;
    if (more && this.#exception === null) return this.#waitUntil(sep, line);
    return line ? this.#readline() : this.#readUntil([sep]);
  }

  /**
   * Wait for data, then search only where a match can now be: one that
   * spans the old bytes and the new starts at most `sep.length - 1` back.
   * (Apart from `#untilFrom`, which would otherwise allocate this closure's
   * scope per call.)
   */
  #waitUntil(sep: Uint8Array, line: boolean): Promise<Uint8Array> {
    const from = Math.max(0, this.#size + 1 - sep.length);
    const waiting = this.#waitForData("readuntil");
    // A future outside a task: adopted, so that the read returns a promise.
    const wait = waiting instanceof Promise ? waiting : Promise.resolve(waiting);
    return wait.then(() => this.#untilFrom(sep, from, line));
  }

  async #readline(): Promise<Uint8Array> {
    try {
      return await this.#readUntil(NEWLINE);
    } catch (err) {
      if (err instanceof IncompleteReadError) return err.partial;
      if (!(err instanceof LimitOverrunError)) throw err;
      // As CPython: drop the too-long line if its end is here, else all.
      const at = err.consumed;
      this.#skip(at < this.#size && this.#byteAt(at) === 10 ? at + 1 : this.#size);
      this.#maybeResume();
      throw new LineTooLongError(err.message);
    }
  }

  /**
   * Read up to and including `separator` (or the first of several to
   * end: with an array, the match that ends first wins).
   *
   * Mirrors `StreamReader.readuntil` (several separators as Python 3.13).
   * @throws {IncompleteReadError} at EOF before a separator; `partial` has
   *   the bytes, which are removed from the buffer.
   * @throws {LimitOverrunError} if no separator is within `limit` bytes; the
   *   data stays in the buffer, `consumed` says how much to skip.
   * @throws {RangeError} if a separator is empty or none is given.
   */
  readuntil(separator: Separator | readonly Separator[] = "\n"): Promise<Uint8Array> {
    const seps = separatorsOf(separator);
    return seps.length === 1 ? this.#readUntilOne(seps[0], false) : this.#readUntil(seps);
  }

  async #readUntil(seps: readonly Uint8Array[]): Promise<Uint8Array> {
    if (this.#exception !== null) throw this.#exception;
    const minLen = seps[0].length;
    const maxLen = seps[seps.length - 1].length;
    // `offset`: how far from the start the buffer is known to hold no
    // separator (CPython's comment explains the `+ 1 - maxLen`).
    let offset = 0;
    let matchStart = -1;
    let matchEnd = -1;
    for (;;) {
      const buflen = this.#size;
      if (buflen - offset >= minLen) {
        for (const sep of seps) {
          const i = this.#indexOf(sep, offset);
          if (i !== -1 && (matchEnd === -1 || i + sep.length < matchEnd)) {
            matchStart = i;
            matchEnd = i + sep.length;
          }
        }
        if (matchEnd !== -1) break;
        offset = Math.max(0, buflen + 1 - maxLen);
        if (offset > this.#limit) {
          throw new LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
        }
      }
      // A complete separator may have come with the EOF, so look first.
      if (this.#eof) throw new IncompleteReadError(this.#take(buflen), null);
      await this.#waitForData("readuntil");
    }
    if (matchStart > this.#limit) {
      throw new LimitOverrunError("Separator is found, but chunk is longer than limit", matchStart);
    }
    const chunk = this.#take(matchEnd);
    this.#maybeResume();
    return chunk;
  }

  /**
   * Read exactly `n` bytes. From 1 MiB on, a socket or a child's pipe is
   * read into one growing buffer meanwhile (see `read`), and the bytes come
   * as a view of it.
   * Mirrors `StreamReader.readexactly`.
   * @throws {IncompleteReadError} at EOF before `n` bytes (`partial` has them).
   * @throws {RangeError} if `n` is negative.
   */
  async readexactly(n: number): Promise<Uint8Array> {
    if (!Number.isInteger(n)) throw new TypeError(`n must be an integer, got ${n}`);
    if (n < 0) throw new RangeError("readexactly size can not be less than zero");
    if (this.#exception !== null) throw this.#exception;
    if (n === 0) return new Uint8Array(0);
    this.#checkNotReadingAll("readexactly");
    // Gathering in place, begun once at most (as read()'s).
    let began = false;
    try {
      while (this.#size < n) {
        if (this.#eof) throw new IncompleteReadError(this.#take(this.#size), n);
        if (!began && n >= GATHER_IN_PLACE && this.#growing === null) {
          began = this.#gatherInPlace([], 0);
        }
        await this.#waitForData("readexactly");
      }
    } finally {
      if (began) this.#stopGathering();
    }
    const data = this.#take(n);
    this.#maybeResume();
    return data;
  }

  /**
   * Read up to `buffer.length` bytes into `buffer`: how many, 0 at EOF.
   * The bytes are in the caller's memory, so a loop that reads into one
   * buffer allocates nothing per read. Where nothing is buffered, a
   * reader of a socket or a child's pipe has the transport read straight
   * into `buffer` (no copy), and from then on it does not read ahead,
   * until a read of another kind (`read`, `readline`, ...) waits or a
   * selector watches.
   *
   * Python's file objects have `readinto`; asyncio's `StreamReader` has
   * not. As with `Deno.Conn.read`, a read into `buffer` cannot be stopped
   * once started: if this call is cancelled meanwhile, `buffer` may still
   * be written until the reader's next read returns (the reader keeps a
   * copy of those bytes for it).
   *
   * @example Echo with one buffer (the write waits until sent before the
   * buffer is read into again).
   * ```ts
   * import { openConnection, run, startServer } from "../mod.ts";
   *
   * await run(async () => {
   *   const server = await startServer(async (reader, writer) => {
   *     writer.transport.setWriteBufferLimits(0); // drain() waits until sent
   *     const buf = new Uint8Array(65536);
   *     for (let n; (n = await reader.readinto(buf)) > 0;) {
   *       writer.write(buf.subarray(0, n));
   *       await writer.drain();
   *     }
   *     writer.close();
   *   }, "127.0.0.1", 0);
   *   const { port } = server.sockets[0] as Deno.NetAddr;
   *   const [reader, writer] = await openConnection("127.0.0.1", port);
   *   writer.write(new TextEncoder().encode("ping"));
   *   writer.writeEof();
   *   console.assert(new TextDecoder().decode(await reader.read()) === "ping");
   *   writer.close();
   *   server.close();
   *   await server.waitClosed();
   * });
   * ```
   * @throws {TypeError} if `buffer` is not a `Uint8Array`.
   */
  async readinto(buffer: Uint8Array): Promise<number> {
    if (!(buffer instanceof Uint8Array)) {
      throw new TypeError(`buffer must be a Uint8Array, not ${typeName(buffer)}`);
    }
    if (this.#exception !== null) throw this.#exception;
    if (buffer.length === 0) return 0;
    this.#checkNotReadingAll("readinto");
    if (this.#size === 0 && !this.#eof) {
      this.#into = buffer;
      try {
        do {
          this.#lend(buffer);
          await this.#waitForData("readinto", true);
        } while (this.#size === 0 && !this.#eof);
      } catch (err) {
        this.#keepInPlace();
        throw err;
      } finally {
        this.#into = null;
      }
    }
    if (this.#size === 0) return 0;
    const inPlace = this.#inPlace;
    let n: number;
    if (
      inPlace !== null && this.#chunks[this.#head] === inPlace && this.#pos === 0 &&
      inPlace.buffer === buffer.buffer && inPlace.byteOffset === buffer.byteOffset
    ) {
      n = inPlace.length; // already there
      this.#inPlace = null;
    } else {
      this.#keepInPlace(); // read into another readinto()'s buffer, if anything
      n = this.#copyOut(buffer);
    }
    this.#skip(n);
    this.#maybeResume();
    return n;
  }

  /**
   * Have the transport read next into `buffer`, unless another read waits
   * or a buffer is lent still; the transport refuses while something it
   * read waits for delivery.
   */
  #lend(buffer: Uint8Array): void {
    const transport = this.#transport;
    if (transport?._lend === undefined || this.#lent !== null || this._hasWaiter) return;
    transport._pull!(true);
    if (transport._lend(buffer)) this.#lent = buffer;
  }

  /**
   * The bytes read into a readinto()'s buffer are copied, for another
   * read: that readinto() gave up, or another read takes them first.
   */
  #keepInPlace(): void {
    const chunk = this.#inPlace;
    if (chunk === null) return;
    this.#inPlace = null;
    const i = this.#chunks.indexOf(chunk, this.#head);
    if (i !== -1) this.#chunks[i] = chunk.slice();
  }

  /** `for await (const line of reader)`: the lines, as `readline()`, until EOF. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }

  /**
   * This reader as a `ReadableStream` (for `pipeTo` and Deno's stream APIs).
   * It pulls chunks of up to `limit` bytes on demand; the same stream each
   * time.
   */
  get readable(): ReadableStream<Uint8Array> {
    this.#readable ??= new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const chunk = await this.read(this.#limit);
        if (chunk.length === 0) controller.close();
        else controller.enqueue(chunk);
      },
    }, { highWaterMark: 0 });
    return this.#readable;
  }

  /** For example `<StreamReader 12 bytes eof>`. */
  toString(): string {
    const info = ["StreamReader"];
    if (this.#size > 0) info.push(`${this.#size} bytes`);
    if (this.#eof) info.push("eof");
    if (this.#limit !== DEFAULT_LIMIT) info.push(`limit=${this.#limit}`);
    if (this._hasWaiter) info.push(`waiter=${this.#waiter}`);
    if (this.#exception !== null) info.push(`exception=${pyRepr(this.#exception)}`);
    if (this.#paused) info.push("paused");
    return `<${info.join(" ")}>`;
  }

  #wakeup(): void {
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      if (!waiter.done()) waiter.setResult();
    }
  }

  #maybeResume(): void {
    if (this.#paused && this.#size <= this.#limit) {
      this.#paused = false;
      this.#transport!.resumeReading();
    }
  }

  /**
   * What a read awaits until data, EOF or an error arrives: the waiter
   * future, through `awaitable` (inside a task, a native promise the task's
   * step settles; no async frame between the read and the loop). A waiter
   * left done by a cancelled read counts as none. `intoCaller`: a
   * `readinto`, which keeps the transport in pull mode.
   */
  #waitForData(funcName: string, intoCaller = false): PromiseLike<void> {
    // Two reads waiting at once could not know which gets the next data.
    if (this._hasWaiter) {
      throw new RuntimeError(
        `${funcName}() called while another coroutine is already waiting for incoming data`,
      );
    }
    // Waiting while paused would deadlock (readexactly(n) with n > limit).
    if (this.#paused) {
      this.#paused = false;
      this.#transport!.resumeReading();
    }
    if (!intoCaller) this.#transport?._pull?.(false);
    const loop = this.#loop ??= getEventLoop();
    const waiter = loop.createFuture<void>();
    this.#waiter = waiter;
    loop._waitingForIO(funcName);
    return awaitable(waiter);
  }

  // ---- The chunk queue ----------------------------------------------------

  /** True if `chunk` continues the last chunk in the same memory (reads into one slab). */
  #extendsLast(chunk: Uint8Array): boolean {
    const last = this.#chunks[this.#chunks.length - 1];
    return last.buffer === chunk.buffer && last.byteOffset + last.length === chunk.byteOffset;
  }

  /** Queue `chunk` (not copied), joining it to the last chunk if it continues it. */
  #push(chunk: Uint8Array): void {
    const chunks = this.#chunks;
    if (this.#size > 0 && this.#extendsLast(chunk)) {
      const last = chunks[chunks.length - 1];
      chunks[chunks.length - 1] = new Uint8Array(
        last.buffer,
        last.byteOffset,
        last.length + chunk.length,
      );
    } else {
      chunks.push(chunk);
    }
    this.#size += chunk.length;
  }

  /**
   * Queue a copy of `data`: a big one in its own array, a small one in the
   * room, where consecutive small pieces join into one chunk.
   */
  #copyIn(data: Uint8Array): void {
    const n = data.length;
    if (n > ROOM_SIZE / 4) return this.#push(data.slice());
    if (this.#roomUsed + n > this.#room.length) {
      this.#room = new Uint8Array(ROOM_SIZE);
      this.#roomUsed = 0;
    }
    const at = this.#roomUsed;
    this.#room.set(data, at);
    this.#roomUsed = at + n;
    this.#push(this.#room.subarray(at, at + n));
  }

  /** Remove and return the first `n` buffered bytes: a view when they lie in one chunk. */
  #take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    if (this.#inPlace !== null) this.#keepInPlace(); // never a view of a caller's buffer
    const head = this.#chunks[this.#head];
    const pos = this.#pos;
    let out: Uint8Array;
    if (pos + n <= head.length) {
      out = pos === 0 && n === head.length ? head : head.subarray(pos, pos + n);
    } else {
      out = new Uint8Array(n);
      this.#copyOut(out);
    }
    this.#skip(n);
    return out;
  }

  /** Copy the first buffered bytes into `buffer`, as many as fit; how many. */
  #copyOut(buffer: Uint8Array): number {
    const n = Math.min(this.#size, buffer.length);
    let i = this.#head, from = this.#pos, off = 0;
    while (off < n) {
      const chunk = this.#chunks[i++];
      const k = Math.min(chunk.length - from, n - off);
      buffer.set(chunk.subarray(from, from + k), off);
      off += k;
      from = 0;
    }
    return n;
  }

  /** Drop the first `n` buffered bytes. */
  #skip(n: number): void {
    const chunks = this.#chunks;
    this.#size -= n;
    if (this.#size === 0) {
      // pop() keeps the array's storage; `length = 0` would drop it.
      if (chunks.length === 1) chunks.pop();
      else chunks.length = 0;
      this.#head = this.#pos = 0;
      return;
    }
    let pos = this.#pos + n;
    while (pos >= chunks[this.#head].length) {
      pos -= chunks[this.#head].length;
      chunks[this.#head++] = EMPTY; // let it go
    }
    this.#pos = pos;
    if (this.#head > 64 && 2 * this.#head > chunks.length) {
      chunks.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** The buffered byte at `i` (`i < #size`). */
  #byteAt(i: number): number {
    let at = this.#pos + i;
    for (let j = this.#head;; j++) {
      const chunk = this.#chunks[j];
      if (at < chunk.length) return chunk[at];
      at -= chunk.length;
    }
  }

  /** Where `sep` starts in the buffer, searching from `from`; or -1. It may span chunks. */
  #indexOf(sep: Uint8Array, from: number): number {
    const chunks = this.#chunks;
    const first = sep[0];
    let j = this.#head;
    let base = -this.#pos; // the buffer index of chunks[j][0]
    while (j < chunks.length && base + chunks[j].length <= from) base += chunks[j++].length;
    for (; j < chunks.length; j++) {
      const chunk = chunks[j];
      for (let k = Math.max(from - base, 0);; k++) {
        k = indexOfByte(chunk, first, k);
        if (k === -1) break;
        if (base + k + sep.length > this.#size) return -1;
        if (this.#matchesAt(sep, j, k)) return base + k;
      }
      base += chunk.length;
    }
    return -1;
  }

  /** True if the rest of `sep` follows `chunks[j][k]` (which is `sep[0]`), across chunks. */
  #matchesAt(sep: Uint8Array, j: number, k: number): boolean {
    let chunk = this.#chunks[j];
    for (let s = 1, at = k + 1; s < sep.length; s++, at++) {
      if (at === chunk.length) {
        chunk = this.#chunks[++j];
        at = 0;
      }
      if (chunk[at] !== sep[s]) return false;
    }
    return true;
  }
}

// Invariants (as CPython's FlowControlMixin): `#paused` is true between the
// transport's `pauseWriting()` and `resumeWriting()`; drain waiters exist
// only while paused; `#closed` is settled once, when the connection is lost
// (with its error, or none after a clean close).
/**
 * The protocol under a stream: it feeds a `StreamReader` with what the
 * transport receives, and keeps the flow-control state a `StreamWriter`'s
 * `drain()` waits on. With a `clientConnected` callback (as `startServer`
 * uses it), it makes the writer and calls the callback when the connection
 * is made (as a task, if it is async).
 *
 * Mirrors `asyncio.StreamReaderProtocol` (with `FlowControlMixin`). `reader`
 * may be `null` for a write-only stream (a child's stdin).
 *
 * @example
 * ```ts
 * import { getRunningLoop, run, StreamReader, StreamReaderProtocol, StreamWriter } from "@asyncio/deno";
 * await run(async () => {
 *   const loop = getRunningLoop();
 *   await using server = await loop.createServer(
 *     () => new StreamReaderProtocol(new StreamReader(), (_r, w) => w.close()),
 *     "127.0.0.1",
 *     0,
 *   );
 *   const { port } = server.sockets[0] as Deno.NetAddr;
 *   const reader = new StreamReader();
 *   const [transport, protocol] = await loop.createConnection(
 *     () => new StreamReaderProtocol(reader),
 *     "127.0.0.1",
 *     port,
 *   );
 *   const writer = new StreamWriter(transport, protocol, reader);
 *   console.assert((await reader.read()).length === 0); // the server closed at once
 *   writer.close();
 *   await writer.waitClosed();
 * });
 * ```
 */
export class StreamReaderProtocol extends Protocol {
  #reader: StreamReader | null;
  #clientConnected: ClientConnectedCallback | null;
  #loop: EventLoop | null;
  #closed: Future<void> | null = null;
  #paused = false;
  #connectionLost = false;
  #lostExc: unknown = null;
  #drainWaiters: Future<void>[] = [];
  #overTls = false;

  /** @ignore Told when the write buffer drains or the connection is lost (for selectors). */
  _onWritable: (() => void) | null = null;

  /**
   * A protocol feeding `reader`; `clientConnected(reader, writer)` is
   * called when the connection is made (a server's per-connection callback).
   */
  constructor(
    reader: StreamReader | null,
    clientConnected: ClientConnectedCallback | null = null,
    options: { loop?: EventLoop } = {},
  ) {
    super();
    this.#reader = reader;
    this.#clientConnected = clientConnected;
    this.#loop = options.loop ?? null;
  }

  /** @ignore The future settled when the connection is lost (`waitClosed`). */
  _closedFuture(loop: EventLoop): Future<void> {
    this.#loop ??= loop;
    return this.#closed ??= this.#newClosed(loop);
  }

  #newClosed(loop: EventLoop): Future<void> {
    const fut = loop.createFuture<void>();
    if (this.#connectionLost) this.#settleClosed(fut);
    return fut;
  }

  #settleClosed(fut: Future<void>): void {
    if (fut.done()) return;
    if (this.#lostExc === null) fut.setResult();
    else {
      fut.setException(this.#lostExc);
      fut.exception(); // nobody has to wait_closed(): do not report it
    }
  }

  /** Wire the reader to `transport`; with a callback, make the writer and start it as a task. */
  override connectionMade(transport: Transport): void {
    this.#loop ??= (transport as unknown as DenoTransport)._loop;
    this.#overTls = transport.getExtraInfo("sslcontext") !== null;
    this.#reader?._setTransport(transport);
    const callback = this.#clientConnected;
    if (callback === null) return;
    const loop = this.#loop ?? getRunningLoop();
    const reader = this.#reader!;
    const writer = new StreamWriter(transport, this, reader, loop);
    // Always a task: a sync callback simply finishes in its first step. The
    // task holds the server open until it is done (waitClosed waits for it).
    const server = (transport as unknown as { _server: DenoTransport["_server"] })._server;
    server?._attach();
    const handle = () => callback(reader, writer);
    // The task's repr names the callback, as asyncio's names its coroutine (handle_connection()).
    Object.defineProperty(handle, "name", { value: callback.name });
    const task = loop.createTask(handle);
    task.addDoneCallback(() => {
      if (!task.cancelled()) {
        const exception = task.exception();
        if (exception !== null) {
          // As StreamReaderProtocol.connection_made's callback.
          loop.callExceptionHandler({
            message: "Unhandled exception in client_connected_cb",
            exception,
            transport,
          });
          transport.close();
        }
      }
      server?._detach();
    });
  }

  /** EOF (or `exc`) for the reader; wake `drain()` and `waitClosed()`. */
  override connectionLost(exc: unknown): void {
    this.#connectionLost = true;
    this.#lostExc = exc;
    const reader = this.#reader;
    if (reader !== null) {
      if (exc === null) reader.feedEof();
      else reader.setException(exc);
    }
    if (this.#closed !== null) this.#settleClosed(this.#closed);
    if (this.#paused) {
      for (const waiter of this.#drainWaiters) {
        if (waiter.done()) continue;
        if (exc === null) waiter.setResult();
        else waiter.setException(exc);
      }
    }
    this._onWritable?.();
  }

  /** @ignore True while a read of the reader waits (a transport in pull mode asks). */
  _waitsForData(): boolean {
    return this.#reader?._hasWaiter ?? false;
  }

  /** Hand `data` to the reader (no copy). */
  override dataReceived(data: Uint8Array): void {
    this.#reader?._feedOwned(data); // the transport hands the chunk over
  }

  /** EOF for the reader; keep the transport half-open, except over TLS. */
  override eofReceived(): boolean {
    this.#reader?.feedEof();
    // As CPython: half-open stays open, except over TLS (which has no
    // half-close).
    return !this.#overTls;
  }

  /** The transport's buffer went above its high-water mark: `drain()` waits. */
  override pauseWriting(): void {
    this.#paused = true;
  }

  /** It fell to the low-water mark: wake `drain()`. */
  override resumeWriting(): void {
    this.#paused = false;
    for (const waiter of this.#drainWaiters) if (!waiter.done()) waiter.setResult();
    this._onWritable?.();
  }

  /** @ignore What `StreamWriter.drain()` waits on (as FlowControlMixin._drain_helper). */
  _drainHelper(): Promise<void> {
    if (this.#connectionLost) {
      return Promise.reject(
        new ConnectionResetError("Connection lost", { cause: this.#lostExc ?? undefined }),
      );
    }
    return this.#paused ? this.#drainWait() : RESOLVED;
  }

  async #drainWait(): Promise<void> {
    const waiter = this.#loop!.createFuture<void>();
    this.#drainWaiters.push(waiter);
    this.#loop!._waitingForIO("drain");
    try {
      await awaitable(waiter);
    } finally {
      const i = this.#drainWaiters.indexOf(waiter);
      if (i !== -1) this.#drainWaiters.splice(i, 1);
    }
  }
}

/**
 * The write side of a stream: writes go to the `transport`'s buffer;
 * `drain()` waits for it to empty enough.
 *
 * Mirrors `asyncio.StreamWriter`. Made by `openConnection`, `startServer`
 * and `streamWriterFromWritable`, or by hand over any transport and its
 * `StreamReaderProtocol`.
 *
 * @example
 * ```ts
 * import { run, streamWriterFromWritable } from "@asyncio/deno";
 * const chunks: Uint8Array[] = [];
 * await run(async () => {
 *   const writer = streamWriterFromWritable(new WritableStream({ write: (c) => { chunks.push(c); } }));
 *   writer.write("hello\n");
 *   await writer.drain();
 *   writer.close();
 *   await writer.waitClosed();
 * });
 * console.assert(new TextDecoder().decode(chunks[0]) === "hello\n");
 * ```
 */
export class StreamWriter {
  #transport: Transport;
  #protocol: StreamReaderProtocol;
  #reader: StreamReader | null;
  #loop: EventLoop;
  #writable: WritableStream<Uint8Array> | null = null;

  /**
   * A writer onto `transport`, whose protocol is `protocol`; `reader` is
   * the stream's reader (its error fails `drain()`), if any.
   */
  constructor(
    transport: Transport,
    protocol: StreamReaderProtocol,
    reader: StreamReader | null,
    loop?: EventLoop,
  ) {
    this.#transport = transport;
    this.#protocol = protocol;
    this.#reader = reader;
    this.#loop = loop ?? getEventLoop();
  }

  /** The transport under this writer. */
  get transport(): Transport {
    return this.#transport;
  }

  /** @ignore Told when the write buffer drains or the connection is lost (for selectors). */
  set _onReadiness(callback: (() => void) | null) {
    this.#protocol._onWritable = callback;
  }

  /**
   * Queue `data` (a string is encoded as UTF-8). It never blocks; call
   * `drain()` to let the buffer empty. After `close()` or a lost connection
   * the data is dropped, and `drain()` throws. The array is not copied (as
   * with Deno's `conn.write` or Node's `socket.write`): do not change it
   * until it has been written (after `drain()` reports an empty buffer).
   * Mirrors `StreamWriter.write`.
   * @throws {RuntimeError} after `writeEof()`.
   */
  write(data: Uint8Array | string): void {
    this.#transport.write(typeof data === "string" ? encoder.encode(data) : data);
  }

  /** `write` each chunk in turn (they go out together). Mirrors `StreamWriter.writelines`. */
  writelines(chunks: Iterable<Uint8Array | string>): void {
    for (const chunk of chunks) this.write(chunk);
  }

  /** True if `writeEof()` is supported. Mirrors `StreamWriter.can_write_eof`. */
  canWriteEof(): boolean {
    return this.#transport.canWriteEof();
  }

  /**
   * Half-close: the peer reads EOF after the data written so far; reading
   * goes on. Mirrors `StreamWriter.write_eof`.
   * @throws {RuntimeError} if `canWriteEof()` is false.
   */
  writeEof(): void {
    this.#transport.writeEof();
  }

  /**
   * Close after the buffered data is written; reading stops at once and
   * the reader sees EOF. Mirrors `StreamWriter.close`.
   */
  close(): void {
    this.#transport.close();
  }

  /** True once closing (or lost). Mirrors `StreamWriter.is_closing`. */
  isClosing(): boolean {
    return this.#transport.isClosing();
  }

  /**
   * Wait until the connection is closed.
   * Mirrors `StreamWriter.wait_closed`.
   * @throws the connection's error if it was lost to one.
   */
  async waitClosed(): Promise<void> {
    await this.#protocol._closedFuture(this.#loop);
  }

  /**
   * Transport details: `"peername"` and `"sockname"` (`[host, port]` for
   * TCP, the path for Unix sockets), `"socket"` (a `TransportSocket`),
   * `"sslcontext"` (true over TLS); whatever else the transport offers.
   * Mirrors `StreamWriter.get_extra_info`.
   */
  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return this.#transport.getExtraInfo(name, defaultValue);
  }

  /**
   * Wait until the write buffer is at or below the low-water mark, if it
   * went above the high-water mark; else return at once.
   *
   * Mirrors `StreamWriter.drain`.
   * @throws the reader's error if it has one; else, once the connection
   *   is lost, `ConnectionResetError("Connection lost")` (its `cause` is the
   *   error it was lost to, if any).
   */
  drain(): Promise<void> {
    // Not an async function: the common case (nothing to wait for) costs
    // the caller's `await` one microtask, not a chain of async frames.
    const exc = this.#reader?.exception() ?? null;
    if (exc !== null) return Promise.reject(exc);
    if (this.#transport.isClosing()) return this.#drainClosing();
    return this.#protocol._drainHelper();
  }

  async #drainClosing(): Promise<void> {
    // CPython yields one iteration here, in which its transport, closed
    // with an empty buffer, reports the loss. Ours learns of it when the
    // resource's pending operations end, so wait for that.
    await this.#protocol._closedFuture(this.#loop).then(undefined, () => {});
    await this.#protocol._drainHelper();
  }

  /**
   * This writer as a `WritableStream`: each chunk is written and drained;
   * closing it half-closes (`writeEof`) where possible, else closes.
   */
  get writable(): WritableStream<Uint8Array> {
    this.#writable ??= new WritableStream<Uint8Array>({
      write: async (chunk) => {
        this.write(chunk);
        await this.drain();
      },
      close: () => {
        if (this.canWriteEof()) this.writeEof();
        else this.close();
      },
      abort: () => this.#transport.abort(),
    });
    return this.#writable;
  }

  /** For example `<StreamWriter closing>`. */
  toString(): string {
    return `<StreamWriter${this.isClosing() ? " closing" : ""}>`;
  }
}

/**
 * A `StreamReader` fed from `readable` (e.g. `Deno.stdin.readable`, a
 * `fetch` body, a child's `stdout`). Reading pauses while the reader holds
 * more than twice its limit. An error of the stream becomes the reader's.
 * The stream's chunks are taken over, not copied (as a stream's reader
 * owns what it reads).
 *
 * @example
 * ```ts
 * import { run, streamReaderFromReadable } from "@asyncio/deno";
 * const line = await run(async () => {
 *   const reader = streamReaderFromReadable(new Blob(["hi\nthere"]).stream());
 *   return new TextDecoder().decode(await reader.readline());
 * });
 * console.assert(line === "hi\n");
 * ```
 */
export function streamReaderFromReadable(
  readable: ReadableStream<Uint8Array>,
  options: StreamReaderOptions = {},
): StreamReader {
  if (!(readable instanceof ReadableStream)) {
    throw new TypeError(`a ReadableStream was expected, got ${shortRepr(readable)}`);
  }
  // Without a loop, the stream feeds the reader directly, so that one
  // reader can serve any loop (and selectors outside a loop).
  const loop = options.loop ?? null;
  const reader = new StreamReader(options);
  const protocol = new StreamReaderProtocol(reader, null, { loop: loop ?? undefined });
  new PipeTransport(loop, { readable }, protocol)._start(true);
  return reader;
}

/**
 * A `StreamWriter` onto `writable`. `writeEof()` closes the stream (unless
 * `canWriteEof: false`), `close()` closes it after the buffered data, and
 * `getExtraInfo` offers `"pipe"` (the stream) and the entries of `extra`.
 */
export function streamWriterFromWritable(
  writable: WritableStream<Uint8Array>,
  options: { loop?: EventLoop; extra?: Record<string, unknown>; canWriteEof?: boolean } = {},
): StreamWriter {
  if (!(writable instanceof WritableStream)) {
    throw new TypeError(`a WritableStream was expected, got ${shortRepr(writable)}`);
  }
  const loop = options.loop ?? getEventLoop();
  const protocol = new StreamReaderProtocol(null, null, { loop });
  const transport = new PipeTransport(
    loop,
    { writable, canWriteEof: options.canWriteEof },
    protocol,
    options.extra,
  );
  transport._start(false);
  return new StreamWriter(transport, protocol, null, loop);
}

// ---- Connections and servers ----------------------------------------------

/** Options of `openConnection`. */
export interface OpenConnectionOptions extends CreateConnectionOptions {
  /** The reader's limit (default 64 KiB). */
  limit?: number;
}

/** Options of `startServer` and `startUnixServer`. */
export interface StartServerOptions extends CreateServerOptions {
  /** The readers' limit (default 64 KiB). */
  limit?: number;
}

/** A reader/writer pair, as `openConnection` returns it. */
export type StreamPair = [StreamReader, StreamWriter];

/** What a server calls for each connection; it may be async (then it runs as a task). */
export type ClientConnectedCallback = (
  reader: StreamReader,
  writer: StreamWriter,
) => unknown;

async function openPair(
  connect: (
    loop: EventLoop,
    factory: () => StreamReaderProtocol,
  ) => Promise<[Transport, StreamReaderProtocol]>,
  limit: number | undefined,
): Promise<StreamPair> {
  const loop = getRunningLoop();
  const reader = new StreamReader({ limit, loop });
  const [transport, protocol] = await connect(
    loop,
    () => new StreamReaderProtocol(reader, null, { loop }),
  );
  return [reader, new StreamWriter(transport, protocol, reader, loop)];
}

/**
 * Connect to `host:port` over TCP (or TLS with `ssl`).
 *
 * Mirrors `asyncio.open_connection`: `loop.createConnection` with a
 * `StreamReaderProtocol`.
 * @returns `[reader, writer]`.
 * @throws {ConnectionRefusedError} if nobody listens there.
 * @example
 * ```ts
 * import { openConnection, run, startServer } from "@asyncio/deno";
 * await run(async () => {
 *   const server = await startServer(async (reader, writer) => {
 *     writer.write(await reader.readline());
 *     writer.close();
 *   }, "127.0.0.1", 0);
 *   const { port } = server.sockets[0] as Deno.NetAddr;
 *   const [reader, writer] = await openConnection("127.0.0.1", port);
 *   writer.write("ping\n");
 *   console.assert(new TextDecoder().decode(await reader.readline()) === "ping\n");
 *   writer.close();
 *   await writer.waitClosed();
 *   server.close();
 *   await server.waitClosed();
 * });
 * ```
 */
export function openConnection(
  host: string | null = null,
  port: number | string | null = null,
  options: OpenConnectionOptions = {},
): Promise<StreamPair> {
  const { limit, ...connectOptions } = options;
  return openPair(
    (loop, factory) => loop.createConnection(factory, host, port, connectOptions),
    limit,
  );
}

/**
 * Connect to the Unix socket at `path`.
 * Mirrors `asyncio.open_unix_connection`.
 * @throws {ConnectionRefusedError} if nobody listens there.
 */
export function openUnixConnection(
  path: string,
  options: { limit?: number } = {},
): Promise<StreamPair> {
  return openPair((loop, factory) => loop.createUnixConnection(factory, path), options.limit);
}

function streamFactory(
  clientConnected: ClientConnectedCallback,
  limit: number | undefined,
): () => StreamReaderProtocol {
  if (typeof clientConnected !== "function") {
    throw new TypeError("clientConnected must be a function");
  }
  const loop = getRunningLoop();
  return () =>
    new StreamReaderProtocol(new StreamReader({ limit, loop }), clientConnected, { loop });
}

/**
 * Listen on `host:port` (TCP, or TLS with `ssl`) and call
 * `clientConnected(reader, writer)` for each connection; an async callback
 * runs as a task. A callback that throws is reported to the loop's
 * exception handler and its connection closed; the server goes on. Port 0
 * picks a free port (see `server.sockets`).
 *
 * Mirrors `asyncio.start_server`: `loop.createServer` with a
 * `StreamReaderProtocol` per connection. `host` `null` listens on all
 * interfaces.
 * @example
 * ```ts
 * import { run, startServer } from "@asyncio/deno";
 * await run(async () => {
 *   await using server = await startServer((_reader, writer) => writer.close(), "127.0.0.1", 0);
 *   console.assert(server.isServing());
 * });
 * ```
 */
export async function startServer(
  clientConnected: ClientConnectedCallback,
  host: string | readonly string[] | null = null,
  port: number | string | null = null,
  options: StartServerOptions = {},
): Promise<Server> {
  const factory = streamFactory(clientConnected, options.limit);
  return await getRunningLoop().createServer(factory, host, port, options);
}

/**
 * As `startServer`, on a Unix socket at `path` (a stale socket file there
 * is removed first, and the file is removed on `close()`).
 * Mirrors `asyncio.start_unix_server`.
 */
export async function startUnixServer(
  clientConnected: ClientConnectedCallback,
  path: string,
  options: { limit?: number; startServing?: boolean } = {},
): Promise<Server> {
  const factory = streamFactory(clientConnected, options.limit);
  return await getRunningLoop().createUnixServer(factory, path, options);
}

// read() and readexactly() gather in one growing buffer from this many
// bytes on: below, a join costs little, and each gathering reserves address
// space (and a mapping) for as long as its result lives.
const GATHER_IN_PLACE = 1024 * 1024;

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
