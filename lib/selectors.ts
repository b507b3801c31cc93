/**
 * Readiness of file objects, as CPython's `selectors` module: a
 * `DefaultSelector` on which you register stdin, a `StreamReader` or
 * `StreamWriter`, or any Deno reader/writer for `EVENT_READ` /
 * `EVENT_WRITE`, and `select()` says which are ready.
 *
 * How readiness is derived. Deno's I/O is completion based: there is no
 * "would a read block?" question to ask the OS, only reads that complete.
 * So readiness is a property of a buffer:
 * - a `StreamReader` is readable when bytes sit in its buffer and no read
 *   is waiting for more, or at EOF, or once it has an error;
 * - a raw Deno reader (`Deno.stdin`, a `Deno.FsFile`, a `Deno.Conn`, any
 *   `{ read(p) }`) is read by a pump into a `StreamReader` of its own, which
 *   `streamReaderFor(raw)` returns; it is readable as that reader is. The
 *   pump reads ahead (up to twice the reader's limit, asyncio's flow
 *   control), and no byte is lost: whatever made the object ready is what
 *   the callback reads from `streamReaderFor(raw)`;
 * - a `StreamWriter` is writable while its transport buffers no more than
 *   its high-water mark (or once it is closing, so that a write reports the
 *   error); a raw Deno writer is always writable (its writes queue in Deno).
 *
 * Not promised: Deno cannot cancel a read it has started, so once a raw
 * reader is watched one read stays in flight until data or EOF comes (on
 * stdin the process waits for the next line or EOF, where Python's
 * `select()` would not); and the `fd` of a key is a number naming the
 * object in this process (0, 1, 2 for `Deno.stdin`, `stdout`, `stderr`),
 * not an OS descriptor, which Deno does not expose.
 * @module
 */
import { DEFAULT_LIMIT, StreamReader, streamReaderFromReadable, StreamWriter } from "./streams.ts";
import { toOSError } from "./_oserror.ts";
import { checkTimeout } from "./_util.ts";

/** Readable: mirrors `selectors.EVENT_READ`. */
export const EVENT_READ = 1;
/** Writable: mirrors `selectors.EVENT_WRITE`. */
export const EVENT_WRITE = 2;

/** A raw Deno reader, such as `Deno.stdin`, a `Deno.FsFile` or a `Deno.Conn`. */
export interface DenoReader {
  /** Read into `p`; the number of bytes, or `null` at EOF. */
  read(p: Uint8Array): Promise<number | null>;
}

/** A raw Deno writer, such as `Deno.stdout`, a `Deno.FsFile` or a `Deno.Conn`. */
export interface DenoWriter {
  /** Write from `p`; the number of bytes written. */
  write(p: Uint8Array): Promise<number>;
}

/** What a selector or `loop.addReader` can watch. */
export type FileObject = StreamReader | StreamWriter | DenoReader | DenoWriter;

/**
 * A registration: the object, its `fd` (see the module notes), the events
 * watched and the caller's `data`.
 * Mirrors `selectors.SelectorKey`.
 */
export interface SelectorKey {
  /** The object registered. */
  readonly fileobj: FileObject;
  /** A number naming the object in this process (not an OS descriptor). */
  readonly fd: number;
  /** `EVENT_READ`, `EVENT_WRITE` or both (`|`). */
  readonly events: number;
  /** What was given to `register` (in the seed: the callback). */
  readonly data: unknown;
}

/**
 * @ignore The readiness of one object, shared by every selector and loop
 * that watches it (and by a raw reader and its `streamReaderFor` reader).
 */
export class _Readiness {
  readonly fd: number;
  #raw: DenoReader | null;
  #reader: StreamReader | null;
  #writer: StreamWriter | null;
  #rawWriter: boolean;
  #listeners = new Set<() => void>();

  constructor(fd: number, fileobj: FileObject) {
    this.fd = fd;
    this.#reader = fileobj instanceof StreamReader ? fileobj : null;
    this.#writer = fileobj instanceof StreamWriter ? fileobj : null;
    this.#raw = this.#reader === null && this.#writer === null && isReader(fileobj)
      ? fileobj
      : null;
    this.#rawWriter = this.#writer === null && isWriter(fileobj);
    if (this.#reader !== null) this.#reader._onReadiness = this.#notify;
    if (this.#writer !== null) this.#writer._onReadiness = this.#notify;
  }

  /** The reader readiness looks at (made, and its pump started, on first use). */
  get reader(): StreamReader | null {
    if (this.#reader === null && this.#raw !== null) {
      this.#reader = streamReaderFromReadable(pullFrom(this.#raw), { limit: DEFAULT_LIMIT });
      this.#reader._onReadiness = this.#notify;
      readiness.set(this.#reader, this);
    }
    return this.#reader;
  }

  /** Which of `events` the object can do now. */
  ready(events: number): number {
    let mask = 0;
    if (events & EVENT_READ && this.#readable()) mask |= EVENT_READ;
    if (events & EVENT_WRITE && this.#writable()) mask |= EVENT_WRITE;
    return mask;
  }

  /** Call `listener` (from whatever fed the object) when readiness may have changed. */
  listen(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #readable(): boolean {
    const reader = this.reader;
    if (reader === null) return false;
    if (reader.exception() !== null || reader.atEof()) return true;
    // Bytes a read already waits for are not free to read.
    return reader._buffered > 0 && !reader._hasWaiter;
  }

  #writable(): boolean {
    const writer = this.#writer;
    if (writer === null) return this.#rawWriter;
    const transport = writer.transport;
    if (transport.isClosing()) return true;
    return transport.getWriteBufferSize() <= transport.getWriteBufferLimits()[1];
  }

  #notify = (): void => {
    for (const listener of [...this.#listeners]) listener();
  };
}

const CHUNK = 16 * 1024;
const readiness = new WeakMap<object, _Readiness>();
let nextFd = 3;

function isReader(obj: unknown): obj is DenoReader {
  return typeof (obj as DenoReader | null)?.read === "function";
}

function isWriter(obj: unknown): obj is DenoWriter {
  return typeof (obj as DenoWriter | null)?.write === "function";
}

/** A pull-only stream over a raw reader: it reads only when asked. */
function pullFrom(raw: DenoReader): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buf = new Uint8Array(CHUNK);
      let n: number | null;
      try {
        n = await raw.read(buf);
      } catch (err) {
        throw toOSError(err);
      }
      if (n === null) controller.close();
      else controller.enqueue(buf.subarray(0, n));
    },
  }, { highWaterMark: 0 });
}

/**
 * @ignore The readiness of `fileobj` (one per object).
 * @throws {TypeError} if it is no file object.
 */
export function _readinessOf(fileobj: FileObject): _Readiness {
  let found = readiness.get(fileobj);
  if (found === undefined) {
    if (
      !(fileobj instanceof StreamReader || fileobj instanceof StreamWriter ||
        isReader(fileobj) || isWriter(fileobj))
    ) {
      throw new TypeError(`Invalid file object: ${fileobj}`);
    }
    const std = [Deno.stdin, Deno.stdout, Deno.stderr].indexOf(fileobj as never);
    found = new _Readiness(std >= 0 ? std : nextFd++, fileobj);
    readiness.set(fileobj, found);
  }
  return found;
}

/**
 * The `StreamReader` to read a file object with after it was reported
 * readable: the object itself if it is a `StreamReader`; for a raw Deno
 * reader, the buffer that selectors and `loop.addReader` fill from it (the
 * same one each time; its pump starts now).
 *
 * @throws {TypeError} if `fileobj` cannot be read.
 * @example
 * ```ts
 * import { run, streamReaderFor } from "@asyncio/deno";
 * using file = await Deno.open(import.meta.filename ?? "mod.ts");
 * const reader = streamReaderFor(file);
 * console.assert(reader === streamReaderFor(file));
 * await run(async () => console.assert((await reader.read(5)).length === 5));
 * ```
 */
export function streamReaderFor(fileobj: FileObject): StreamReader {
  const reader = _readinessOf(fileobj).reader;
  if (reader === null) throw new TypeError(`${fileobj} cannot be read`);
  return reader;
}

/**
 * Watches file objects for readiness. `select()` resolves with the
 * registered objects that are ready, each with the events it is ready for.
 * It needs no event loop (it waits on Deno's own), and works inside one.
 *
 * Mirrors `selectors.DefaultSelector`; see the module notes for how
 * readiness is derived.
 *
 * @example
 * ```ts
 * import { DefaultSelector, EVENT_READ, StreamReader } from "@asyncio/deno";
 * const reader = new StreamReader();
 * const selector = new DefaultSelector();
 * selector.register(reader, EVENT_READ, "my data");
 * setTimeout(() => reader.feedData(new TextEncoder().encode("hi\n")), 1);
 * const [[key, events]] = await selector.select();
 * console.assert(key.data === "my data" && events === EVENT_READ);
 * selector.close();
 * ```
 */
export class DefaultSelector implements Disposable {
  #keys = new Map<number, SelectorKey>();
  #wake: (() => void) | null = null;
  #unlisten = new Map<number, () => void>();

  /**
   * Watch `fileobj` for `events`; `data` is kept in the key.
   * Mirrors `BaseSelector.register`.
   * @throws {RangeError} for events other than `EVENT_READ | EVENT_WRITE`,
   *   or if the object is already registered.
   * @throws {TypeError} if `fileobj` is no file object.
   */
  register(fileobj: FileObject, events: number, data: unknown = null): SelectorKey {
    if (!events || events & ~(EVENT_READ | EVENT_WRITE)) {
      throw new RangeError(`Invalid events: ${events}`);
    }
    const source = _readinessOf(fileobj);
    if (this.#keys.has(source.fd)) {
      throw new RangeError(`${fileobj} (FD ${source.fd}) is already registered`);
    }
    if (events & EVENT_READ) void source.reader; // start a raw reader's pump
    const key: SelectorKey = Object.freeze({ fileobj, fd: source.fd, events, data });
    this.#keys.set(source.fd, key);
    this.#unlisten.set(source.fd, source.listen(() => this.#wakeUp()));
    return key;
  }

  /**
   * Stop watching `fileobj`. Mirrors `BaseSelector.unregister`.
   * @returns its key.
   * @throws {RangeError} if it is not registered.
   */
  unregister(fileobj: FileObject): SelectorKey {
    const key = this.getKey(fileobj);
    this.#keys.delete(key.fd);
    this.#unlisten.get(key.fd)!();
    this.#unlisten.delete(key.fd);
    return key;
  }

  /**
   * Change the events or data of a registration. Mirrors `BaseSelector.modify`.
   * @returns the new key.
   */
  modify(fileobj: FileObject, events: number, data: unknown = null): SelectorKey {
    this.unregister(fileobj);
    return this.register(fileobj, events, data);
  }

  /**
   * The key of `fileobj`. Mirrors `BaseSelector.get_key`.
   * @throws {RangeError} if it is not registered.
   */
  getKey(fileobj: FileObject): SelectorKey {
    const key = this.#keys.get(_readinessOf(fileobj).fd);
    if (key === undefined) throw new RangeError(`${fileobj} is not registered`);
    return key;
  }

  /** The registrations, by `fd`. Mirrors `BaseSelector.get_map`. */
  getMap(): ReadonlyMap<number, SelectorKey> {
    return this.#keys;
  }

  /**
   * Wait until at least one registered object is ready, or `timeout`
   * seconds (`null` or none: no limit; zero or less: just look).
   * Mirrors `BaseSelector.select`; a promise, because JavaScript cannot block.
   * @returns the ready keys with the events each is ready for; empty on
   *   timeout.
   */
  async select(timeout: number | null = null): Promise<Array<[SelectorKey, number]>> {
    checkTimeout(timeout);
    const deadline = timeout === null ? Infinity : performance.now() + timeout * 1000;
    for (;;) {
      const ready = this.#ready();
      const left = deadline - performance.now();
      if (ready.length > 0 || left <= 0) return ready;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        if (left !== Infinity) timer = setTimeout(resolve, Math.ceil(left));
      });
      this.#wake = null;
      clearTimeout(timer);
    }
  }

  /** Unregister everything. Mirrors `BaseSelector.close`. */
  close(): void {
    for (const unlisten of this.#unlisten.values()) unlisten();
    this.#unlisten.clear();
    this.#keys.clear();
    this.#wakeUp();
  }

  /** `using selector = new DefaultSelector()` closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  #ready(): Array<[SelectorKey, number]> {
    const ready: Array<[SelectorKey, number]> = [];
    for (const key of this.#keys.values()) {
      const mask = _readinessOf(key.fileobj).ready(key.events);
      if (mask !== 0) ready.push([key, mask]);
    }
    return ready;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
