// The transports over Deno's resources: asyncio's proactor transports
// (CPython proactor_events.py), since Deno's I/O is completion based. One
// read path and one write path, written once here and shared by sockets
// (TCP, Unix, TLS) and pipes (a child's stdio, any Web Stream).
//
// Reading and writing run outside the loop, as callbacks on each
// operation's own promise (host callbacks). They never call the protocol
// themselves: every protocol method runs in a callback of the loop
// (`_callSoonIO`), so a protocol sees asyncio's order (`connectionMade`
// before any data, `connectionLost` exactly once and last) and may use the
// running loop.
import type { EventLoop } from "./base_events.ts";
import type { Future } from "./futures.ts";
import { OSError, RuntimeError } from "./exceptions.ts";
import { toOSError } from "./_oserror.ts";
import { type BaseProtocol, BufferedProtocol, type Protocol } from "./protocols.ts";
import type { Transport } from "./transports.ts";
import { _transportSocket } from "./socket.ts";
import { opRead, opWrite, ridOf, streamRid } from "./_deno_core.ts";
import { awaitable } from "./_running.ts";
import { typeName } from "./_util.ts";

// As asyncio's FlowControlMixin: pause the protocol above 64 KiB, resume at
// a quarter of that.
const DEFAULT_HIGH_WATER = 64 * 1024;
// Reads by a resource id (sockets, a child's pipes) go into a slab, one
// after another, and the protocol gets views of it (no copy; a slab is never
// written twice, so the views are the protocol's to keep). Slabs start small
// (memory for many idle connections) and grow when a read fills the space
// offered (bulk transfers).
const SLAB_MIN = 16 * 1024;
const SLAB_MAX = 256 * 1024;
// The least room a growing buffer (`_growInto`) offers a read, and how far
// it may grow in place: address space reserved, not memory.
const GROW_ROOM = 64 * 1024;
const GROW_RESERVE = 2 ** 32;
// Reads may run ahead of the loop's deliveries by this much, so that a busy
// loop makes the socket wait rather than the process buffer a flood.
const READ_AHEAD = 256 * 1024;
// Queued writes at least this big are written as they are; smaller ones are
// joined into one write (a copy is cheaper than an extra write call).
const JOIN_BELOW = 16 * 1024;

const EMPTY = new Uint8Array(0);
const EMPTY_HELD: readonly (Uint8Array | null)[] = [];

// What a transport's reader waits for (`#readerWaits`).
const WAITS_NOTHING = 0; // reading, or running
const WAITS_RESUME = 1; // resumeReading(), or the protocol to catch up
const WAITS_BUFFER = 2; // the BufferedProtocol's getBuffer()
const WAITS_SLOT = 3; // its turn to read (ReadSlots)
const WAITS_LEND = 4; // pull mode: a buffer to read into (`_lend`)

// Socket reads pending in Deno at once, per loop (see `ReadSlots`): below
// the 128 operations tokio lets one task complete per poll.
const READ_SLOTS = 64;
// A read pending this long (ms) while others wait for a slot is taken for
// an idle connection's: it gives its slot up (and stays pending). Checked
// by a timer every SLOT_IDLE_MS, so "this long" is 1 to 2 periods.
const SLOT_IDLE_MS = 5;
// While at most this many connections of a loop read, none waits for a
// slot: their reads cannot fill tokio's 128 a poll (bench/README.md, "The
// slot count, adapted").
const UNLIMITED_READERS = 120;

/**
 * A transport's part in `ReadSlots`, made once per transport (a wait
 * allocates nothing: the objects of a wait that lasts a round of 1,000
 * connections would outlive V8's young generation).
 */
interface SlotUser {
  /** Called when a slot is granted to it. */
  readonly granted: () => void;
  /** Bumped when it queues or leaves: a queued entry with another is stale. */
  ticket: number;
  /** Its place among the holders, -1 if it holds no slot. */
  index: number;
  /** When it took the slot: the `ReadSlots` epoch then. */
  since: number;
}

/**
 * How many socket reads may be pending in Deno at once on a loop; the other
 * connections wait their turn here, oldest first.
 *
 * Why (issue 15, bench/README.md "Fairness at 1,000 connections"): Deno
 * completes every pending op from one tokio task, and tokio lets a task
 * complete 128 I/O operations per poll; past that, an op's wake-up is
 * deferred until after the next poll of the sockets, and then queued behind
 * the sockets that became readable in that poll. With more than 128
 * readable sockets, the connections just served (whose clients answered at
 * once) fill every poll, and the rest wait for a poll in which fewer than
 * 128 answered: a second or more under wrk -c1000, for raw `Deno.Conn`
 * reads as for ours. Below 128 pending reads that never happens; a
 * connection that waited here for its turn has its request in the socket
 * already, so its read often completes at once, and the order is ours.
 *
 * A read that stays pending `SLOT_IDLE_MS` while others wait is an idle
 * connection's (a keep-alive client that has nothing to send): it stops
 * counting, so idle connections never hold the active ones back.
 */
class ReadSlots {
  #loop: EventLoop;
  #free = READ_SLOTS;
  /** The connections reading. */
  #readers = 0;
  /** The users holding a slot (a read pending). */
  #holders: SlotUser[] = [];
  /** The users waiting for a slot, oldest first, with their tickets. */
  #queue: SlotUser[] = [];
  #tickets: number[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /**
   * Bumped each time the idle timer is armed: a holder whose `since` is
   * older than the epoch at a timer's firing took its slot before that
   * timer was armed, SLOT_IDLE_MS ago or more. (A clock read per read was
   * ~2 % of a small echo round trip's CPU.)
   */
  #epoch = 0;

  constructor(loop: EventLoop) {
    this.#loop = loop;
  }

  /** Others wait for a slot, or none is free (never while few connections read). */
  busy(): boolean {
    return this.#readers > UNLIMITED_READERS &&
      (this.#free <= 0 || this.#head < this.#queue.length);
  }

  /** A connection starts reading. */
  enter(): void {
    this.#readers++;
  }

  /** A connection's reading ended. */
  exit(): void {
    if (--this.#readers === UNLIMITED_READERS) this.#grant(); // the queue goes at once
  }

  /** Take a slot for `u`'s next read if one is free and nobody waits. */
  tryTake(u: SlotUser): boolean {
    if (this.busy()) return false;
    this.#hold(u);
    return true;
  }

  /** Queue `u` for a slot; `u.granted` is called once it holds one. */
  wait(u: SlotUser): void {
    this.#queue.push(u);
    this.#tickets.push(++u.ticket);
    this.#grant();
  }

  /** `u` stopped waiting (its transport stopped reading). */
  leave(u: SlotUser): void {
    u.ticket++;
    this.#grant(); // it may have been at the head
  }

  /** `u`'s read ended; or `u` gives back a slot it will not use. */
  give(u: SlotUser): void {
    if (u.index < 0) return; // released as idle: it held none
    this.#unhold(u);
    this.#free++;
    this.#grant();
  }

  #hold(u: SlotUser): void {
    this.#free--;
    u.index = this.#holders.push(u) - 1;
    u.since = this.#epoch;
  }

  #unhold(u: SlotUser): void {
    const holders = this.#holders;
    const last = holders.pop()!;
    if (last !== u) {
      holders[u.index] = last;
      last.index = u.index;
    }
    u.index = -1;
  }

  #grant(): void {
    const queue = this.#queue, tickets = this.#tickets;
    if (this.#head === queue.length && this.#head === 0) {
      // Nobody waits (a read's end, mostly): nothing to reset.
      if (this.#loop._readsQueued) this.#loop._readsQueued = false;
      return;
    }
    while (this.#head < queue.length) {
      const u = queue[this.#head];
      if (tickets[this.#head] === u.ticket) {
        if (this.#free <= 0 && this.#readers > UNLIMITED_READERS) break;
        u.ticket++;
        this.#hold(u);
        u.granted();
      }
      this.#head++;
    }
    const queued = this.#head < queue.length;
    if (this.#loop._readsQueued !== queued) this.#loop._readsQueued = queued;
    if (!queued) {
      queue.length = 0;
      tickets.length = 0;
      this.#head = 0;
      if (this.#timer !== null) {
        clearTimeout(this.#timer);
        this.#timer = null;
      }
    } else {
      if (this.#head > 1024 && this.#head > queue.length / 2) {
        this.#queue = queue.slice(this.#head);
        this.#tickets = tickets.slice(this.#head);
        this.#head = 0;
      }
      if (this.#timer === null) {
        // The pending reads keep the process alive, not this timer.
        this.#epoch++;
        this.#timer = setTimeout(this.#releaseIdle, SLOT_IDLE_MS);
        Deno.unrefTimer(this.#timer);
      }
    }
  }

  /** Reads pending since before this timer was armed give their slots to the waiting. */
  #releaseIdle = (): void => {
    this.#timer = null;
    if (this.#loop.isClosed()) return; // nobody will read
    const armed = this.#epoch;
    const holders = this.#holders;
    for (let i = holders.length - 1; i >= 0; i--) {
      const u = holders[i];
      if (u.since < armed) {
        this.#unhold(u);
        this.#free++;
      }
    }
    this.#grant(); // and re-arms while some still wait
  };
}

const slotsByLoop = new WeakMap<EventLoop, ReadSlots>();

function slotsFor(loop: EventLoop): ReadSlots {
  let slots = slotsByLoop.get(loop);
  if (slots === undefined) slotsByLoop.set(loop, slots = new ReadSlots(loop));
  return slots;
}

/**
 * A `[host, port]` pair for a TCP or UDP address (`[host, port, flowinfo,
 * scopeId]` for IPv6, as Python's), the path for a Unix one.
 */
export function addrInfo(addr: Deno.Addr): unknown {
  // A connection from Deno.startTls reports its addresses without `transport`.
  if (addr.transport === "tcp" || addr.transport === "udp" || "hostname" in addr) {
    const { hostname, port } = addr as Deno.NetAddr;
    return hostname.includes(":") ? [hostname, port, 0, 0] : [hostname, port];
  }
  // An unnamed Unix socket (a client's own end) is '' in asyncio.
  if (addr.transport === "unix" || addr.transport === "unixpacket") return addr.path ?? "";
  return addr;
}

// Invariants (a reviewer checks the code against these):
// - at most one `#pump` runs (`#pumping`); `getWriteBufferSize()` is the
//   bytes queued plus the unwritten bytes of the batch in flight, and 0 from
//   the moment the transport is aborted or lost;
// - `pauseWriting`/`resumeWriting` alternate (`#writePaused`);
// - the reader (`#readNext` and the callbacks it leaves) has at most one
//   read in flight or one wait (`#readerWaits`), never both, and ends once
//   (`#readEnded`); in pull mode it reads ahead no more: it reads into a
//   buffer lent while nothing read waits for delivery, or into its own
//   memory when the protocol waits for data and none is on its way (a
//   read already in flight or granted a slot also goes on); it delivers
//   through loop callbacks, at most READ_AHEAD bytes ahead of them; while
//   reading is paused, delivered chunks wait in `#held`, in order, and
//   while `#held` is not empty a chunk delivered joins its end (one
//   `#deliverHeld` callback is queued per chunk there once reading
//   resumes): chunks reach the protocol in the order they were read;
// - `connectionLost` is scheduled exactly once, after the pump, the
//   reader and the resource's closing have all finished (`#busy === 0`).
/**
 * A transport over a Deno resource: the write queue and its water marks,
 * half-close, close and abort, the reader and reading flow control. A
 * subclass says how to read, write, half-close and release its resource.
 */
export abstract class DenoTransport implements Transport {
  /**
   * @ignore The loop whose callbacks call the protocol; `null` for a
   * loop-less reader's feed (`streamReaderFromReadable` without a loop),
   * which calls it directly.
   */
  readonly _loop: EventLoop | null;
  /** @ignore */
  _protocol: BaseProtocol;
  /**
   * `_protocol` is a `BufferedProtocol`: asked per read without touching the
   * protocol, which is cold in cache when 1,000 connections take turns.
   */
  #buffered: boolean;
  /** @ignore The server that accepted this connection, if any. */
  _server: { _attach(): void; _detach(): void } | null = null;
  /** @ignore Called once the connection is lost (servers track their clients). */
  _onLost: ((t: DenoTransport) => void) | null = null;
  /** @ignore Extra info (`getExtraInfo`). */
  protected _extra: Record<string, unknown>;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #inFlight = 0;
  #pumping = false;
  #batch: Uint8Array = EMPTY; // what the pump is sending, `#sent` bytes of it sent
  #sent = 0;
  #high = DEFAULT_HIGH_WATER;
  #low = DEFAULT_HIGH_WATER / 4;
  #writePaused = false;
  #eof = false;
  #closing = false;
  #released = false;
  #lostExc: unknown = null;
  #busy = 0;
  #lost = false;
  // Reading.
  #reading = false;
  #readPaused = false;
  #ahead = 0;
  /** Chunks (or EOF) read while paused, in order; null while none (checked per delivery). */
  #held: Array<Uint8Array | null> | null = null;
  /** What the reader waits for (`WAITS_*`), if anything. */
  #readerWaits = WAITS_NOTHING;
  /** The buffer for the next read (a `BufferedProtocol`'s, or lent), once given. */
  #readBuf: Uint8Array | null = null;
  /** Pull mode (`_pull`): no read ahead, a read only into a lent buffer. */
  #pull = false;
  /** `_drained()`'s waiters; null while none (not an array to look at per write). */
  #drainWaiters: Future<void>[] | null = null;
  /** Limits the socket reads pending at once (null: no limit, pipes). */
  #slots: ReadSlots | null = null;
  #slotUser: SlotUser | null = null;
  /** A slot taken for the next read, which has not started. */
  #slotHeld = false;
  /** Waiting for a slot, to join the queue after the next delivery. */
  #joinAfter = false;
  /** The slab reads land in by default (made at the first such read). */
  #slab: Uint8Array = EMPTY;
  #used = 0;
  /** Where the pending read lands: `_chunkOf` cuts the chunk from it. */
  #space: Uint8Array = EMPTY;
  /** Given by `_growInto`: reads land here, from `#grownTo` on, instead of in slabs. */
  #growing: ArrayBuffer | null = null;
  #grownTo = 0;

  constructor(loop: EventLoop | null, protocol: BaseProtocol, extra: Record<string, unknown>) {
    this._loop = loop;
    this._protocol = protocol;
    this.#buffered = protocol instanceof BufferedProtocol;
    this._extra = extra;
  }

  /**
   * @ignore Tell the protocol the connection is made (in a loop callback),
   * then start reading if `read`; `made` is called after `connectionMade`.
   */
  _start(read: boolean, made?: () => void): void {
    this.#callIO(() => {
      try {
        this._protocol.connectionMade(this);
      } catch (err) {
        // As CPython, which calls it with call_soon: reported, and the
        // connection goes on.
        this.#report("Exception in callback protocol.connectionMade()", err);
      }
      if (read && !this.#closing) {
        this.#startReading();
      }
      made?.();
    }, undefined);
  }

  // ---- What each kind of transport provides ------------------------------

  /**
   * Read one chunk the protocol may keep; `null` at EOF. A byte count
   * instead (0 at EOF) is turned into the chunk by `_chunkOf` once it
   * arrives: a socket read then costs one promise, Deno's own, and not a
   * second one of ours.
   */
  protected _readChunk(): Promise<Uint8Array | number | null> {
    // By default, into the slab (see SLAB_MIN), with `_readInto`.
    const space = this.#growing !== null ? this.#growingSpace() : this.#slabSpace();
    this.#space = space;
    return this._readInto(space);
  }
  /** The chunk that the `n` bytes `_readChunk` counted make. */
  protected _chunkOf(n: number): Uint8Array {
    const space = this.#space;
    const growing = this.#growing;
    if (growing !== null) {
      const at = this.#grownTo;
      this.#grownTo = at + n;
      if (space.buffer === growing) return space.subarray(0, n);
      // Read into the slab before `_growInto`: moved to its place.
      if (this.#growingRoom(at + n)) {
        const chunk = new Uint8Array(growing, at, n);
        chunk.set(space.subarray(0, n));
        return chunk;
      }
      this.#growing = null; // past its reserve: the reader joins what it has
    }
    if (space.buffer !== this.#slab.buffer) return space.subarray(0, n); // a growing buffer's
    this.#used += n;
    // A new slab when the next read of this size would not fit, so that a
    // message is rarely split across two (two chunks, two writes).
    const slab = this.#slab;
    if (slab.length - this.#used < Math.max(slab.length / 4, n)) {
      const full = n === space.length && slab.length < SLAB_MAX;
      this.#slab = new Uint8Array(full ? 2 * slab.length : slab.length);
      this.#used = 0;
    }
    return space.subarray(0, n);
  }
  /**
   * @ignore Have the following reads land in one buffer that grows in place
   * (a resizable `ArrayBuffer`: pages are added, nothing is copied), one
   * after another from byte `used` on, so that the protocol's chunks are
   * adjacent views of one memory: a stream reader's `read()` gathering all
   * until EOF puts its first `used` bytes before them. The chunks read and
   * not yet handed over (to the protocol, or by it: `_bytesHeld`) keep the
   * room right after `used`. Until `_stopGrowing`; null if reads here
   * cannot go into it (or no address space is left).
   */
  _growInto(used: number): ArrayBuffer | null {
    if (!this._readsIntoSlabs() || this.#buffered || this.#readBuf !== null) return null;
    // Chunks held while paused left #ahead when they were delivered; and a
    // child's pipe hands its chunks on a loop callback later: those too.
    let waiting = this.#ahead;
    for (const chunk of this.#held ?? EMPTY_HELD) waiting += chunk?.length ?? 0;
    waiting += (this._protocol as { _bytesHeld?: number })._bytesHeld ?? 0;
    const grownTo = used + waiting;
    let growing: ArrayBuffer;
    try {
      growing = new ArrayBuffer(grownTo, { maxByteLength: GROW_RESERVE });
    } catch {
      return null; // no address space left
    }
    if (!growing.resizable) return null; // a runtime that ignores the option
    this.#growing = growing;
    this.#grownTo = grownTo;
    return growing;
  }

  /** @ignore Reads go into slabs again (see `_growInto`). */
  _stopGrowing(): void {
    this.#growing = null;
  }

  /** True if `_readChunk` reads into the slab (and so can read into a growing buffer). */
  protected _readsIntoSlabs(): boolean {
    return true;
  }

  /** The slab's room for the next read (the slab is made at the first). */
  #slabSpace(): Uint8Array {
    if (this.#slab.length === 0) this.#slab = new Uint8Array(SLAB_MIN);
    return this.#used === 0 ? this.#slab : this.#slab.subarray(this.#used);
  }

  /** A view of the growing buffer's room for the next read, made to grow first if small. */
  #growingSpace(): Uint8Array {
    const at = this.#grownTo;
    if (!this.#growingRoom(at + GROW_ROOM)) {
      this.#growing = null; // past its reserve: back to slabs; the reader joins what it has
      return this.#slabSpace();
    }
    const growing = this.#growing!;
    return new Uint8Array(growing, at, growing.byteLength - at);
  }

  /**
   * Grow the growing buffer to at least `size` bytes, by an eighth at least
   * (in place, so small steps cost little, and leave little unused); false
   * past its reserve.
   */
  #growingRoom(size: number): boolean {
    const growing = this.#growing!;
    if (growing.byteLength >= size) return true;
    if (size > growing.maxByteLength) return false;
    const next = Math.max(size, growing.byteLength + (growing.byteLength >> 3));
    growing.resize(Math.min(next, growing.maxByteLength));
    return true;
  }

  /** Read into `buf` (never empty); how many bytes, `null` or 0 at EOF. */
  protected abstract _readInto(buf: Uint8Array): Promise<number | null>;
  /** Write some of `chunk`; resolve to how many bytes were written. */
  protected abstract _writeSome(chunk: Uint8Array): Promise<number>;
  /** Send EOF after the data written so far. */
  protected abstract _sendEof(): Promise<void>;
  /** Release the resource (abort pending operations when `abort`). */
  protected abstract _closeResource(abort: boolean): Promise<void> | void;
  abstract canWriteEof(): boolean;

  // ---- BaseTransport ------------------------------------------------------

  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return Object.hasOwn(this._extra, name) ? this._extra[name] : defaultValue;
  }

  setProtocol(protocol: BaseProtocol): void {
    this._protocol = protocol;
    this.#buffered = protocol instanceof BufferedProtocol;
    this._pull(false); // pull mode was the old protocol's to ask for
  }

  getProtocol(): BaseProtocol {
    return this._protocol;
  }

  isClosing(): boolean {
    return this.#closing;
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#stopReading();
    if (!this.#pumping) {
      this.#release(false);
      this.#maybeLost();
    }
  }

  abort(): void {
    this._forceClose(null);
  }

  // ---- Writing -----------------------------------------------------------

  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`data argument must be a Uint8Array, not ${typeName(data)}`);
    }
    if (this.#eof) throw new RuntimeError("Cannot call write() after write_eof()");
    // Writes after close() or a lost connection are dropped, as asyncio's
    // transports do; the writer learns of it from connectionLost.
    if (data.length === 0 || this.#closing) return;
    if (this.#pumping) {
      this.#queue.push(data);
      this.#queued += data.length;
    } else {
      // Nothing queued or being sent: it goes out now, past the queue (one
      // object fewer to touch per reply, cold when 1,000 connections take
      // turns).
      this.#pump(data);
    }
    this.#maybePauseProtocol();
  }

  writelines(chunks: Iterable<Uint8Array>): void {
    for (const chunk of chunks) this.write(chunk);
  }

  writeEof(): void {
    if (this.#closing || this.#eof) return;
    if (!this.canWriteEof()) {
      throw new RuntimeError("Cannot write EOF: this transport cannot half-close");
    }
    this.#eof = true;
    if (!this.#pumping) this.#pump();
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
    this.#maybePauseProtocol();
  }

  #maybePauseProtocol(): void {
    if (this.#writePaused || this.getWriteBufferSize() <= this.#high) return;
    this.#writePaused = true;
    try {
      this._protocol.pauseWriting();
    } catch (err) {
      this.#report("protocol.pauseWriting() failed", err);
    }
  }

  /**
   * @ignore Wait until the write buffer is at or below the low-water mark
   * (at once if it is), or the connection is lost: `loop.sendfile`'s flow
   * control, which must not take the protocol's pause/resume calls.
   */
  async _drained(): Promise<void> {
    if (this.getWriteBufferSize() <= this.#low || this.#lost || this._loop === null) return;
    const waiter = this._loop.createFuture<void>();
    (this.#drainWaiters ??= []).push(waiter);
    await awaitable(waiter);
  }

  #wakeDrainWaiters(): void {
    const waiters = this.#drainWaiters;
    if (waiters === null) return;
    this.#drainWaiters = null;
    for (const waiter of waiters) if (!waiter.done()) waiter.setResult();
  }

  /** In a loop callback: resume the protocol if the buffer is (still) low. */
  #maybeResumeProtocol = (): void => {
    if (this.getWriteBufferSize() > this.#low) return;
    this.#wakeDrainWaiters();
    if (!this.#writePaused) return;
    this.#writePaused = false;
    try {
      this._protocol.resumeWriting();
    } catch (err) {
      this.#report("protocol.resumeWriting() failed", err);
    }
  };

  /**
   * The one writer: sends `first` (a write that found the queue empty),
   * then what is queued, one batch per round, then EOF if asked. Written as
   * callbacks on the write's own promise rather than an async function: a
   * write costs Deno's promise and the one `then` makes, not also an async
   * frame, its promise and its hops.
   */
  #pump(first?: Uint8Array): void {
    this.#pumping = true;
    this.#busy++;
    if (first === undefined) return this.#sendNext();
    try {
      this.#send(first);
    } catch (err) {
      this.#writeFailed(err);
    }
  }

  #sendNext(): void {
    if (this.#released) return this.#pumpDone(); // aborted: the rest is dropped
    // A write that throws as it starts has failed: with callbacks in place
    // of an async function, nothing else would catch it.
    try {
      if (this.#queue.length > 0) return this.#send(this.#nextBatch());
      if (this.#eof && !this.#closing) {
        this._sendEof().then(this.#pumpDone, this.#writeFailed);
        return;
      }
    } catch (err) {
      return this.#writeFailed(err);
    }
    this.#pumpDone();
  }

  /** Write `batch` (may throw as the write starts). */
  #send(batch: Uint8Array): void {
    this.#batch = batch;
    this.#sent = 0;
    this.#inFlight = batch.length;
    this._writeSome(batch).then(this.#written, this.#writeFailed);
  }

  #written = (n: number): void => {
    if (this.#released) return this.#pumpDone();
    const batch = this.#batch;
    const sent = this.#sent += n;
    this.#inFlight = batch.length - sent;
    if (
      (this.#writePaused || this.#drainWaiters !== null) && this.getWriteBufferSize() <= this.#low
    ) {
      this.#callIO(this.#maybeResumeProtocol);
    }
    if (sent >= batch.length) return this.#sendNext();
    try {
      this._writeSome(batch.subarray(sent)).then(this.#written, this.#writeFailed);
    } catch (err) {
      this.#writeFailed(err);
    }
  };

  #writeFailed = (err: unknown): void => {
    this.#inFlight = 0;
    if (!this.#released) this.#failed(err, "Fatal write error on transport");
    this.#pumpDone();
  };

  #pumpDone = (): void => {
    this.#batch = EMPTY;
    this.#pumping = false;
    this.#busy--;
    if (this.#closing) {
      // close() waited for the queue to empty: now let the resource go.
      this.#release(false);
      this.#maybeLost();
    }
  };

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
    // pop() and `length = 0` make no array for what splice would remove, and
    // pop() keeps the queue's storage for the next write.
    if (count === 1 && queue.length === 1) queue.pop();
    else if (count === queue.length) queue.length = 0;
    else queue.splice(0, count);
    this.#queued -= size;
    return batch;
  }

  // ---- Reading -----------------------------------------------------------

  isReading(): boolean {
    return this.#reading && !this.#readPaused && !this.#closing;
  }

  pauseReading(): void {
    if (this.#closing) return;
    this.#readPaused = true;
  }

  resumeReading(): void {
    if (this.#closing || !this.#readPaused) return;
    this.#readPaused = false;
    // What was read while paused goes first, in order (as CPython's
    // proactor transport keeps its pending data).
    const held = this.#held?.length ?? 0;
    for (let i = 0; i < held; i++) this.#callIO(this.#deliverHeld);
    if (this.#readerWaits === WAITS_BUFFER) this.#callIO(this.#giveBuffer);
    this.#wakeReader();
  }

  #stopReading(): void {
    this.#reading = false;
    this.#held = null;
    const waits = this.#readerWaits;
    if (waits === WAITS_SLOT) {
      this.#joinAfter = false;
      this.#slots!.leave(this.#slotUser!);
    }
    if (waits !== WAITS_NOTHING) {
      this.#readerWaits = WAITS_NOTHING;
      queueMicrotask(this.#readNext); // which ends the reading
    }
  }

  /** Reading may go on (resumed, or no longer ahead): the reader, if it slept, reads again. */
  #wakeReader(): void {
    if (this.#readerWaits !== WAITS_RESUME) return;
    this.#readerWaits = WAITS_NOTHING;
    queueMicrotask(this.#readNext);
  }

  #startReading(): void {
    this.#reading = true;
    this.#busy++;
    this.#slots?.enter();
    this.#readNext();
  }

  /**
   * The reader, as callbacks on the read's own promise rather than an async
   * loop (as the pump): read the next chunk unless reading stopped, is
   * paused or ahead, needs a `BufferedProtocol`'s buffer, or must wait its
   * turn (`ReadSlots`); each of those waits ends by calling this again,
   * and a slot granted starts the read itself (`#slotGranted`).
   */
  #readNext = (): void => {
    if (!this.#reading) return this.#readEnded();
    if (this.#readPaused || this.#ahead > READ_AHEAD) {
      this.#giveSlot(); // not kept while paused
      this.#readerWaits = WAITS_RESUME;
      return;
    }
    if (this.#pull && this.#readBuf === null && !this.#mustPull()) {
      this.#giveSlot();
      this.#readerWaits = WAITS_LEND;
      return;
    }
    if (this.#buffered && this.#readBuf === null) {
      this.#giveSlot(); // taken for a Protocol since replaced (setProtocol)
      this.#readerWaits = WAITS_BUFFER;
      this.#callIO(this.#giveBuffer);
      return;
    }
    const slots = this.#slots;
    if (this.#slotHeld) this.#slotHeld = false;
    else if (slots !== null && !slots.tryTake(this.#slotUser!)) {
      this.#readerWaits = WAITS_SLOT;
      slots.wait(this.#slotUser!);
      return;
    }
    this.#read();
  };

  /**
   * In pull mode, with no buffer lent: read into our own memory all the
   * same, since the protocol waits for data that no read would bring
   * (its lend came while a read was in flight, or reading was paused).
   */
  #mustPull(): boolean {
    if (this.#ahead > 0 || this.#held !== null) return false;
    const protocol = this._protocol as { _waitsForData?(): boolean };
    // A protocol that cannot say when it waits is never left without data.
    return protocol._waitsForData === undefined || protocol._waitsForData();
  }

  /** Start the next read, holding a slot if reads are limited. */
  #read(): void {
    try {
      const buf = this.#readBuf;
      const reading = buf === null ? this._readChunk() : this._readInto(buf);
      reading.then(this.#readDone, this.#readFailed);
    } catch (err) {
      this.#failLater(err);
    }
  }

  /**
   * A read that threw as it started fails later, not now: this may run
   * inside ReadSlots (`#slotGranted`), which #readFailed would enter again.
   * (Out of `#read`: a closure there would make V8 allocate its scope on
   * every read.)
   */
  #failLater(err: unknown): void {
    queueMicrotask(() => this.#readFailed(err));
  }

  #readDone = (got: Uint8Array | number | null): void => {
    this.#slots?.give(this.#slotUser!);
    const buf = this.#readBuf;
    this.#readBuf = null;
    let more: boolean;
    try {
      let data: Uint8Array | null;
      if (typeof got !== "number") data = got;
      else if (got === 0) data = null; // EOF (a read's buffer is never empty), as POSIX's
      else data = buf !== null ? buf.subarray(0, got) : this._chunkOf(got);
      more = this.#gotChunk(data);
    } catch (err) {
      if (this.#reading) this.#failed(err, "Fatal read error on transport");
      more = false;
    }
    if (more) this.#readNext();
    else if (this.#readerWaits !== WAITS_SLOT) this.#readEnded();
  };

  #readFailed = (err: unknown): void => {
    this.#slots?.give(this.#slotUser!);
    this.#readBuf = null;
    // After close() the resource's closing interrupts the read: not an error.
    if (this.#reading) this.#failed(err, "Fatal read error on transport");
    this.#readEnded();
  };

  /**
   * Queue the chunk read (or EOF, `null`) for the protocol; true to read
   * again at once, false if reading ended or waits for its turn.
   */
  #gotChunk(data: Uint8Array | null): boolean {
    if (!this.#reading) return false; // close() stops reading: the data is dropped
    if (this._loop?.isClosed()) {
      this._forceClose(null);
      return false;
    }
    if (data === null) {
      this.#reading = false;
      this.#callIO(this.#deliver, null);
      return false;
    }
    this.#ahead += data.length;
    this.#callIO(this.#deliver, data);
    // Others wait to read: queue for the next read only once this chunk is
    // delivered and the loop has run one more iteration (the protocol's
    // reply, or a stream reader's task writing it), so that the slot is
    // not taken for a request the client cannot have sent yet. (A
    // BufferedProtocol queues once it has given a buffer, after its
    // bufferUpdated.)
    const slots = this.#slots;
    if (slots === null || !slots.busy() || this.#pull || this.#buffered) return true;
    if (this._loop!.isClosed()) {
      this._forceClose(null); // nobody would deliver
      return false;
    }
    this.#readerWaits = WAITS_SLOT;
    this.#joinAfter = true;
    return false;
  }

  /** The reading ended (EOF, an error, close or a closed loop). */
  #readEnded(): void {
    this.#readBuf = null;
    this.#giveSlot();
    this.#slots?.exit();
    this.#reading = false;
    this.#busy--;
    this.#maybeLost();
  }

  /** Give back a slot taken for a read that has not started. */
  #giveSlot(): void {
    if (!this.#slotHeld) return;
    this.#slotHeld = false;
    this.#slots!.give(this.#slotUser!);
  }

  /** @ignore Take part in the loop's limit on pending socket reads (`ReadSlots`). */
  protected _limitReads(): void {
    if (this._loop === null) return;
    this.#slots = slotsFor(this._loop);
    this.#slotUser = { granted: this.#slotGranted, ticket: 0, index: -1, since: 0 };
  }

  /**
   * @ignore Pull mode on or off. On (a `StreamReader` reading into its
   * caller's buffers), the reader stops reading ahead: once the read in
   * flight, if any, is done, it reads only into a buffer lent with `_lend`,
   * or when the protocol waits for data and nothing is on its way
   * (`_waitsForData`). Off, it reads ahead into its own memory again.
   */
  _pull(on: boolean): void {
    if (this.#pull === on) return;
    this.#pull = on;
    if (!on && this.#readerWaits === WAITS_LEND) {
      this.#readerWaits = WAITS_NOTHING;
      this.#readNext();
    }
  }

  /**
   * @ignore In pull mode, with nothing read and not yet delivered: the next
   * read goes into `buf`, and its bytes reach the protocol as a view of
   * `buf`. False (and nothing lent) otherwise.
   */
  _lend(buf: Uint8Array): boolean {
    if (this.#readerWaits !== WAITS_LEND || this.#ahead > 0 || this.#held !== null) return false;
    this.#readerWaits = WAITS_NOTHING;
    this.#readBuf = buf;
    this.#readNext();
    return true;
  }

  /**
   * A slot came (inside `ReadSlots`, which must not be entered again from
   * here): the read starts at once, with no promise and hop in between;
   * anything else waits for a microtask.
   */
  #slotGranted = (): void => {
    this.#readerWaits = WAITS_NOTHING;
    const ready = this.#reading && !this.#readPaused && this.#ahead <= READ_AHEAD &&
      (this.#readBuf !== null || !this.#buffered);
    if (ready) {
      this.#read();
    } else {
      this.#slotHeld = true;
      queueMicrotask(this.#readNext);
    }
  };

  /** In a loop callback, an iteration after a delivery: join the queue. */
  #join = (): void => {
    if (this.#readerWaits === WAITS_SLOT) this.#slots!.wait(this.#slotUser!);
  };

  /** In a loop callback: the `BufferedProtocol`'s buffer for the next read. */
  #giveBuffer = (): void => {
    // Paused (by the bufferUpdated just delivered, say, while it writes
    // from the buffer): no read may start into it; resumeReading asks again.
    if (this.#readerWaits !== WAITS_BUFFER || this.#readPaused) return;
    this.#readerWaits = WAITS_NOTHING;
    if (!this.#buffered) return this.#readNext(); // replaced since
    try {
      const buf = (this._protocol as BufferedProtocol).getBuffer(-1);
      if (!(buf instanceof Uint8Array) || buf.length === 0) {
        throw new RuntimeError(
          `getBuffer() returned ${
            buf instanceof Uint8Array ? "an empty buffer" : typeName(buf)
          }: it must return a Uint8Array of at least one byte`,
        );
      }
      this.#readBuf = buf;
    } catch (err) {
      this._fatal(err, "Fatal error: protocol.getBuffer() call failed.");
    }
    this.#readNext();
  };

  /** In a loop callback: hand a chunk (or EOF, `null`) to the protocol. */
  #deliver = (data: Uint8Array | null): void => {
    this.#deliverNow(data);
    if (this.#joinAfter) {
      // Behind what the protocol just queued (a stream reader's task step).
      // Joining at once when a Protocol's reply is already on its way was
      // tried: no gain under wrk -c1000 (loop thread 10.6-11.5 µs a request
      // against 9.5-11.2), likely as its read then waits for the client
      // while it holds a slot.
      this.#joinAfter = false;
      this.#callIO(this.#join);
    }
  };

  #deliverNow(data: Uint8Array | null): void {
    if (data !== null) {
      this.#ahead -= data.length;
      if (this.#ahead <= READ_AHEAD && !this.#readPaused) this.#wakeReader();
    }
    if (this.#closing) return; // close() drops what was read and not yet delivered
    if (this.#readPaused || this.#held !== null) {
      // Paused, or chunks held while paused still wait for their turn
      // (their callbacks, queued by resumeReading, may come after this one).
      (this.#held ??= []).push(data);
      if (!this.#readPaused) this.#callIO(this.#deliverHeld);
      return;
    }
    this.#hand(data);
  }

  /** In a loop callback after resumeReading: the oldest held chunk to the protocol. */
  #deliverHeld = (): void => {
    // Paused again, or a callback left over from an earlier resume: the
    // chunks wait (in order) for the next resumeReading.
    const held = this.#held;
    if (this.#closing || this.#readPaused || held === null) return;
    const data = held.shift()!;
    if (held.length === 0) this.#held = null;
    this.#hand(data);
  };

  /** Hand a chunk (or EOF, `null`) to the protocol. */
  #hand(data: Uint8Array | null): void {
    const protocol = this._protocol;
    if (data === null) {
      let keepOpen: boolean | void = false;
      try {
        keepOpen = (protocol as Protocol).eofReceived?.();
      } catch (err) {
        this._fatal(err, "Fatal error: protocol.eofReceived() call failed.");
        return;
      }
      if (!keepOpen) this.close();
      return;
    }
    try {
      if (this.#buffered) (protocol as BufferedProtocol).bufferUpdated(data.length);
      else (protocol as Protocol).dataReceived(data);
    } catch (err) {
      const method = this.#buffered ? "bufferUpdated" : "dataReceived";
      this._fatal(err, `Fatal error: protocol.${method}() call failed.`);
    }
  }

  // ---- Closing -----------------------------------------------------------

  /**
   * @ignore A protocol method failed: report it unless it is an OS error
   * (as CPython's `_fatal_error`), then close at once; the protocol gets
   * the error.
   */
  _fatal(err: unknown, message: string): void {
    const exc = toOSError(err);
    this.#closeOnError(exc, message, exc instanceof OSError);
  }

  /** The resource failed: as `_fatal`, quietly for the errors it fails with in use. */
  #failed(err: unknown, message: string): void {
    const exc = toOSError(err);
    this.#closeOnError(exc, message, this._isIOError(exc));
  }

  #closeOnError(exc: unknown, message: string, quiet: boolean): void {
    if (!quiet) this.#report(message, exc);
    this._forceClose(exc);
  }

  #report(message: string, exception: unknown): void {
    if (this._loop === null || this._loop.isClosed()) return;
    this._loop.callExceptionHandler({
      message,
      exception,
      transport: this,
      protocol: this._protocol,
    });
  }

  /**
   * True for an error its resource may fail with in normal use (a reset, a
   * broken pipe): it goes to the protocol without a report.
   */
  protected _isIOError(exc: unknown): boolean {
    return exc instanceof OSError;
  }

  /** @ignore Close at once, dropping what is queued; `exc` reaches the protocol. */
  _forceClose(exc: unknown): void {
    if (this.#lost || this.#released) return;
    this.#closing = true;
    this.#lostExc = exc;
    this.#queue = [];
    this.#queued = 0;
    this.#inFlight = 0;
    this.#stopReading();
    this.#release(true);
    this.#maybeLost();
  }

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

  #maybeLost(): void {
    if (this.#lost || !this.#closing || this.#busy > 0 || !this.#released) return;
    this.#lost = true;
    this.#inFlight = 0;
    this.#callIO(this.#connectionLost);
  }

  #connectionLost = (): void => {
    this.#wakeDrainWaiters();
    try {
      this._protocol.connectionLost(this.#lostExc);
    } finally {
      this._onLost?.(this);
    }
  };

  /** Run `callback(arg)` in a loop callback (dropped once the loop is closed). */
  #callIO<T>(callback: (arg: T) => void, arg?: T): void {
    if (this._loop === null) callback(arg as T);
    else this._loop._callSoonIO(callback, arg as T);
  }

  /** For example `<SocketTransport closing>`. */
  toString(): string {
    return `<${this.constructor.name}${this.#closing ? " closing" : ""}>`;
  }
}

/** A transport over a `Deno.Conn` (TCP, Unix socket or TLS). */
export class SocketTransport extends DenoTransport {
  #conn: Deno.Conn;
  /** Its resource id, to call the read and write ops directly; undefined: through `#conn`. */
  #rid: number | undefined;

  constructor(
    loop: EventLoop,
    conn: Deno.Conn,
    protocol: BaseProtocol,
    options: { tls?: boolean } = {},
  ) {
    super(loop, protocol, {
      peername: addrInfo(conn.remoteAddr),
      sockname: addrInfo(conn.localAddr),
      ...(options.tls ? { sslcontext: true } : {}),
    });
    this.#conn = conn;
    this.#rid = opRead !== undefined && opWrite !== undefined ? ridOf(conn) : undefined;
    this._limitReads();
    // As asyncio's socket transports (base_events._set_nodelay): without it,
    // a small write behind an unacknowledged one waits for the peer's
    // delayed ACK (40 ms on Linux).
    if (conn.remoteAddr.transport === "tcp" && "setNoDelay" in conn) {
      try {
        (conn as Deno.TcpConn).setNoDelay(true);
      } catch { /* already gone: the first read reports it */ }
    }
  }

  canWriteEof(): boolean {
    return true;
  }

  /** `"socket"`: the connection's `TransportSocket` (made when first asked for). */
  override getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return name === "socket"
      ? _transportSocket(this.#conn)
      : super.getExtraInfo(name, defaultValue);
  }

  /** (The op's 0 at EOF is the `null` of `Deno.Conn.read`: see `#readDone`.) */
  protected _readInto(buf: Uint8Array): Promise<number | null> {
    const rid = this.#rid;
    return rid === undefined ? this.#conn.read(buf) : opRead!(rid, buf);
  }

  protected _writeSome(chunk: Uint8Array): Promise<number> {
    const rid = this.#rid;
    return rid === undefined ? this.#conn.write(chunk) : opWrite!(rid, chunk);
  }

  protected async _sendEof(): Promise<void> {
    await this.#conn.closeWrite();
  }

  protected _closeResource(): void {
    this.#conn.close();
  }
}

/** Where a pipe transport's bytes go: the read and write ends of Web Streams. */
export interface PipeEnds {
  /** The stream read from (a child's stdout, `Deno.stdin.readable`, …). */
  readable?: ReadableStream<Uint8Array>;
  /** The stream written to (a child's stdin, …). */
  writable?: WritableStream<Uint8Array>;
  /** Whether `writeEof()` closes the writable (default true). */
  canWriteEof?: boolean;
}

// The size of one read from a pipe: a Linux pipe holds 64 KiB, so one read
// takes all a writer could put in it.
const PIPE_READ_SIZE = 64 * 1024;
// Reads smaller than this are copied out of the read buffer, which is then
// reused (a trickle of small writes must not pin a 64 KiB buffer each).
const PIPE_COPY_BELOW = PIPE_READ_SIZE / 4;

/**
 * A transport over Web Streams: reads a `ReadableStream` and writes a
 * `WritableStream` (either may be absent).
 *
 * A stream over a Deno resource (a child's pipes, `Deno.stdin.readable`, a
 * file's) is read and written with Deno's ops on its resource id, as a
 * socket is, into the slab: 2-3× the stream's rate on a 64 KiB pipe
 * (bench/README.md). The stream is still locked to this transport, and
 * closing goes through it, so that it releases the resource as it would.
 * Another byte stream is read with a BYOB reader into buffers of our own (a
 * BYOB read transfers its buffer, so reads cannot share one slab).
 */
export class PipeTransport extends DenoTransport {
  #source: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array> | null = null;
  #byob = false;
  #sink: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #canWriteEof: boolean;
  #sinkClosed = false;
  #buf: Uint8Array = new Uint8Array(0);
  #left: Uint8Array = EMPTY;
  /** The resource ids behind the streams, if any (then the ops are called directly). */
  #readRid: number | undefined;
  #writeRid: number | undefined;

  constructor(
    loop: EventLoop | null,
    ends: PipeEnds,
    protocol: BaseProtocol,
    extra: Record<string, unknown> = {},
  ) {
    super(loop, protocol, { pipe: ends.readable ?? ends.writable, ...extra });
    const { readable, writable } = ends;
    const ops = opRead !== undefined && opWrite !== undefined;
    if (readable !== undefined) {
      this.#readRid = ops ? streamRid(readable) : undefined;
      try {
        this.#source = readable.getReader({ mode: "byob" });
        this.#byob = true;
      } catch {
        this.#source = readable.getReader();
      }
    }
    if (writable !== undefined) {
      this.#writeRid = ops ? streamRid(writable) : undefined;
      this.#sink = writable.getWriter();
    }
    this.#canWriteEof = ends.canWriteEof ?? true;
  }

  canWriteEof(): boolean {
    return this.#sink !== null && this.#canWriteEof;
  }

  /** Whatever a Web Stream fails with is the stream's error, for the protocol alone. */
  protected override _isIOError(exc: unknown): boolean {
    return this.#readRid === undefined && this.#writeRid === undefined ||
      super._isIOError(exc);
  }

  protected override _readsIntoSlabs(): boolean {
    return this.#readRid !== undefined;
  }

  protected override _readChunk(): Promise<Uint8Array | number | null> {
    return this.#readRid !== undefined ? super._readChunk() : this.#readStream();
  }

  async #readStream(): Promise<Uint8Array | null> {
    if (this.#left.length > 0) {
      const left = this.#left;
      this.#left = EMPTY;
      return left;
    }
    const source = this.#source!;
    if (!this.#byob) {
      const { value, done } = await (source as ReadableStreamDefaultReader<Uint8Array>).read();
      return done ? null : value; // a stream's chunks are handed over: no copy
    }
    if (this.#buf.length === 0) this.#buf = new Uint8Array(PIPE_READ_SIZE);
    const { value, done } = await (source as ReadableStreamBYOBReader).read(this.#buf);
    if (done || value === undefined) return null;
    if (value.length < PIPE_COPY_BELOW) {
      this.#buf = new Uint8Array(value.buffer as ArrayBuffer);
      return value.slice();
    }
    this.#buf = EMPTY;
    return value;
  }

  protected _readInto(buf: Uint8Array): Promise<number | null> {
    const rid = this.#readRid;
    return rid !== undefined ? opRead!(rid, buf) : this.#readStreamInto(buf);
  }

  async #readStreamInto(buf: Uint8Array): Promise<number | null> {
    let chunk: Uint8Array | null;
    do chunk = await this.#readStream(); while (chunk !== null && chunk.length === 0); // 0 is EOF
    if (chunk === null) return null;
    const n = Math.min(chunk.length, buf.length);
    buf.set(chunk.subarray(0, n));
    this.#left = chunk.subarray(n);
    return n;
  }

  protected _writeSome(chunk: Uint8Array): Promise<number> {
    const rid = this.#writeRid;
    return rid !== undefined ? opWrite!(rid, chunk) : this.#writeStream(chunk);
  }

  async #writeStream(chunk: Uint8Array): Promise<number> {
    if (this.#sink === null) throw new RuntimeError("this pipe transport cannot write");
    await this.#sink.write(chunk);
    return chunk.length;
  }

  protected async _sendEof(): Promise<void> {
    this.#sinkClosed = true;
    await this.#sink?.close();
  }

  protected async _closeResource(abort: boolean): Promise<void> {
    const source = this.#source;
    if (source !== null) {
      await source.cancel().catch(() => {});
      source.releaseLock();
    }
    const sink = this.#sink;
    if (sink !== null) {
      if (!this.#sinkClosed) {
        this.#sinkClosed = true;
        await (abort ? sink.abort() : sink.close()).catch(() => {});
      }
      sink.releaseLock();
    }
  }
}

/**
 * The listeners of servers just closed whose sockets Deno has not yet let
 * go (each promise settles when it has); connects wait for them, so that a
 * connect after `server.close()` is refused, as in CPython.
 */
export const listenersClosing: Set<Promise<void>> = new Set();

/** Remove a stale Unix socket file (never anything else). */
export function removeSocketFile(path: string): void {
  try {
    if (Deno.statSync(path).isSocket) Deno.removeSync(path);
  } catch { /* gone already, or not ours to remove */ }
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
