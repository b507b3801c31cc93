// DefaultSelector: registration bookkeeping, and readiness derived from
// StreamReader buffers, raw Deno readers and writers.
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { dec, enc } from "./_util.ts";
import {
  DefaultSelector,
  type DenoReader,
  EVENT_READ,
  EVENT_WRITE,
  run,
  StreamReader,
  streamReaderFor,
  streamWriterFromWritable,
} from "../mod.ts";

/** A raw reader whose reads complete when the test says: `push(text)` or `push(null)` (EOF). */
function fakeRaw(): DenoReader & { push(text: string | null): void; reads: number } {
  const chunks: Array<string | null> = [];
  let waiting: (() => void) | null = null;
  return {
    reads: 0,
    push(text) {
      chunks.push(text);
      waiting?.();
    },
    async read(p: Uint8Array) {
      this.reads++;
      while (chunks.length === 0) await new Promise<void>((r) => waiting = r);
      waiting = null;
      const text = chunks.shift()!;
      if (text === null) return null;
      const bytes = enc(text);
      p.set(bytes);
      return bytes.length;
    },
  };
}

Deno.test("register/getKey/modify/unregister keep the keys as Python's selectors", () => {
  using selector = new DefaultSelector();
  const reader = new StreamReader();
  const key = selector.register(reader, EVENT_READ, "data");
  assertEquals([key.fileobj === reader, key.events, key.data], [true, EVENT_READ, "data"]);
  assert(selector.getKey(reader) === key);
  assertEquals([...selector.getMap().values()], [key]);
  const changed = selector.modify(reader, EVENT_READ | EVENT_WRITE, "more");
  assertEquals([changed.fd, changed.events, changed.data], [key.fd, 3, "more"]);
  assert(selector.unregister(reader) === changed);
  assertEquals(selector.getMap().size, 0);
  assertThrows(() => selector.getKey(reader), RangeError, "is not registered");
  assertThrows(() => selector.unregister(reader), RangeError, "is not registered");
});

Deno.test("register() refuses bad events, twice the same object, and non-files", () => {
  using selector = new DefaultSelector();
  const reader = new StreamReader();
  assertThrows(() => selector.register(reader, 0), RangeError, "Invalid events: 0");
  assertThrows(() => selector.register(reader, 4), RangeError, "Invalid events: 4");
  selector.register(reader, EVENT_READ);
  assertThrows(() => selector.register(reader, EVENT_READ), RangeError, "is already registered");
  assertThrows(
    () => selector.register({} as DenoReader, EVENT_READ),
    TypeError,
    "Invalid file object",
  );
});

Deno.test("select() refuses a timeout that is not seconds or null (not a 1 ms timer with a warning)", async () => {
  using selector = new DefaultSelector();
  let error: unknown = null;
  await selector.select("x" as unknown as number).catch((err) => error = err);
  assert(error instanceof TypeError, String(error));
  assertEquals(error.message, "timeout must be a number of seconds or null, got 'x'");
  assertEquals(await selector.select(0), [], "a number still polls");
});

Deno.test("Deno.stdin, stdout and stderr have fds 0, 1 and 2", () => {
  using selector = new DefaultSelector();
  assertEquals(selector.register(Deno.stdout, EVENT_WRITE).fd, 1);
  assertEquals(selector.register(Deno.stderr, EVENT_WRITE).fd, 2);
});

Deno.test("a StreamReader is readable while bytes are buffered, then at EOF", async () => {
  await run(async () => {
    using selector = new DefaultSelector();
    const reader = new StreamReader();
    const key = selector.register(reader, EVENT_READ);
    assertEquals(await selector.select(0.02), [], "nothing yet: timeout");
    setTimeout(() => reader.feedData(enc("a\nb\n")), 5);
    assertEquals(await selector.select(), [[key, EVENT_READ]]);
    assertEquals(dec(await reader.readline()), "a\n");
    assertEquals(await selector.select(0), [[key, EVENT_READ]], "b is still there");
    assertEquals(dec(await reader.readline()), "b\n");
    assertEquals(await selector.select(0), []);
    reader.feedEof();
    assertEquals(await selector.select(0), [[key, EVENT_READ]], "EOF is readable");
  });
});

Deno.test("bytes a waiting read has claimed do not make a reader readable", async () => {
  await run(async () => {
    using selector = new DefaultSelector();
    const reader = new StreamReader();
    selector.register(reader, EVENT_READ);
    reader.feedData(enc("partial"));
    const line = reader.readline(); // waits for the newline
    await Promise.resolve();
    assertEquals(await selector.select(0), []);
    reader.feedData(enc(" line\n"));
    assertEquals(dec(await line), "partial line\n");
  });
});

Deno.test("a raw reader is read into streamReaderFor(raw); no byte is lost", async () => {
  await run(async () => {
    using selector = new DefaultSelector();
    const raw = fakeRaw();
    const key = selector.register(raw, EVENT_READ);
    assert(key.fd >= 3);
    const reader = streamReaderFor(raw);
    assert(streamReaderFor(raw) === reader, "one reader per raw reader");
    assert(selector.getKey(reader) === key, "the raw reader and its reader are one file");
    raw.push("one\ntwo\n");
    assertEquals(await selector.select(), [[key, EVENT_READ]]);
    assertEquals(dec(await reader.readline()), "one\n");
    assertEquals(await selector.select(0), [[key, EVENT_READ]]);
    assertEquals(dec(await reader.readline()), "two\n");
    assertEquals(await selector.select(0), []);
    raw.push(null);
    assertEquals(await selector.select(), [[key, EVENT_READ]]);
    assert(reader.atEof());
  });
});

Deno.test("a Deno.FsFile is readable once read ahead, always writable; its reader gets it all", async () => {
  const path = await Deno.makeTempFile();
  await Deno.writeTextFile(path, "first\nsecond\n");
  using file = await Deno.open(path);
  try {
    await run(async () => {
      using selector = new DefaultSelector();
      const key = selector.register(file, EVENT_READ);
      assertEquals(await selector.select(), [[key, EVENT_READ]]);
      // Readable once the pump's first read completed; writable always.
      const both = selector.modify(file, EVENT_READ | EVENT_WRITE);
      assertEquals(await selector.select(0), [[both, EVENT_READ | EVENT_WRITE]]);
      assertEquals(dec(await streamReaderFor(file).read()), "first\nsecond\n");
    });
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("a StreamWriter is writable while its buffer is at most the high-water mark", async () => {
  await run(async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => release = r);
    const writer = streamWriterFromWritable(new WritableStream({ write: () => gate }));
    writer.transport.setWriteBufferLimits(8, 0);
    using selector = new DefaultSelector();
    const key = selector.register(writer, EVENT_WRITE);
    assertEquals(await selector.select(0), [[key, EVENT_WRITE]]);
    writer.write(enc("more than eight bytes"));
    writer.write(enc("and more"));
    assertEquals(await selector.select(0), [], "over the high-water mark");
    setTimeout(release, 5);
    assertEquals(await selector.select(), [[key, EVENT_WRITE]], "drained");
    writer.close();
    await writer.waitClosed();
  });
});
