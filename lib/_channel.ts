// A one-way queue of records from one thread to another (the loop's thread
// and a Worker, either way), in shared memory: what a WorkerExecutor's jobs
// and results travel on, and a Worker's calls into a loop (loopPort). A
// postMessage costs both threads a structured clone, an event dispatch and,
// above all, a wake-up of the receiver's event loop per message; here the
// writer appends to memory the reader can see at once, and wakes the reader
// only if it sleeps (bench/README.md has the figures).
//
// Segments. A segment is a SharedArrayBuffer written front to back and never
// reused: a header (WRITE, the byte offset just past the last published
// record; SLEEP, how the reader waits), then records of four words
//   [size][op | form << 8][a][b]
// and their payload, 4-byte aligned. When a record does not fit, the
// writer posts a new segment on the side port and publishes a LINK record;
// the reader takes the segment off the port when it reaches the LINK, and
// the old one is garbage.
//
// Payloads. The codec below writes plain data into the segment: undefined,
// null, booleans, numbers, strings up to MAX_STRING, dense arrays and plain
// objects without shared references (what structured clone would copy the
// same way). Anything else (a Map, a Date, a typed array, a class instance,
// a cycle, a bigint) or a payload with a transfer list goes by structured
// clone as the next message on the side port, in record order. The reader's
// end of the side port is never started: it takes its messages with
// receiveMessageOnPort, without an event loop turn.
//
// Waking. The writer publishes by storing WRITE (an Atomics store, so the
// record's bytes are visible before it) and then reads SLEEP: WAITING means
// the reader sleeps in Atomics.wait or Atomics.waitAsync on WRITE, so it
// notifies; PARKED means the reader went back to its event loop and waits
// for a message, so it rings the doorbell it was given (round trips through
// a Worker's Atomics.waitAsync took 18-34 µs in Deno 2.9, with millisecond
// tails, where Atomics.wait took 7 µs and a message ~13 µs). It exchanges SLEEP for AWAKE first, so one
// sleep gets one wake-up; the reader sets SLEEP before it looks at WRITE a
// last time, so no record is published unseen (both sides use sequentially
// consistent Atomics).
import { receiveMessageOnPort } from "node:worker_threads";

const HEADER = 16;
const RECORD = 16;
/** Bytes of a new segment; a payload bigger than one goes by the side port. */
const SEGMENT = 64 * 1024;
/** A writer that fills segments fast gets bigger ones, up to this. */
const MAX_SEGMENT = 1024 * 1024;
/**
 * Longer strings and arrays go by the side port: a record stays well within
 * a segment, and String.fromCharCode.apply within V8's argument limit.
 */
const MAX_STRING = 8192;
/** Deeper data goes by the side port (the codec recurses). */
const MAX_DEPTH = 64;

// SLEEP values.
const AWAKE = 0;
const WAITING = 1;
const PARKED = 2;

// Record forms.
const NONE = 0;
const INLINE = 1;
const SIDE = 2;

const NO_ARGS: unknown[] = [];

/** The op of the record that says "the next segment is the next side message". */
const LINK = 255;

/** What the other thread needs to read a channel: its first segment and the side port's end. */
export interface ChannelEnd {
  segment: SharedArrayBuffer;
  port: MessagePort;
}

// The `Transfer` objects of lib/threads.ts (a value whose listed objects
// are moved, not copied, to the other thread), known here without importing
// that module into a Worker.
const transfers = new WeakSet<object>();

/** Record `x` as a `Transfer`. */
export function markTransfer(x: { value: unknown; list: readonly Transferable[] }): void {
  transfers.add(x);
}

/** True if `x` is a `Transfer`. */
export function isTransfer(x: unknown): x is { value: unknown; list: readonly Transferable[] } {
  return typeof x === "object" && x !== null && transfers.has(x);
}

/**
 * `args` with `Transfer` markers (at the top level) replaced by their
 * values, and the objects to transfer; `null` if there is no marker.
 */
export function unwrapTransfers(
  args: readonly unknown[],
): { args: unknown[]; list: Transferable[] } | null {
  let list: Transferable[] | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (isTransfer(arg)) (list ??= []).push(...arg.list);
  }
  if (list === null) return null;
  return { args: args.map((a) => isTransfer(a) ? a.value : a), list };
}

/** A new segment: empty, so WRITE is where its first record will end up. */
function newSegment(size = SEGMENT): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(size);
  new Int32Array(sab, 0, 1)[0] = HEADER;
  return sab;
}

class Segment {
  readonly sab: SharedArrayBuffer;
  /** The whole segment as words: the header (WRITE, SLEEP) and the records' headers. */
  readonly words: Int32Array;
  readonly view: DataView;
  readonly u8: Uint8Array;
  /** Where a record must end, leaving room for a LINK. */
  readonly limit: number;
  constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.words = new Int32Array(sab);
    this.view = new DataView(sab);
    this.u8 = new Uint8Array(sab);
    this.limit = sab.byteLength - RECORD;
  }
}

/**
 * A channel written on this thread: the writer, and the end to send (with
 * its port transferred) to the reader's thread. `doorbell` tells the reader
 * that parked (see the notes above).
 */
export function channelTo(doorbell: () => void): { writer: ChannelWriter; end: ChannelEnd } {
  const { port1, port2 } = new MessageChannel();
  const writer = new ChannelWriter(port1, doorbell);
  return { writer, end: { segment: writer.first, port: port2 } };
}

/**
 * A channel read on this thread: the reader, and the end to send (with its
 * port transferred) to the writer's thread, which makes its
 * `ChannelWriter` from it.
 */
export function channelFrom(): { reader: ChannelReader; end: ChannelEnd } {
  const { port1, port2 } = new MessageChannel();
  const segment = newSegment();
  return { reader: new ChannelReader({ segment, port: port2 }), end: { segment, port: port1 } };
}

/** The writing end of a channel. One thread writes; see the notes above. */
export class ChannelWriter {
  #port: MessagePort;
  #doorbell: () => void;
  #seg: Segment;
  #pos = HEADER;
  #linkedAt = -Infinity;
  /** The segment the reader starts with. */
  readonly first: SharedArrayBuffer;

  /** A writer posting on `port` (the side port's other end is the reader's). */
  constructor(port: MessagePort, doorbell: () => void, first?: SharedArrayBuffer) {
    this.#port = port;
    this.#doorbell = doorbell;
    this.first = first ?? newSegment();
    this.#seg = new Segment(this.first);
  }

  /** Append a record without payload. */
  write(op: number, a: number, b: number): void {
    if (this.#pos + RECORD > this.#seg.limit) this.#link();
    this.#commit(this.#pos, op, NONE, a, b, this.#pos + RECORD);
  }

  /**
   * Append a record whose payload is `value` (by the codec, or by structured
   * clone on the side port, moving `transfer`'s objects). With `sideOk`
   * false, a value that needs the side port is not written: returns false.
   * @throws what structured clone throws (DataCloneError), having written nothing.
   */
  writeValue(
    op: number,
    a: number,
    b: number,
    value: unknown,
    transfer: readonly Transferable[] | null,
    sideOk: boolean,
  ): boolean {
    return this.#write(op, a, b, value, false, transfer, sideOk);
  }

  /**
   * As `writeValue`, for a list of arguments that the caller made (a rest
   * parameter: no holes, no other properties, referenced nowhere else).
   */
  writeArgs(
    op: number,
    a: number,
    b: number,
    args: unknown[],
    transfer: readonly Transferable[] | null,
    sideOk: boolean,
  ): boolean {
    return this.#write(op, a, b, args, true, transfer, sideOk);
  }

  #write(
    op: number,
    a: number,
    b: number,
    value: unknown,
    list: boolean,
    transfer: readonly Transferable[] | null,
    sideOk: boolean,
  ): boolean {
    if (transfer === null) {
      let end = this.#encode(value, list);
      if (end === FULL && this.#pos > HEADER) {
        this.#link();
        end = this.#encode(value, list);
      }
      if (end >= 0) {
        this.#commit(this.#pos, op, INLINE, a, b, end);
        return true;
      }
    }
    if (!sideOk) return false;
    if (this.#pos + RECORD > this.#seg.limit) this.#link();
    this.#port.postMessage(box(value), { transfer: transfer === null ? [] : [...transfer] });
    this.#commit(this.#pos, op, SIDE, a, b, this.#pos + RECORD);
    return true;
  }

  /** Close the side port (the reader sees no more records). */
  close(): void {
    this.#port.close();
  }

  #encode(value: unknown, list: boolean): number {
    if (seen.length !== 0) seen.length = 0; // left over if a getter threw
    const seg = this.#seg;
    const p = this.#pos + RECORD;
    const end = list
      ? encodeList(seg.view, seg.u8, p, seg.limit, value as unknown[])
      : encode(seg.view, seg.u8, p, seg.limit, value, 0);
    if (seen.length !== 0) seen.length = 0;
    return end;
  }

  /** Write the header of the record at `at` ending at `end`, and publish it. */
  #commit(at: number, op: number, form: number, a: number, b: number, end: number): void {
    end = (end + 3) & ~3;
    const words = this.#seg.words;
    const w = at >> 2;
    words[w] = end - at;
    words[w + 1] = op | (form << 8);
    words[w + 2] = a;
    words[w + 3] = b;
    this.#pos = end;
    Atomics.store(words, 0, end);
    if (Atomics.load(words, 1) !== AWAKE) this.#wake(words);
  }

  #wake(h: Int32Array): void {
    const was = Atomics.exchange(h, 1, AWAKE);
    if (was === WAITING) Atomics.notify(h, 0);
    else if (was === PARKED) this.#doorbell();
  }

  /**
   * Continue in a new segment: it goes on the side port, then a LINK says
   * so. One filled within a millisecond is followed by one twice its size
   * (up to MAX_SEGMENT): a burst costs fewer segments; a quiet writer goes
   * back to small ones.
   */
  #link(): void {
    const now = performance.now();
    const size = now - this.#linkedAt < 1
      ? Math.min(MAX_SEGMENT, 2 * this.#seg.sab.byteLength)
      : SEGMENT;
    this.#linkedAt = now;
    const next = newSegment(size);
    this.#port.postMessage(box(next));
    this.#commit(this.#pos, LINK, NONE, 0, 0, this.#pos + RECORD);
    this.#seg = new Segment(next);
    this.#pos = HEADER;
  }
}

/** The reading end of a channel. One thread reads; see the notes above. */
export class ChannelReader {
  #port: MessagePort;
  #seg: Segment;
  #pos = HEADER;
  #end = HEADER;
  #form = NONE;
  #at = 0;
  #sidePending = false;
  /** The op of the record `next()` read. */
  op = 0;
  /** Its first number. */
  a = 0;
  /** Its second number. */
  b = 0;

  /** A reader of the channel whose end `end` is. */
  constructor(end: ChannelEnd) {
    this.#port = end.port;
    this.#seg = new Segment(end.segment);
  }

  /** Read the next record into `op`, `a`, `b`: false if none is published yet. */
  next(): boolean {
    if (this.#sidePending) this.#receive(); // its payload was not wanted
    for (;;) {
      if (this.#pos >= this.#end) {
        this.#end = Atomics.load(this.#seg.words, 0);
        if (this.#pos >= this.#end) return false;
      }
      const words = this.#seg.words;
      const at = this.#pos;
      const w = at >> 2;
      const opForm = words[w + 1];
      const op = opForm & 0xff;
      this.#pos = at + words[w];
      if (op === LINK) {
        this.#seg = new Segment(this.#receive() as SharedArrayBuffer);
        this.#pos = this.#end = HEADER;
        continue;
      }
      this.op = op;
      this.#form = opForm >> 8;
      this.a = words[w + 2];
      this.b = words[w + 3];
      this.#at = at + RECORD;
      this.#sidePending = this.#form === SIDE;
      return true;
    }
  }

  /** The payload of the record `next()` read (once). */
  value(): unknown {
    if (this.#form === INLINE) {
      this.#form = NONE;
      return decode(this.#seg.view, this.#seg.u8, this.#at);
    }
    if (this.#sidePending) {
      this.#sidePending = false;
      return this.#receive();
    }
    return undefined;
  }

  /** True if a record is there to read (`next()` would read one). */
  hasNext(): boolean {
    return this.#pos < this.#end || Atomics.load(this.#seg.words, 0) !== this.#pos;
  }

  /**
   * The payload of the record `next()` read, written with `writeArgs`: an
   * argument list (a shared empty one when there are none: spread, never
   * kept).
   */
  args(): unknown[] {
    if (this.#form === INLINE && this.#seg.view.getUint32(this.#at + 1, true) === 0) {
      this.#form = NONE;
      return NO_ARGS;
    }
    return this.value() as unknown[];
  }

  /**
   * Block this thread until a record is published or `ms` pass (a Worker
   * only): true if one is there.
   */
  waitSync(ms: number): boolean {
    const h = this.#seg.words;
    Atomics.store(h, 1, WAITING);
    if (Atomics.load(h, 0) === this.#pos) Atomics.wait(h, 0, this.#pos, ms);
    Atomics.store(h, 1, AWAKE);
    return Atomics.load(h, 0) !== this.#pos;
  }

  /**
   * A promise that settles once a record is published (or `wake()` is
   * called); null if one is there already.
   */
  waitAsync(): Promise<unknown> | null {
    const h = this.#seg.words;
    Atomics.store(h, 1, WAITING);
    const wait = Atomics.waitAsync(h, 0, this.#pos);
    if (wait.async) return wait.value;
    Atomics.store(h, 1, AWAKE);
    return null;
  }

  /** End a `waitAsync` from this thread (nothing was published). */
  wake(): void {
    Atomics.notify(this.#seg.words, 0);
  }

  /**
   * Wait for the writer's doorbell instead (the caller returns to its event
   * loop): false if a record arrived meanwhile, so the caller reads on.
   */
  park(): boolean {
    const h = this.#seg.words;
    Atomics.store(h, 1, PARKED);
    if (Atomics.load(h, 0) === this.#pos) return true;
    Atomics.store(h, 1, AWAKE);
    return false;
  }

  /** Close the side port. */
  close(): void {
    this.#port.close();
  }

  #receive(): unknown {
    this.#sidePending = false;
    // The writer posted before it published the record, so it is there.
    const got = receiveMessageOnPort(this.#port as never) as
      | { message: Map<0, unknown> }
      | undefined;
    if (got === undefined) throw new Error("Channel: a record's side message is missing");
    return got.message.get(0);
  }
}

/**
 * `value` in a Map: Deno's receiveMessageOnPort walks every enumerable
 * property of a message, recursively (looking for ports to wrap for
 * node:worker_threads), ~60 ns per element of a typed array, so a 1 MiB
 * Uint8Array took 60 ms; it does not look inside a Map.
 */
function box(value: unknown): Map<0, unknown> {
  return new Map([[0, value]]);
}

// ---- The codec ---------------------------------------------------------
//
// A value is a tag byte and its data: numbers little-endian, strings as
// Latin-1 bytes or (if any code unit is above 255) UTF-16 code units at an
// even offset, so lone surrogates survive as in structured clone; arrays
// and objects as a count and their items (an object's keys as strings).

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_INT = 4;
const T_FLOAT = 5;
const T_LATIN1 = 6;
const T_UTF16 = 7;
const T_ARRAY = 8;
const T_OBJECT = 9;

const UNSUPPORTED = -1;
const FULL = -2;

// The arrays and objects of the payload being written: one seen twice is a
// shared reference (or a cycle), which only structured clone keeps.
const seen: object[] = [];

function encode(
  view: DataView,
  u8: Uint8Array,
  p: number,
  lim: number,
  v: unknown,
  depth: number,
): number {
  if (p + 9 > lim) return FULL;
  switch (typeof v) {
    case "number":
      if ((v | 0) === v && !Object.is(v, -0)) {
        view.setUint8(p, T_INT);
        view.setInt32(p + 1, v, true);
        return p + 5;
      }
      view.setUint8(p, T_FLOAT);
      view.setFloat64(p + 1, v, true);
      return p + 9;
    case "string":
      return encodeString(view, u8, p, lim, v);
    case "boolean":
      view.setUint8(p, v ? T_TRUE : T_FALSE);
      return p + 1;
    case "undefined":
      view.setUint8(p, T_UNDEFINED);
      return p + 1;
    case "object": {
      if (v === null) {
        view.setUint8(p, T_NULL);
        return p + 1;
      }
      if (depth >= MAX_DEPTH || seen.includes(v)) return UNSUPPORTED;
      const proto = Object.getPrototypeOf(v);
      if (proto === Array.prototype) {
        const a = v as unknown[];
        if (a.length > MAX_STRING) return UNSUPPORTED;
        // Holes and extra properties (a match result's `index`) are kept by
        // structured clone only; Object.keys sees both.
        if (Object.keys(a).length !== a.length) return UNSUPPORTED;
        seen.push(a);
        view.setUint8(p, T_ARRAY);
        view.setUint32(p + 1, a.length, true);
        p += 5;
        for (let i = 0; i < a.length; i++) {
          p = encode(view, u8, p, lim, a[i], depth + 1);
          if (p < 0) return p;
        }
        return p;
      }
      if (proto === Object.prototype) {
        seen.push(v);
        const keys = Object.keys(v);
        view.setUint8(p, T_OBJECT);
        view.setUint32(p + 1, keys.length, true);
        p += 5;
        for (const key of keys) {
          p = encodeString(view, u8, p, lim, key);
          if (p < 0) return p;
          p = encode(view, u8, p, lim, (v as Record<string, unknown>)[key], depth + 1);
          if (p < 0) return p;
        }
        return p;
      }
      return UNSUPPORTED;
    }
    default: // bigint, symbol, function
      return UNSUPPORTED;
  }
}

function encodeList(view: DataView, u8: Uint8Array, p: number, lim: number, a: unknown[]): number {
  if (p + 5 > lim) return FULL;
  view.setUint8(p, T_ARRAY);
  view.setUint32(p + 1, a.length, true);
  p += 5;
  for (let i = 0; i < a.length; i++) {
    p = encode(view, u8, p, lim, a[i], 1);
    if (p < 0) return p;
  }
  return p;
}

function encodeString(view: DataView, u8: Uint8Array, p: number, lim: number, s: string): number {
  const n = s.length;
  if (n > MAX_STRING) return UNSUPPORTED;
  if (p + 5 + n > lim) return FULL;
  view.setUint32(p + 1, n, true);
  const start = p + 5;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) return encodeUtf16(view, p, lim, s);
    u8[start + i] = c;
  }
  view.setUint8(p, T_LATIN1);
  return start + n;
}

function encodeUtf16(view: DataView, p: number, lim: number, s: string): number {
  const n = s.length;
  const start = (p + 6) & ~1;
  if (start + 2 * n > lim) return FULL;
  view.setUint8(p, T_UTF16);
  for (let i = 0; i < n; i++) view.setUint16(start + 2 * i, s.charCodeAt(i), true);
  return start + 2 * n;
}

// Where decode() stopped: the codec's second result, kept out of the way
// of an allocation per value.
let after = 0;

function decode(view: DataView, u8: Uint8Array, p: number): unknown {
  const tag = view.getUint8(p);
  switch (tag) {
    case T_INT:
      after = p + 5;
      return view.getInt32(p + 1, true);
    case T_FLOAT:
      after = p + 9;
      return view.getFloat64(p + 1, true);
    case T_LATIN1:
    case T_UTF16:
      return decodeString(view, u8, p);
    case T_UNDEFINED:
      after = p + 1;
      return undefined;
    case T_NULL:
      after = p + 1;
      return null;
    case T_FALSE:
    case T_TRUE:
      after = p + 1;
      return tag === T_TRUE;
    case T_ARRAY: {
      const n = view.getUint32(p + 1, true);
      const a = new Array(n);
      p += 5;
      for (let i = 0; i < n; i++) {
        a[i] = decode(view, u8, p);
        p = after;
      }
      after = p;
      return a;
    }
    case T_OBJECT: {
      const n = view.getUint32(p + 1, true);
      const o: Record<string, unknown> = {};
      p += 5;
      for (let i = 0; i < n; i++) {
        const key = decodeString(view, u8, p);
        const value = decode(view, u8, after);
        // An own "__proto__" (structured clone makes one) is not the setter's.
        if (key === "__proto__") {
          Object.defineProperty(o, key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else o[key] = value;
        p = after;
      }
      after = p;
      return o;
    }
    default:
      throw new Error(`Channel: bad tag ${tag}`);
  }
}

function decodeString(view: DataView, u8: Uint8Array, p: number): string {
  const n = view.getUint32(p + 1, true);
  if (view.getUint8(p) === T_LATIN1) {
    const start = p + 5;
    after = start + n;
    if (n > 32) return String.fromCharCode.apply(null, u8.subarray(start, after) as never);
    let s = "";
    for (let i = start; i < after; i++) s += String.fromCharCode(u8[i]);
    return s;
  }
  const start = (p + 6) & ~1;
  after = start + 2 * n;
  if (n > 32) {
    return String.fromCharCode.apply(null, new Uint16Array(u8.buffer, start, n) as never);
  }
  let s = "";
  for (let i = start; i < after; i += 2) s += String.fromCharCode(view.getUint16(i, true));
  return s;
}
