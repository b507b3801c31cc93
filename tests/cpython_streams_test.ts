// Ported from CPython's Lib/test/test_asyncio/test_streams.py (3.11; the
// several-separator readuntil cases checked on 3.13): StreamReaderTests'
// feed_data/feed_eof cases (test_read_zero, test_read, test_read_line_breaks,
// test_read_eof, test_read_exception, test_read_limit, test_readline,
// test_readline_limit, test_readline_limit_with_existing_data,
// test_readline_read_byte_count, test_at_eof, test_readuntil_multi_chunks(_1),
// test_readuntil_eof, test_readuntil_limit_found_sep,
// test_readexactly(_zero_or_less, _limit, _eof, _exception), test_exception,
// test_exception_waiter, test_exception_cancel) plus orderings they do not
// try (limit errors while a read waits, cancel races, iteration), and three
// StreamWriter cases on 127.0.0.1 (test_eof_feed_when_closing_writer,
// test_async_writer_api_exception_after_close, test_drain_raises) and a
// write_eof one. Every expected value was checked against CPython.
//
// Mapping: Python's ValueError from readline() over the limit is our
// LineTooLongError; feed_data() after feed_eof() is an `assert` in CPython
// (AssertionError), a RuntimeError here; bytes are Uint8Array.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import {
  cancelled,
  dec,
  enc,
  inLoop,
  inRealLoop,
  portOf,
  spin,
  within,
  withLoop,
} from "./_util.ts";
import {
  ConnectionError,
  ConnectionResetError,
  type EventLoop,
  IncompleteReadError,
  LimitOverrunError,
  LineTooLongError,
  openConnection,
  RuntimeError,
  sleep,
  startServer,
  StreamReader,
} from "../mod.ts";

/** CPython's StreamTests.DATA. */
const DATA = "line1\nline2\nline3\n";

function reader(loop: EventLoop, limit?: number, ...parts: string[]): StreamReader {
  const r = new StreamReader({ loop, limit });
  for (const p of parts) r.feedData(enc(p));
  return r;
}

/** What is left in the buffer: feeds EOF, then reads everything. */
async function rest(r: StreamReader): Promise<string> {
  if (!r.atEof()) r.feedEof();
  return dec(await r.read());
}

// ---- read ------------------------------------------------------------------

Deno.test("read(0) returns empty at once, buffered or not, but a set exception still throws", () =>
  inLoop(async (loop) => {
    const empty = reader(loop);
    // Nothing buffered, no EOF: it must not wait (a wait would hang this test).
    assertEquals(await empty.read(0), new Uint8Array(0));
    const full = reader(loop, undefined, DATA);
    assertEquals(await full.read(0), new Uint8Array(0));
    assertEquals(await rest(full), DATA); // test_read_zero: buffer untouched
    const failed = reader(loop, undefined, DATA);
    const exc = new TypeError("x");
    failed.setException(exc);
    assertEquals(await assertRejects(() => failed.read(0)), exc);
  }));

Deno.test("read(n) waiting wakes with everything fed before the task resumes, no more", () =>
  inLoop(async (loop) => {
    // test_read: both pieces come in one callback, so both are returned.
    const a = reader(loop);
    const t1 = loop.createTask(() => a.read(30));
    loop.callSoon(() => {
      a.feedData(enc("chunk1"));
      a.feedData(enc("chunk2"));
    });
    assertEquals(dec(await t1), "chunk1chunk2");
    // Pieces in separate iterations: the read returns with the first one.
    const b = reader(loop);
    const t2 = loop.createTask(() => b.read(30));
    loop.callSoon(() => b.feedData(enc("first")));
    loop.callLater(0.01, () => b.feedData(enc("second")));
    assertEquals(dec(await t2), "first");
    await sleep(0.02);
    assertEquals(await rest(b), "second");
  }));

Deno.test("read(n) takes n of two fed pieces (test_read_line_breaks); n above limit is fine (test_read_limit)", () =>
  inLoop(async (loop) => {
    const r = reader(loop, undefined, "line1", "line2");
    assertEquals(dec(await r.read(5)), "line1");
    assertEquals(await rest(r), "line2");
    const small = reader(loop, 3, "chunk");
    assertEquals(dec(await small.read(5)), "chunk");
    assert(!small.atEof() && (await rest(small)) === "");
    const small2 = reader(loop, 3, "chunk");
    assertEquals(dec(await small2.readexactly(5)), "chunk"); // test_readexactly_limit
  }));

Deno.test("after EOF every read gives its empty answer: read '', readline '', IncompleteReadError(partial '')", () =>
  inLoop(async (loop) => {
    // test_read_eof: a waiting read(1024) gets '' from feedEof.
    const waiting = reader(loop);
    const t = loop.createTask(() => waiting.read(1024));
    loop.callSoon(() => waiting.feedEof());
    assertEquals(await t, new Uint8Array(0));

    const r = reader(loop, undefined, "ab");
    r.feedEof();
    const got = [await r.read(3), await r.read(3), await r.read(), await r.readline()].map(dec);
    assertEquals(got, ["ab", "", "", ""]);
    const ex = await assertRejects(() => r.readexactly(1), IncompleteReadError);
    assertEquals([ex.partial.length, ex.expected, ex.message], [
      0,
      1,
      "0 bytes read on a total of 1 expected bytes",
    ]);
    const un = await assertRejects(() => r.readuntil("x"), IncompleteReadError);
    assertEquals([un.partial.length, un.expected, un.message], [
      0,
      null,
      "0 bytes read on a total of undefined expected bytes",
    ]);
    assert(r.atEof());
  }));

// ---- exceptions ------------------------------------------------------------

Deno.test("setException(): every read method throws it although data is buffered; exception() returns it", () =>
  inLoop(async (loop) => {
    // test_read_exception / test_readline_exception / test_readexactly_exception / test_exception
    const r = reader(loop, undefined, "line\n");
    assertEquals(r.exception(), null);
    assertEquals(dec(await r.read(2)), "li");
    const exc = new TypeError("v");
    r.setException(exc);
    assert(r.exception() === exc);
    const calls: [string, () => Promise<Uint8Array>][] = [
      ["read", () => r.read(1)],
      ["read()", () => r.read()],
      ["readline", () => r.readline()],
      ["readexactly", () => r.readexactly(1)],
      ["readuntil", () => r.readuntil("\n")],
    ];
    for (const [name, call] of calls) {
      assert((await assertRejects(call)) === exc, `${name} did not throw the set exception`);
    }
    assert(!r.atEof(), "the buffered bytes are still there");
  }));

Deno.test("setException() from another task fails a waiting readline / readexactly with that error, not EOF", () =>
  inLoop(async (loop) => {
    // test_exception_waiter
    const a = reader(loop);
    const t1 = loop.createTask(() => a.readline());
    const t2 = loop.createTask(() => Promise.resolve(a.setException(new TypeError("boom"))));
    await t2;
    await assertRejects(() => t1, TypeError, "boom");
    // With part of the bytes already there, the error still wins.
    const b = reader(loop);
    const t3 = loop.createTask(() => b.readexactly(10));
    loop.callSoon(() => b.feedData(enc("12345")));
    loop.callLater(0.01, () => b.setException(new TypeError("late")));
    await assertRejects(() => t3, TypeError, "late");
    assertEquals(b._buffered, 5, "CPython keeps the 5 bytes in the buffer");
  }));

Deno.test("setException() after the waiting read was cancelled is harmless (test_exception_cancel)", () =>
  withLoop(async (loop) => {
    await loop.runUntilComplete(async () => {
      const r = reader(loop);
      const t = loop.createTask(() => r.readline());
      await spin(1);
      assert(r._hasWaiter);
      t.cancel();
      await spin(1);
      r.setException(new RuntimeError("message"));
      await spin(1);
      assert(!r._hasWaiter);
      assert(t.cancelled());
      await assertRejects(() => r.read(1), RuntimeError, "message");
    });
  }));

// ---- readline --------------------------------------------------------------

Deno.test("readline() then read(7) continue where the line ended (test_readline_read_byte_count)", () =>
  inLoop(async (loop) => {
    const r = reader(loop, undefined, DATA.slice(0, 6), DATA.slice(6));
    assertEquals(dec(await r.readline()), "line1\n");
    assertEquals(dec(await r.read(7)), "line2\nl");
    assertEquals(await rest(r), "ine3\n");
  }));

Deno.test("readline() over the limit while waiting: the line is dropped through its newline (test_readline_limit)", () =>
  inLoop(async (loop) => {
    const a = reader(loop, 7);
    loop.callSoon(() => {
      a.feedData(enc("chunk1"));
      a.feedData(enc("chunk2"));
      a.feedData(enc("chunk3\n"));
      a.feedEof();
    });
    await assertRejects(
      () => a.readline(),
      LineTooLongError,
      "Separator is found, but chunk is longer than limit",
    );
    assertEquals(await rest(a), "");

    const b = reader(loop, 7);
    loop.callSoon(() => {
      b.feedData(enc("chunk1"));
      b.feedData(enc("chunk2\n"));
      b.feedData(enc("chunk3\n"));
      b.feedEof();
    });
    await assertRejects(() => b.readline(), LineTooLongError);
    assertEquals(await rest(b), "chunk3\n");
  }));

Deno.test("readline() over the limit before the newline came: the line's tail, arriving later, is the next line", () =>
  inLoop(async (loop) => {
    const r = reader(loop, 7);
    const t = loop.createTask(() => r.readline());
    loop.callSoon(() => r.feedData(enc("chunk1")));
    loop.callLater(0.01, () => r.feedData(enc("chunk2")));
    loop.callLater(0.02, () => {
      r.feedData(enc("chunk3\nnext\n"));
      r.feedEof();
    });
    // 12 bytes and no newline: raised at once, the whole buffer dropped.
    await assertRejects(
      () => t,
      LineTooLongError,
      "Separator is not found, and chunk exceed the limit",
    );
    assertEquals(r._buffered, 0);
    await sleep(0.03);
    const lines = [await r.readline(), await r.readline(), await r.readline()].map(dec);
    assertEquals(lines, ["chunk3\n", "next\n", ""]); // as CPython
  }));

Deno.test("readline() limit is strict: limit bytes + newline pass, limit+1 fail with or without newline", () =>
  inLoop(async (loop) => {
    const r = reader(loop, 7, "1234567\n");
    assertEquals(dec(await r.readline()), "1234567\n");
    r.feedData(enc("12345678\n"));
    const e1 = await assertRejects(() => r.readline(), LineTooLongError);
    assert(
      !(e1 instanceof LimitOverrunError),
      "readline's error is ValueError, not LimitOverrunError",
    );
    assertEquals(r._buffered, 0);
    // No newline and no EOF: it does not wait, 8 > 7 is already too long.
    r.feedData(enc("12345678"));
    await assertRejects(
      () => r.readline(),
      LineTooLongError,
      "Separator is not found, and chunk exceed the limit",
    );
    assertEquals(r._buffered, 0);
    // test_readline_limit_with_existing_data, second half.
    const s = reader(loop, 3, "li", "ne1", "li");
    await assertRejects(() => s.readline(), LineTooLongError);
    assertEquals(await rest(s), "");
  }));

Deno.test("atEof() is true only once EOF is fed and the buffer is empty (test_at_eof)", () =>
  inLoop(async (loop) => {
    const r = reader(loop);
    const seen = [r.atEof()];
    r.feedData(enc("some data\n"));
    seen.push(r.atEof());
    await r.readline();
    seen.push(r.atEof());
    r.feedData(enc("some data\n"));
    r.feedEof();
    seen.push(r.atEof());
    await r.readline();
    seen.push(r.atEof());
    r.feedEof(); // a second feedEof is allowed
    seen.push(r.atEof());
    assertEquals(seen, [false, false, false, false, true, true]);
  }));

// ---- readuntil -------------------------------------------------------------

Deno.test("readuntil('aaa') finds the separator however the a's are split (test_readuntil_multi_chunks_1)", () =>
  inLoop(async (loop) => {
    const r = reader(loop);
    const cases: [string[], string][] = [
      [["lineAAA"], "lineAAA"],
      [["QWEaa", "XYaa", "a"], "QWEaaXYaaa"],
      [["QWEaa", "XYa", "aa"], "QWEaaXYaaa"],
      [["aaa"], "aaa"],
      [["Xaaa"], "Xaaa"],
      [["XXX", "a", "a", "a"], "XXXaaa"],
    ];
    for (const [parts, want] of cases) {
      for (const p of parts) r.feedData(enc(p));
      const sep = want === "lineAAA" ? "AAA" : "aaa";
      assertEquals(dec(await r.readuntil(sep)), want);
      assertEquals(r._buffered, 0, `left over after ${parts}`);
    }
    r.feedData(enc("lineAAAxxx"));
    assertEquals(dec(await r.readuntil("AAA")), "lineAAA");
    assertEquals(await rest(r), "xxx");
  }));

Deno.test("readuntil() split separator fed piece by piece while it waits; a separator completed with EOF counts", () =>
  inLoop(async (loop) => {
    const r = reader(loop);
    const t = loop.createTask(() => r.readuntil("AAA"));
    loop.callSoon(() => r.feedData(enc("xA")));
    loop.callLater(0.01, () => r.feedData(enc("A")));
    loop.callLater(0.02, () => {
      r.feedData(enc("Ay"));
      r.feedEof();
    });
    assertEquals(dec(await t), "xAAA");
    assertEquals(await rest(r), "y");
  }));

Deno.test("readuntil() at EOF without the separator: IncompleteReadError with all of it, buffer emptied (test_readuntil_eof)", () =>
  inLoop(async (loop) => {
    const r = reader(loop, undefined, "some dataAA");
    r.feedEof();
    const err = await assertRejects(() => r.readuntil("AAA"), IncompleteReadError);
    assertEquals(
      [dec(err.partial), err.expected, err.message],
      ["some dataAA", null, "11 bytes read on a total of undefined expected bytes"],
    );
    assert(r.atEof());
  }));

Deno.test("readuntil() LimitOverrunError: 'not found' then 'is found', consumed 9, buffer kept (test_readuntil_limit_found_sep)", () =>
  inLoop(async (loop) => {
    const r = reader(loop, 3, "some dataAA");
    const e1 = await assertRejects(() => r.readuntil("AAA"), LimitOverrunError, "not found");
    assertEquals(e1.consumed, 9);
    assertEquals(r._buffered, 11);
    r.feedData(enc("A"));
    const e2 = await assertRejects(() => r.readuntil("AAA"), LimitOverrunError, "is found");
    assertEquals(e2.consumed, 9);
    assertEquals(await rest(r), "some dataAAA");
  }));

Deno.test("readuntil() LimitOverrunError while waiting keeps the data; skipping `consumed` bytes then retrying works", () =>
  inLoop(async (loop) => {
    const w = reader(loop, 4);
    const t = loop.createTask(() => w.readuntil("|"));
    loop.callSoon(() => w.feedData(enc("abc")));
    loop.callLater(0.01, () => w.feedData(enc("defgh")));
    const e = await assertRejects(() => t, LimitOverrunError, "not found");
    assertEquals(e.consumed, 8);
    assertEquals(await rest(w), "abcdefgh");

    const r = reader(loop, 4, "0123456789|tail|");
    const e2 = await assertRejects(() => r.readuntil("|"), LimitOverrunError, "is found");
    assertEquals(e2.consumed, 10);
    assertEquals(dec(await r.readexactly(e2.consumed)), "0123456789");
    assertEquals(dec(await r.readuntil("|")), "|");
    assertEquals(dec(await r.readuntil("|")), "tail|");
  }));

Deno.test("readuntil() with a separator longer than the limit: only where it starts counts", () =>
  inLoop(async (loop) => {
    assertEquals(dec(await reader(loop, 2, "xAAA").readuntil("AAA")), "xAAA");
    const r = reader(loop, 2, "xyzAA");
    const e = await assertRejects(() => r.readuntil("AAA"), LimitOverrunError, "not found");
    assertEquals(e.consumed, 3); // 5 + 1 - len("AAA")
    assertEquals(await rest(r), "xyzAA");
  }));

Deno.test("readuntil() with several separators: the match ending first wins, split feeds, limit, EOF (3.13)", () =>
  inLoop(async (loop) => {
    const a = reader(loop, undefined, "xx--yy-zz");
    assertEquals(dec(await a.readuntil(["-", "--"])), "xx-");
    assertEquals(dec(await a.readuntil(["--", "-"])), "-");
    assertEquals(dec(await reader(loop, undefined, "abcd").readuntil(["bcd", "bc"])), "abc");
    assertEquals(dec(await reader(loop, undefined, "abcd").readuntil(["abcd", "cd"])), "abcd");

    const b = reader(loop);
    const t = loop.createTask(() => b.readuntil(["\r\n", "|"]));
    loop.callSoon(() => b.feedData(enc("ab\r")));
    loop.callLater(0.01, () => b.feedData(enc("\ncd|")));
    assertEquals(dec(await t), "ab\r\n");
    assertEquals(await rest(b), "cd|");

    // offset = 8 + 1 - maxLen(2) = 7 > 4; the limit error comes before the
    // EOF check, so it is LimitOverrunError even at EOF.
    const c = reader(loop, 4, "abcdefg\r");
    assertEquals(
      (await assertRejects(() => c.readuntil(["\r\n", "|"]), LimitOverrunError)).consumed,
      7,
    );
    c.feedEof();
    await assertRejects(() => c.readuntil(["\r\n", "|"]), LimitOverrunError, "not found");

    const d = reader(loop, undefined, "abc");
    d.feedEof();
    const inc = await assertRejects(() => d.readuntil(["x", "yz"]), IncompleteReadError);
    assertEquals([dec(inc.partial), inc.expected], ["abc", null]);
    assertThrows(
      () => d.readuntil(["a", ""]),
      RangeError,
      "Separator should be at least one-byte string",
    );
  }));

// ---- readexactly -----------------------------------------------------------

Deno.test("readexactly(0) and readexactly(-1) leave the buffer intact (test_readexactly_zero_or_less)", () =>
  inLoop(async (loop) => {
    const r = reader(loop, undefined, DATA);
    assertEquals(await r.readexactly(0), new Uint8Array(0));
    await assertRejects(
      () => r.readexactly(-1),
      RangeError,
      "readexactly size can not be less than zero",
    );
    assertEquals(await rest(r), DATA);
  }));

Deno.test("readexactly(2*len) over three feeds leaves the third; EOF midway gives partial and the message (test_readexactly, _eof)", () =>
  inLoop(async (loop) => {
    const n = 2 * DATA.length;
    const r = reader(loop);
    const t = loop.createTask(() => r.readexactly(n));
    loop.callSoon(() => {
      for (let i = 0; i < 3; i++) r.feedData(enc(DATA));
    });
    assertEquals(dec(await t), DATA + DATA);
    assertEquals(await rest(r), DATA);

    const e = reader(loop);
    const t2 = loop.createTask(() => e.readexactly(n));
    loop.callSoon(() => {
      e.feedData(enc(DATA));
      e.feedEof();
    });
    const err = await assertRejects(() => t2, IncompleteReadError);
    assertEquals(
      [dec(err.partial), err.expected, err.message],
      [DATA, 36, "18 bytes read on a total of 36 expected bytes"],
    );
    assert(e.atEof());
  }));

// ---- feeding, cancellation, iteration --------------------------------------

Deno.test("feedData() after feedEof() throws (even empty data) and leaves the buffer as it was", () =>
  inLoop(async (loop) => {
    // CPython: AssertionError('feed_data after feed_eof'), buffer b'x'.
    const r = reader(loop, undefined, "x");
    r.feedEof();
    assertThrows(() => r.feedData(enc("y")), RuntimeError, "feedData after feedEof");
    assertThrows(() => r.feedData(new Uint8Array(0)), RuntimeError);
    assertEquals(dec(await r.read()), "x");
  }));

Deno.test("a cancelled readuntil / readexactly leaves what was fed in the buffer", () =>
  inLoop(async (loop) => {
    const r = reader(loop);
    const t = loop.createTask(() => r.readuntil("\n"));
    r.feedData(enc("part"));
    await spin(1);
    r.feedData(enc("ial"));
    t.cancel();
    assert(await cancelled(t));
    r.feedData(enc(" line\n"));
    assertEquals(dec(await r.readline()), "partial line\n");

    const t2 = loop.createTask(() => r.readexactly(10));
    loop.callSoon(() => r.feedData(enc("12345")));
    await sleep(0.01);
    t2.cancel();
    assert(await cancelled(t2));
    assertEquals(dec(await r.readexactly(5)), "12345");
  }));

Deno.test("a cancelled read() drops the bytes it already took; bytes fed after stay (as CPython)", () =>
  inLoop(async (loop) => {
    const r = reader(loop);
    const t = loop.createTask(() => r.read());
    loop.callSoon(() => r.feedData(enc("abc")));
    await sleep(0.01); // the task took "abc" and waits for more
    r.feedData(enc("def"));
    t.cancel();
    assert(await cancelled(t));
    assertEquals(await rest(r), "def");
  }));

Deno.test("data fed and cancel() in the same callback: the task ends cancelled, the data stays", () =>
  inLoop(async (loop) => {
    const r = reader(loop);
    const t = loop.createTask(() => r.readexactly(3));
    await spin(1);
    loop.callSoon(() => {
      r.feedData(enc("abc"));
      t.cancel();
    });
    assert(await cancelled(t), "CPython: the task is cancelled");
    assertEquals(await rest(r), "abc");
  }));

Deno.test("a second read while one waits: RuntimeError naming the method (readline says readuntil)", () =>
  inLoop(async (loop) => {
    const r = reader(loop);
    const t = loop.createTask(() => r.readexactly(2));
    await spin(1);
    const calls: [string, () => Promise<unknown>][] = [
      ["read", () => r.read(1)],
      ["readexactly", () => r.readexactly(1)],
      ["readuntil", () => r.readuntil()],
      ["readuntil", () => r.readline()],
      ["read", () => r.read()],
    ];
    for (const [name, call] of calls) {
      await assertRejects(
        call,
        RuntimeError,
        `${name}() called while another coroutine is already waiting for incoming data`,
      );
    }
    r.feedData(enc("ok"));
    assertEquals(dec(await t), "ok");
  }));

Deno.test("for await: lines across feeds; break leaves the rest; a too-long line ends it with LineTooLongError", () =>
  inLoop(async (loop) => {
    const a = reader(loop);
    loop.callSoon(() => a.feedData(enc("x\ny")));
    loop.callLater(0.01, () => a.feedData(enc("z\n")));
    loop.callLater(0.02, () => {
      a.feedData(enc("tail"));
      a.feedEof();
    });
    const out: string[] = [];
    for await (const line of a) out.push(dec(line));
    assertEquals(out, ["x\n", "yz\n", "tail"]);

    const b = reader(loop, undefined, "a\nb\nc\n");
    for await (const line of b) {
      assertEquals(dec(line), "a\n");
      break;
    }
    assertEquals(dec(await b.readline()), "b\n");

    const c = reader(loop, 3, "ab\nabcdef\ncd\n");
    c.feedEof();
    const got: string[] = [];
    await assertRejects(
      async () => {
        for await (const line of c) got.push(dec(line));
      },
      LineTooLongError,
      "Separator is found, but chunk is longer than limit",
    );
    assertEquals(got, ["ab\n"]);
    assertEquals(await rest(c), "cd\n");
  }));

// ---- StreamWriter over TCP on 127.0.0.1 ------------------------------------

Deno.test("TCP: close() then waitClosed(): own reader at EOF, reads empty; write+drain then ConnectionResetError", () =>
  inRealLoop(async () => {
    // test_eof_feed_when_closing_writer + test_async_writer_api_exception_after_close
    const server = await startServer(
      async (r, w) => {
        await r.read();
        w.close();
      },
      "127.0.0.1",
      0,
    );
    const port = portOf(server);
    const [reader, writer] = await openConnection("127.0.0.1", port);
    assert(!writer.isClosing());
    writer.close();
    assert(writer.isClosing());
    await within(5, () => writer.waitClosed());
    assert(reader.atEof());
    assertEquals([(await reader.read()).length, (await reader.readline()).length], [0, 0]);
    await assertRejects(() => reader.readexactly(1), IncompleteReadError);
    writer.write("late");
    await assertRejects(() => writer.drain(), ConnectionResetError, "Connection lost");
    server.close();
    await within(5, () => server.waitClosed());
  }));

Deno.test("TCP: after writeEof() writes throw, drain() and a second writeEof() are fine, the answer still arrives", () =>
  inRealLoop(async () => {
    const server = await startServer(
      async (r, w) => {
        const data = await r.read(); // until the client's EOF
        w.write(`got ${data.length}`);
        await w.drain();
        w.close();
      },
      "127.0.0.1",
      0,
    );
    const port = portOf(server);
    const [reader, writer] = await openConnection("127.0.0.1", port);
    writer.write("hello");
    writer.writeEof();
    assertEquals([writer.isClosing(), writer.canWriteEof()], [false, true]);
    assertThrows(() => writer.write("x"), RuntimeError, "Cannot call write() after write_eof()");
    assertThrows(() => writer.write(""), RuntimeError, "Cannot call write() after write_eof()");
    writer.writeEof();
    await writer.drain();
    assertEquals(dec(await within(5, () => reader.read())), "got 5");
    assert(reader.atEof());
    writer.close();
    await within(5, () => writer.waitClosed());
    server.close();
    await within(5, () => server.waitClosed());
  }));

Deno.test("TCP: write/drain to a peer that closed ends in a ConnectionError, not a hang (test_drain_raises)", () =>
  inRealLoop(async () => {
    // The peer is not one of our servers: a bare listener that accepts and closes.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const accepted = listener.accept();
      const [reader, writer] = await openConnection(
        "127.0.0.1",
        (listener.addr as Deno.NetAddr).port,
      );
      (await accepted).close();
      const failure = await within(10, async () => {
        for (let i = 0; i < 1_000_000; i++) {
          writer.write("foo\n");
          try {
            await writer.drain();
          } catch (err) {
            return err;
          }
        }
        return null;
      });
      // CPython accepts ConnectionResetError, ConnectionAbortedError or BrokenPipeError.
      assert(failure instanceof ConnectionError, `got ${failure}`);
      await assertRejects(() => reader.read(), ConnectionError);
      await assertRejects(() => writer.waitClosed(), ConnectionError);
      writer.close();
    } finally {
      listener.close();
    }
  }));
