// StreamReader's buffer rules (driven with feedData/feedEof, as CPython's
// test_streams does), StreamWriter's flow control, and the Web Streams
// adapters both ways.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { dec, enc, withLoop } from "./_util.ts";
import {
  CancelledError,
  ConnectionResetError,
  type EventLoop,
  IncompleteReadError,
  LimitOverrunError,
  LineTooLongError,
  RuntimeError,
  sleep,
  StreamReader,
  streamReaderFromReadable,
  streamWriterFromWritable,
} from "../mod.ts";

/** Run `body` as a task on a fresh virtual-clock loop. */
function onLoop(
  body: (loop: EventLoop) => Promise<void>,
  options: { virtual?: boolean } = {},
): Promise<void> {
  return withLoop((loop) => loop.runUntilComplete(() => body(loop)), options);
}

function fed(text: string, options: { limit?: number; eof?: boolean } = {}): StreamReader {
  const reader = new StreamReader({ limit: options.limit });
  if (text) reader.feedData(enc(text));
  if (options.eof ?? true) reader.feedEof();
  return reader;
}

/** What is left in the buffer (read without waiting: EOF has been fed). */
async function rest(reader: StreamReader): Promise<string> {
  return dec(await reader.read());
}

Deno.test("readline() returns whole lines, then the unterminated tail, then empty", () =>
  onLoop(async () => {
    const reader = fed("line1\nline2\ntail");
    const got = [];
    for (let i = 0; i < 4; i++) got.push(dec(await reader.readline()));
    assertEquals(got, ["line1\n", "line2\n", "tail", ""]);
    assert(reader.atEof());
  }));

Deno.test("readline() and readuntil() find the separator wherever it is in a long chunk (the word-at-a-time search)", () =>
  onLoop(async () => {
    // Bytes beside 0x0a that a word test could confuse with it (0x0b, 0x09,
    // 0x8a, 0xff, 0x00), chunks at every alignment, the separator in the
    // unaligned head, in a word, and in the tail after the last whole word.
    // feedData copies into the reader's own memory, one piece after the
    // other: a line of `start` bytes read first puts the chunk `start` bytes
    // past a word boundary.
    const noise = [0x0b, 0x09, 0x8a, 0xff, 0x00, 0x0d, 0x61];
    for (let start = 0; start < 4; start++) {
      for (const length of [191, 192, 193, 300]) { // around WORD_SEARCH_FROM
        for (let at = 0; at < length; at++) {
          const chunk = new Uint8Array(length).map((_, i) => noise[i % noise.length]);
          chunk[at] = 10;
          const reader = new StreamReader();
          if (start > 0) {
            reader.feedData(new Uint8Array(start).fill(10, start - 1).fill(0x61, 0, start - 1));
            assertEquals((await reader.readline()).length, start);
          }
          reader.feedData(chunk);
          reader.feedEof();
          const line = await reader.readline();
          assertEquals(line.length, at + 1, `start ${start}, length ${length}, at ${at}`);
          assertEquals(line[at], 10);
        }
      }
    }
    // A two-byte separator whose first byte comes often before it matches.
    const text = "\r".repeat(200) + "x\r\ny";
    const reader = fed(text);
    assertEquals(dec(await reader.readuntil("\r\n")), text.slice(0, -1));
    assertEquals(await rest(reader), "y");
  }));

Deno.test("readline() waits for data fed later, across chunks", () =>
  onLoop(async (loop) => {
    const reader = new StreamReader({ loop });
    loop.callSoon(() => reader.feedData(enc("chunk1 ")));
    loop.callSoon(() => reader.feedData(enc("chunk2 ")));
    loop.callLater(0.1, () => reader.feedData(enc("chunk3\nnext")));
    assertEquals(dec(await reader.readline()), "chunk1 chunk2 chunk3\n");
    reader.feedEof();
    assertEquals(await rest(reader), "next");
  }));

Deno.test("readline() over the limit drops the line through its newline (CPython test_readline_limit)", () =>
  onLoop(async () => {
    const a = new StreamReader({ limit: 3 });
    a.feedData(enc("li"));
    a.feedData(enc("ne1\nline2\n"));
    await assertRejects(
      () => a.readline(),
      LineTooLongError,
      "Separator is found, but chunk is longer than limit",
    );
    a.feedEof();
    assertEquals(await rest(a), "line2\n");

    // The newline is not in the buffer: everything buffered is dropped.
    const b = new StreamReader({ limit: 7 });
    b.feedData(enc("chunk1chunk2chunk3"));
    await assertRejects(
      () => b.readline(),
      LineTooLongError,
      "Separator is not found, and chunk exceed the limit",
    );
    b.feedData(enc("more\nnext\n"));
    b.feedEof();
    assertEquals(dec(await b.readline()), "more\n");
    assertEquals(await rest(b), "next\n");
  }));

Deno.test("readline() of a line of exactly limit bytes (plus newline) succeeds", () =>
  onLoop(async () => {
    const reader = fed("12345\n123456\n", { limit: 5 });
    assertEquals(dec(await reader.readline()), "12345\n");
    await assertRejects(() => reader.readline(), LineTooLongError);
    assertEquals(await rest(reader), "");
  }));

Deno.test("readuntil() raises LimitOverrunError and keeps the data", () =>
  onLoop(async () => {
    const reader = fed("aaaaaaaaaa!", { limit: 4 });
    const err = await assertRejects(() => reader.readuntil("!"), LimitOverrunError);
    assertEquals(err.consumed, 10);
    assertEquals(err.message, "Separator is found, but chunk is longer than limit");
    assertEquals(await rest(reader), "aaaaaaaaaa!");

    const open = new StreamReader({ limit: 4 });
    open.feedData(enc("abcdefgh"));
    const err2 = await assertRejects(() => open.readuntil("!"), LimitOverrunError);
    assertEquals([err2.consumed, err2.message], [
      8,
      "Separator is not found, and chunk exceed the limit",
    ]);
  }));

Deno.test("readuntil() with a multi-byte separator split across chunks", () =>
  onLoop(async (loop) => {
    const reader = new StreamReader({ loop });
    loop.callSoon(() => reader.feedData(enc("some textSEPARA")));
    loop.callSoon(() => reader.feedData(enc("TORrest")));
    assertEquals(dec(await reader.readuntil("SEPARATOR")), "some textSEPARATOR");
    reader.feedEof();
    assertEquals(await rest(reader), "rest");
  }));

Deno.test("readuntil() waiting while the data trickles in byte by byte finds a separator spanning the feeds; past the limit LimitOverrunError keeps the data", () =>
  onLoop(async (loop) => {
    const reader = new StreamReader({ loop, limit: 8 });
    const found = loop.createTask(() => reader.readuntil("\r\n\r\n"));
    for (const ch of "ab\r\n\r\n") {
      await sleep(0);
      reader.feedData(enc(ch));
    }
    assertEquals(dec(await found), "ab\r\n\r\n");
    const over = loop.createTask(() => reader.readuntil("\r\n\r\n"));
    for (const ch of "0123456789ab") {
      await sleep(0);
      reader.feedData(enc(ch));
    }
    // As CPython: raised once the bytes that cannot start a match pass the limit.
    await assertRejects(() => over, LimitOverrunError, "Separator is not found");
    assertEquals(reader._buffered, 12);
    reader.feedEof();
    assertEquals(await rest(reader), "0123456789ab");
  }));

Deno.test("readline() and readuntil() that waited return the match fed before setException(), as CPython's; the next read raises", () =>
  onLoop(async (loop) => {
    for (const [read, fed] of [["readline", "ab\n"], ["readuntil", "ab||"]] as const) {
      const reader = new StreamReader({ loop });
      const task = loop.createTask(() =>
        read === "readline" ? reader.readline() : reader.readuntil("||")
      );
      await sleep(0);
      reader.feedData(enc(fed));
      reader.setException(new Error("boom"));
      assertEquals(dec(await task), fed, read);
      await assertRejects(() => reader.readline(), Error, "boom");
    }
  }));

Deno.test("readuntil() called from a plain callback (no task) returns a promise", () =>
  onLoop(async (loop) => {
    const reader = new StreamReader({ loop });
    let got: Promise<Uint8Array> | null = null;
    loop.callSoon(() => got = reader.readuntil("||"));
    await sleep(0);
    reader.feedData(enc("a|"));
    await sleep(0);
    reader.feedData(enc("|b"));
    assert(got! instanceof Promise);
    assertEquals(dec(await got!), "a||");
  }));

/** Feed `parts` as a transport would: owned arrays, each its own chunk when 1 KiB or more. */
function feedChunks(reader: StreamReader, parts: string[]): void {
  for (const part of parts) reader._feedOwned(enc(part));
}

const PAD = "x".repeat(1500);

Deno.test("readuntil() finds a separator spanning two and three received chunks", () =>
  onLoop(async () => {
    const reader = new StreamReader();
    // The small "S" goes into a chunk of its own between its neighbours.
    feedChunks(reader, [PAD + "<SE", "P>" + PAD + "<", "S", "EP>" + PAD + "|"]);
    assertEquals(dec(await reader.readuntil("<SEP>")), PAD + "<SEP>");
    assertEquals(dec(await reader.readuntil(["|", "<SEP>"])), PAD + "<SEP>");
    reader.feedEof();
    assertEquals(await rest(reader), PAD + "|");
  }));

Deno.test("readexactly() joins many chunks; read(n) is a view within one chunk, a copy across", () =>
  onLoop(async () => {
    const reader = new StreamReader();
    const parts = Array.from(
      { length: 40 },
      (_, i) => String.fromCharCode(65 + i % 26).repeat(1500),
    );
    feedChunks(reader, parts);
    const all = parts.join("");
    assertEquals(dec(await reader.readexactly(all.length - 100)), all.slice(0, -100));
    assertEquals(dec(await reader.read(1000)), all.slice(-100));

    const a = enc("a".repeat(2000));
    const b = enc("b".repeat(2000));
    reader._feedOwned(a);
    reader._feedOwned(b);
    const head = await reader.read(1500);
    assert(head.buffer === a.buffer && head.length === 1500, "read(n) within a chunk copied");
    // As CPython: up to n of all that is buffered, here the rest of a and most of b.
    const across = await reader.read(2000);
    assertEquals(dec(across), "a".repeat(500) + "b".repeat(1500));
    assert(across.buffer !== a.buffer && across.buffer !== b.buffer, "a copy owns its memory");
    const tail = await reader.read(4000);
    assertEquals([dec(tail), tail.buffer === b.buffer], ["b".repeat(500), true]);
    // Views of one buffer, fed in order, join into one chunk (socket reads
    // into a slab): read(n) takes both at once, still without a copy.
    const slab = enc("0123456789");
    reader._feedOwned(slab.subarray(0, 4));
    reader._feedOwned(slab.subarray(4, 10));
    const joined = await reader.read(100);
    assertEquals([dec(joined), joined.buffer === slab.buffer], ["0123456789", true]);
  }));

Deno.test("read(n) after feeds of 5,000 and 5,000 bytes returns 8,000, then 2,000 (issue #23)", () =>
  onLoop(async () => {
    const reader = new StreamReader();
    reader.feedData(enc("a".repeat(5000)));
    reader.feedData(enc("b".repeat(5000)));
    assertEquals(dec(await reader.read(8000)), "a".repeat(5000) + "b".repeat(3000));
    assertEquals(dec(await reader.read(8000)), "b".repeat(2000));
  }));

Deno.test("feedData() copies: the caller may reuse its array", () =>
  onLoop(async () => {
    const reader = new StreamReader();
    const buf = enc("hello");
    reader.feedData(buf);
    buf.fill(0);
    reader.feedData(buf.subarray(0, 0)); // empty: ignored
    assertEquals(dec(await reader.read(10)), "hello");
  }));

Deno.test("the limit is checked across chunks: readline() discards, readuntil() keeps", () =>
  onLoop(async () => {
    const reader = new StreamReader({ limit: 4000 });
    feedChunks(reader, [PAD, PAD, PAD]); // 4500 bytes, no newline
    let err = await assertRejects(() => reader.readuntil("|"), LimitOverrunError);
    assertEquals([err.consumed, reader.toString()], [4500, "<StreamReader 4500 bytes limit=4000>"]);
    await assertRejects(
      () => reader.readline(),
      LineTooLongError,
      "Separator is not found, and chunk exceed the limit",
    );
    assertEquals(reader.toString(), "<StreamReader limit=4000>");
    const failed = new StreamReader();
    failed.setException(new RangeError("bad"));
    assertEquals(failed.toString(), "<StreamReader exception=RangeError('bad')>");
    // The newline is past the limit, in a later chunk: the line goes, up to
    // and including it; the next line is intact.
    feedChunks(reader, ["y".repeat(3000), "y".repeat(1500) + "\nnext\n"]);
    err = await assertRejects(() => reader.readuntil("\n"), LimitOverrunError);
    assertEquals(err.consumed, 4500);
    await assertRejects(
      () => reader.readline(),
      LineTooLongError,
      "Separator is found, but chunk is longer than limit",
    );
    assertEquals(dec(await reader.readline()), "next\n");
  }));

Deno.test("data fed a byte at a time stays readable as one line (small pieces are joined)", () =>
  onLoop(async () => {
    const reader = new StreamReader({ limit: 1 << 20 });
    const byte = enc("z");
    for (let i = 0; i < 30_000; i++) {
      if (i % 2) reader.feedData(byte);
      else reader._feedOwned(enc("z"));
    }
    reader.feedData(enc("\n"));
    assertEquals((await reader.readline()).length, 30_001);
  }));

Deno.test("readuntil() with several separators returns at the one that ends first", () =>
  onLoop(async () => {
    const reader = fed("ab\r\ncd\nef|gh");
    const seps = ["\r\n", "\n", "|"];
    const got = [];
    for (let i = 0; i < 3; i++) got.push(dec(await reader.readuntil(seps)));
    assertEquals(got, ["ab\r\n", "cd\n", "ef|"]);
    const err = await assertRejects(() => reader.readuntil(seps), IncompleteReadError);
    assertEquals([dec(err.partial), err.expected], ["gh", null]);
    assert(reader.atEof());
  }));

Deno.test("readuntil() rejects an empty separator at the call", () =>
  onLoop(async () => {
    const reader = fed("x");
    assertThrows(() => reader.readuntil(""), RangeError, "at least one-byte");
    assertThrows(() => reader.readuntil([]), RangeError, "at least one element");
    assertEquals(await rest(reader), "x");
  }));

Deno.test("readexactly() returns n bytes, or IncompleteReadError with partial and expected at EOF", () =>
  onLoop(async (loop) => {
    const reader = new StreamReader({ loop });
    loop.callSoon(() => reader.feedData(enc("12345")));
    loop.callLater(0.01, () => reader.feedData(enc("6789")));
    loop.callLater(0.02, () => reader.feedEof());
    assertEquals(dec(await reader.readexactly(7)), "1234567");
    const err = await assertRejects(() => reader.readexactly(5), IncompleteReadError);
    assertEquals([dec(err.partial), err.expected], ["89", 5]);
    assertEquals(err.message, "2 bytes read on a total of 5 expected bytes");
    assertEquals((await reader.readexactly(0)).length, 0);
    await assertRejects(() => reader.readexactly(-1), RangeError);
  }));

Deno.test("read(n) returns what is there (at most n), read() everything until EOF", () =>
  onLoop(async (loop) => {
    const reader = new StreamReader({ loop, limit: 4 });
    reader.feedData(enc("abcdef"));
    assertEquals(dec(await reader.read(4)), "abcd");
    assertEquals(dec(await reader.read(10)), "ef");
    assertEquals((await reader.read(0)).length, 0);
    loop.callLater(0.01, () => reader.feedData(enc("0123456789")));
    loop.callLater(0.02, () => reader.feedData(enc("x")));
    loop.callLater(0.03, () => reader.feedEof());
    assertEquals(dec(await reader.read()), "0123456789x");
    assertEquals((await reader.read()).length, 0);
  }));

Deno.test("for await yields lines until EOF", () =>
  onLoop(async () => {
    const lines = [];
    for await (const line of fed("a\nb\nc")) lines.push(dec(line));
    assertEquals(lines, ["a\n", "b\n", "c"]);
  }));

Deno.test("setException() fails the waiting read and every later one", () =>
  onLoop(async (loop) => {
    const reader = new StreamReader({ loop });
    const boom = new Error("boom");
    loop.callLater(0.01, () => reader.setException(boom));
    assertEquals(await assertRejects(() => reader.readline()), boom);
    assertEquals(await assertRejects(() => reader.read(1)), boom);
    assertEquals(reader.exception(), boom);
  }));

Deno.test("two reads waiting at once: the second is a RuntimeError", () =>
  onLoop(async (loop) => {
    const reader = new StreamReader({ loop });
    const first = loop.createTask(() => reader.read(1));
    await sleep(0);
    await assertRejects(
      () => reader.readline(),
      RuntimeError,
      "readuntil() called while another coroutine", // readline() goes through readuntil(), as CPython
    );
    reader.feedData(enc("z"));
    assertEquals(dec(await first), "z");
  }));

Deno.test("cancelling a task cancels its read; the reader stays usable", () =>
  onLoop(async (loop) => {
    const reader = new StreamReader({ loop });
    const task = loop.createTask(() => reader.readline());
    await sleep(0.01);
    task.cancel();
    await assertRejects(() => task, CancelledError);
    reader.feedData(enc("after\n"));
    assertEquals(dec(await reader.readline()), "after\n");
  }));

Deno.test("feedData after feedEof is an error; bad limits are RangeErrors", () => {
  const reader = new StreamReader();
  reader.feedEof();
  assertThrows(() => reader.feedData(enc("x")), RuntimeError);
  assertThrows(() => new StreamReader({ limit: 0 }), RangeError, "Limit cannot be <= 0");
});

Deno.test("bad arguments are TypeErrors that say what was expected: feedData of a string (not bytes of zeros), a separator, a stream", () =>
  withLoop(async () => {
    const reader = new StreamReader();
    assertThrows(
      () => reader.feedData("xy" as unknown as Uint8Array),
      TypeError,
      "data argument must be a Uint8Array, not string",
    );
    assertThrows(() => reader.feedData(null!), TypeError, "not null");
    assertEquals(reader._buffered, 0, "nothing was fed");
    reader.feedData(enc("a\n"));
    await assertRejects(
      () => reader.readuntil(null!),
      TypeError,
      "a separator is a string or a Uint8Array, not null",
    );
    assertEquals(dec(await reader.readline()), "a\n", "the bad call took nothing");
    assertThrows(
      () => streamReaderFromReadable({} as ReadableStream<Uint8Array>),
      TypeError,
      "a ReadableStream was expected, got {}",
    );
    assertThrows(
      () => streamWriterFromWritable(42 as unknown as WritableStream<Uint8Array>),
      TypeError,
      "a WritableStream was expected, got 42",
    );
  }));

Deno.test("the reader pauses its transport above 2*limit and resumes at or below limit", () =>
  onLoop(async (loop) => {
    const calls: string[] = [];
    const reader = new StreamReader({ loop, limit: 4 });
    reader._setTransport({
      pauseReading: () => calls.push("pause"),
      resumeReading: () => calls.push("resume"),
    });
    reader.feedData(enc("12345678")); // 8: not above 2*4
    assertEquals(calls, []);
    reader.feedData(enc("9")); // 9 > 8
    assertEquals(calls, ["pause"]);
    await reader.read(4); // 5 left: still above the limit
    assertEquals(calls, ["pause"]);
    await reader.read(1); // 4 left
    assertEquals(calls, ["pause", "resume"]);
    // readexactly(n > limit) must resume a paused transport, not deadlock.
    reader.feedData(enc("abcdefgh"));
    assertEquals(calls, ["pause", "resume", "pause"]);
    loop.callLater(0.01, () => reader.feedData(enc("XYZ")));
    assertEquals(dec(await reader.readexactly(15)), "6789abcdefghXYZ");
    assertEquals(calls, ["pause", "resume", "pause", "resume", "pause", "resume"]);
  }));

Deno.test("streamReaderFromReadable() reads a ReadableStream, its errors included", () =>
  onLoop(async () => {
    const reader = streamReaderFromReadable(new Blob(["first\nsecond\nlast"]).stream());
    const lines = [];
    for await (const line of reader) lines.push(dec(line));
    assertEquals(lines, ["first\n", "second\n", "last"]);

    const failing = streamReaderFromReadable(
      new ReadableStream({
        start(c) {
          c.enqueue(enc("partial"));
          c.error(new Error("source failed"));
        },
      }),
    );
    await assertRejects(() => failing.readline(), Error, "source failed");
  }));

Deno.test("streamReaderFromReadable() stops pulling while the buffer is over 2*limit", () =>
  onLoop(async () => {
    let pulled = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        if (pulled > 100) c.close();
        else c.enqueue(new Uint8Array(1000));
      },
    }, { highWaterMark: 0 });
    const reader = streamReaderFromReadable(source, { limit: 2000 });
    await sleep(0.05);
    assert(pulled <= 6, `pulled ${pulled} chunks with nobody reading`);
    assertEquals((await reader.read()).length, 100_000);
  }, { virtual: false }));

Deno.test("reader.readable pipes a StreamReader into a WritableStream", () =>
  onLoop(async () => {
    const reader = fed("abc\ndef\n");
    const got: string[] = [];
    await reader.readable.pipeTo(new WritableStream({ write: (c) => void got.push(dec(c)) }));
    assertEquals(got.join(""), "abc\ndef\n");
  }));

Deno.test("streamWriterFromWritable(): drain() holds the buffer near the water marks", () =>
  onLoop(async () => {
    const received: number[] = [];
    let release: () => void = () => {};
    const writer = streamWriterFromWritable(
      new WritableStream<Uint8Array>({
        async write(chunk) {
          received.push(chunk.length);
          await new Promise<void>((r) => release = r);
        },
      }),
    );
    const [low, high] = writer.transport.getWriteBufferLimits();
    assertEquals([low, high], [16384, 65536]);
    let maxBuffered = 0;
    const slowSink = setInterval(() => release(), 1);
    try {
      for (let i = 0; i < 64; i++) {
        writer.write(new Uint8Array(8192));
        maxBuffered = Math.max(maxBuffered, writer.transport.getWriteBufferSize());
        await writer.drain();
        assert(writer.transport.getWriteBufferSize() <= high, "drain returned above high water");
      }
      assert(maxBuffered <= high + 8192, `buffered ${maxBuffered}`);
      writer.close();
      await writer.waitClosed();
    } finally {
      clearInterval(slowSink);
    }
    assertEquals(received.reduce((a, b) => a + b, 0), 64 * 8192);
  }, { virtual: false }));

Deno.test("queued writes: big chunks go out as they are, small ones are joined", () =>
  onLoop(async () => {
    const received: Uint8Array[] = [];
    let release: () => void = () => {};
    const writer = streamWriterFromWritable(
      new WritableStream<Uint8Array>({
        async write(chunk) {
          received.push(chunk);
          await new Promise<void>((r) => release = r);
        },
      }),
    );
    const big1 = new Uint8Array(20_000), big2 = new Uint8Array(30_000);
    writer.write("first"); // in flight: the rest queues behind it
    writer.write(big1);
    writer.writelines(["x", "y"]);
    writer.write(big2);
    writer.write("z");
    while (received.length < 5) {
      release();
      await sleep(0.001);
    }
    release();
    assertEquals(received.map((c) => c.length), [5, 20_000, 2, 30_000, 1]);
    assert(received[1] === big1 && received[3] === big2, "a big chunk was copied");
    assertEquals(dec(received[2]), "xy");
    writer.close();
    await writer.waitClosed();
  }, { virtual: false }));

Deno.test("streamWriterFromWritable(): writeEof closes the stream; writes after it throw", () =>
  onLoop(async () => {
    const events: string[] = [];
    const writer = streamWriterFromWritable(
      new WritableStream<string | Uint8Array>({
        write: (c) => void events.push(dec(c as Uint8Array)),
        close: () => void events.push("close"),
      }) as WritableStream<Uint8Array>,
      { extra: { name: "sink" } },
    );
    assertEquals(writer.getExtraInfo("name"), "sink");
    assertEquals(writer.getExtraInfo("nothing", 7), 7);
    writer.writelines(["a", "b"]);
    assert(writer.canWriteEof());
    writer.writeEof();
    assertThrows(() => writer.write("c"), RuntimeError, "Cannot call write() after write_eof()");
    writer.close();
    await writer.waitClosed();
    assertEquals(events.join(""), "abclose");
  }));

Deno.test("a failing WritableStream makes drain() and waitClosed() throw its error", () =>
  onLoop(async () => {
    const writer = streamWriterFromWritable(
      new WritableStream({
        write() {
          throw new Error("sink broke");
        },
      }),
    );
    writer.write("x");
    await sleep(0.01);
    const lost = await assertRejects(() => writer.drain(), ConnectionResetError, "Connection lost");
    assertEquals((lost.cause as Error).message, "sink broke");
    await assertRejects(() => writer.waitClosed(), Error, "sink broke");
  }, { virtual: false }));

Deno.test("writer.writable: a ReadableStream piped through it arrives in order", () =>
  onLoop(async () => {
    const chunks: string[] = [];
    const writer = streamWriterFromWritable(
      new WritableStream({ write: (c) => void chunks.push(dec(c)) }),
    );
    await new Blob(["one ", "two ", "three"]).stream().pipeTo(writer.writable);
    writer.close();
    await writer.waitClosed();
    assertEquals(chunks.join(""), "one two three");
  }));

Deno.test("readinto() copies what is buffered, as much as fits, across chunks; 0 at EOF and for an empty buffer", () =>
  onLoop(async () => {
    const reader = fed("abc", { eof: false });
    reader.feedData(enc("defgh"));
    const buf = new Uint8Array(5);
    assertEquals(await reader.readinto(buf), 5);
    assertEquals(dec(buf), "abcde");
    assertEquals(await reader.readinto(new Uint8Array(0)), 0);
    const later = reader.readinto(buf); // "fgh" is there: no wait
    assertEquals(await later, 3);
    assertEquals(dec(buf.subarray(0, 3)), "fgh");
    const waiting = reader.readinto(buf);
    await sleep(0);
    reader.feedData(enc("ij"));
    assertEquals(await waiting, 2);
    assertEquals(dec(buf.subarray(0, 2)), "ij");
    buf.fill(0); // the reader kept nothing of the caller's buffer
    reader.feedData(enc("k\n"));
    assertEquals(dec(await reader.readline()), "k\n");
    reader.feedEof();
    assertEquals(await reader.readinto(buf), 0);
    await assertRejects(() => reader.readinto("x" as unknown as Uint8Array), TypeError, "string");
    const failing = new StreamReader();
    failing.setException(new RuntimeError("boom"));
    await assertRejects(() => failing.readinto(buf), RuntimeError, "boom");
  }));

/** A transport for a reader's readinto(): it lends, and records what it was lent. */
class LendingTransport {
  /** A reader fed by a new one of these. */
  static feeding(): { reader: StreamReader; transport: LendingTransport } {
    const reader = new StreamReader();
    const transport = new LendingTransport();
    reader._setTransport(transport);
    return { reader, transport };
  }

  lent: Uint8Array[] = [];
  pulling = false;
  pauseReading(): void {}
  resumeReading(): void {}
  _pull(on: boolean): void {
    this.pulling = on;
  }
  _lend(buf: Uint8Array): boolean {
    this.lent.push(buf);
    return true;
  }
  /** The lent read completes with `text`: written into the buffer, handed to the reader. */
  complete(reader: StreamReader, text: string): void {
    const buf = this.lent.shift()!;
    buf.set(enc(text));
    reader._feedOwned(buf.subarray(0, text.length));
  }
}

Deno.test("readinto() with nothing buffered has the transport read into the caller's buffer; a cancelled one leaves nothing of it to the reader", () =>
  onLoop(async (loop) => {
    const { reader, transport } = LendingTransport.feeding();
    const buf = new Uint8Array(16);
    // Read in place: the bytes the transport wrote into buf are the result.
    const reading = reader.readinto(buf);
    assertEquals(transport.lent, [buf]);
    assert(transport.pulling, "no read ahead while reading into the caller's buffers");
    transport.complete(reader, "hello");
    assertEquals(await reading, 5);
    assertEquals(dec(buf.subarray(0, 5)), "hello");
    assertEquals(reader._buffered, 0);

    // Cancelled before the bytes came: they land in buf (as a Deno read
    // would), and the reader keeps a copy for its next read.
    const first = new Uint8Array(16);
    const cancelled = loop.createTask(() => reader.readinto(first));
    await sleep(0);
    cancelled.cancel();
    await assertRejects(() => cancelled, CancelledError);
    transport.complete(reader, "early\n");
    first.fill(0);
    assertEquals(dec(await reader.readline()), "early\n");
    const waitingLine = reader.readline();
    assert(!transport.pulling, "a readline() that waits has the transport read ahead again");
    reader.feedData(enc("x\n"));
    assertEquals(dec(await waitingLine), "x\n");

    // Cancelled after the bytes came but before the task took them.
    const second = new Uint8Array(16);
    const late = loop.createTask(() => reader.readinto(second));
    await sleep(0);
    transport.complete(reader, "late\n");
    late.cancel();
    await assertRejects(() => late, CancelledError);
    second.fill(0);
    assertEquals(dec(await reader.readline()), "late\n");
  }));

Deno.test("readinto() over a ReadableStream: an empty chunk read into the caller's buffer does not stop later reads", () =>
  onLoop(async (loop) => {
    let source!: ReadableStreamDefaultController<Uint8Array>;
    const reader = streamReaderFromReadable(
      new ReadableStream<Uint8Array>({ start: (c) => void (source = c) }),
      { loop },
    );
    const buf = new Uint8Array(16);
    await sleep(0.01); // the transport's first read (ahead) is in flight
    const first = reader.readinto(buf); // so this one copies
    source.enqueue(enc("one"));
    assertEquals(await first, 3);
    await sleep(0.01); // the transport now waits to be lent a buffer
    const second = reader.readinto(buf); // lent: read into buf
    await sleep(0.01);
    source.enqueue(new Uint8Array(0));
    await sleep(0.01);
    source.enqueue(enc("two"));
    assertEquals(await second, 3);
    assertEquals(dec(buf.subarray(0, 3)), "two");
    await sleep(0.01);
    const third = reader.readinto(buf);
    await sleep(0.01);
    source.enqueue(enc("three"));
    assertEquals(await third, 5);
    source.close();
    assertEquals(await reader.readinto(buf), 0);
  }, { virtual: false }));

Deno.test("readinto() from a second task takes bytes read into the first's buffer by copy; the first reads on", () =>
  onLoop(async (loop) => {
    const { reader, transport } = LendingTransport.feeding();
    const first = new Uint8Array(16);
    const second = new Uint8Array(16);
    const waiting = loop.createTask(() => reader.readinto(first));
    await sleep(0);
    transport.complete(reader, "one"); // into `first`; its task has not resumed yet
    assertEquals(await reader.readinto(second), 3); // another task's read comes first
    assertEquals(dec(second.subarray(0, 3)), "one");
    await sleep(0);
    transport.complete(reader, "two"); // `first` was lent again
    assertEquals(await waiting, 3);
    assertEquals(dec(first.subarray(0, 3)), "two");
  }));

Deno.test("readline() called from a plain callback (no task) returns a promise and gets the line fed in two parts", () =>
  onLoop(async (loop) => {
    const reader = new StreamReader({ loop });
    const got: Array<string | Promise<Uint8Array>> = [];
    loop.callSoon(() => {
      const line = reader.readline();
      got.push(line);
      line.then((l) => got.push(dec(l))).catch((err) => got.push(String(err)));
    });
    await sleep(0);
    reader.feedData(enc("ab"));
    await sleep(0);
    reader.feedData(enc("c\nrest"));
    await sleep(0.001);
    assert(got[0] instanceof Promise);
    assertEquals(got.slice(1), ["abc\n"]);
  }));

Deno.test("readline() that waited: a second reader's call rejects (no throw); the line past the limit is LineTooLongError, the next line follows", () =>
  onLoop(async (loop) => {
    const reader = new StreamReader({ loop, limit: 4 });
    const first = loop.createTask(() => reader.readline());
    await sleep(0);
    const second = reader.readline();
    assert(second instanceof Promise);
    await assertRejects(() => second, RuntimeError, "already waiting for incoming data");
    reader.feedData(enc("abcdefgh\nxy\n"));
    await assertRejects(() => first, LineTooLongError);
    assertEquals(dec(await reader.readline()), "xy\n");
  }));
