// loop.addReader/removeReader/addWriter/removeWriter: level-triggered
// callbacks run as loop handles.
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { dec, enc, withLoop } from "./_util.ts";
import { type DenoReader, RuntimeError, StreamReader, streamReaderFor } from "../mod.ts";

Deno.test("addReader() runs the callback once per iteration while lines are buffered", async () => {
  await withLoop(async (loop) => {
    const reader = new StreamReader();
    const got: string[] = [];
    loop.addReader(reader, (tag: string) => {
      const at = loop.iteration;
      // EOF stays readable: a callback that is done must remove itself at
      // once, as a Python one does (an await first would let it run again).
      if (reader.atEof()) {
        got.push(`${tag} EOF @${at}`);
        assert(loop.removeReader(reader));
        loop.stop();
        return;
      }
      // A whole buffered line is taken at once, inside this call.
      reader.readline().then((line) => got.push(`${tag} ${dec(line).trim()} @${at}`));
    }, "cb");
    loop.callSoon(() => {
      reader.feedData(enc("a\nb\nc\n"));
      reader.feedEof();
    });
    const start = loop.iteration;
    await loop.runForever();
    const at = (i: number) => start + i;
    got.sort((a, b) => Number(a.split("@")[1]) - Number(b.split("@")[1]));
    // One run per iteration (with its re-check) while readable, EOF included.
    assertEquals(got, [`cb a @${at(2)}`, `cb b @${at(3)}`, `cb c @${at(4)}`, `cb EOF @${at(5)}`]);
    assert(!loop.removeReader(reader), "nothing left to remove");
  });
});

Deno.test("a callback that reads nothing is called again on every iteration (level-triggered)", async () => {
  await withLoop(async (loop) => {
    const reader = new StreamReader();
    reader.feedData(enc("x"));
    let calls = 0;
    loop.addReader(reader, () => {
      if (++calls === 3) {
        loop.removeReader(reader);
        loop.stop();
      }
    });
    await loop.runForever();
    assertEquals(calls, 3);
  });
});

Deno.test("addReader() for a watched object replaces (and cancels) the old callback", async () => {
  await withLoop(async (loop) => {
    const reader = new StreamReader();
    const got: string[] = [];
    loop.addReader(reader, () => got.push("old"));
    loop.addReader(reader, async () => {
      got.push(dec(await reader.readline()));
      loop.removeReader(reader);
      loop.stop();
    });
    reader.feedData(enc("line\n"));
    await loop.runForever();
    assertEquals(got, ["line\n"]);
  });
});

Deno.test("addReader() on a raw reader: read it through streamReaderFor()", async () => {
  await withLoop(async (loop) => {
    const chunks = ["one\ntwo\n", null];
    const raw: DenoReader = {
      read(p) {
        const chunk = chunks.shift();
        if (chunk === null || chunk === undefined) return Promise.resolve(null);
        p.set(enc(chunk));
        return Promise.resolve(chunk.length);
      },
    };
    const got: string[] = [];
    loop.addReader(raw, () => {
      const reader = streamReaderFor(raw);
      if (reader.atEof()) {
        got.push("EOF");
        loop.removeReader(raw);
        loop.stop();
      } else {
        reader.readline().then((line) => got.push(dec(line)));
      }
    });
    await loop.runForever();
    assertEquals(got, ["one\n", "two\n", "EOF"]);
  }, { virtual: false });
});

Deno.test("addWriter() runs while a raw writer is writable, until removed", async () => {
  await withLoop(async (loop) => {
    const writes: string[] = [];
    const sink = { write: (p: Uint8Array) => Promise.resolve(p.length) };
    loop.addWriter(sink, (n: number) => {
      writes.push(`write ${n} @${loop.iteration}`);
      if (writes.length === 2) {
        assert(loop.removeWriter(sink));
        loop.stop();
      }
    }, 1);
    await loop.runForever();
    assertEquals(writes, ["write 1 @1", "write 1 @2"]);
    assert(!loop.removeWriter(sink));
  });
});

Deno.test("an error in a reader callback goes to the exception handler, naming the callback", async () => {
  await withLoop(async (loop, errors) => {
    const reader = new StreamReader();
    reader.feedEof();
    loop.addReader(reader, function boom() {
      loop.removeReader(reader);
      loop.stop();
      throw new Error("bang");
    });
    await loop.runForever();
    assertEquals(errors.map((e) => e.message), ["Exception in callback boom()"]);
    errors.length = 0;
  });
});

Deno.test("close() drops the watches; a closed loop refuses new ones", async () => {
  await withLoop((loop) => {
    const reader = new StreamReader();
    loop.addReader(reader, () => {});
    loop.close();
    reader.feedData(enc("late\n")); // must not touch the closed loop
    assertThrows(() => loop.addReader(reader, () => {}), RuntimeError, "Event loop is closed");
    assertThrows(() => loop.addReader({} as DenoReader, () => {}), RuntimeError);
  });
});

Deno.test("addReader() checks its arguments", async () => {
  await withLoop((loop) => {
    const reader = new StreamReader();
    assertThrows(() => loop.addReader(reader, null as never), TypeError, "addReader()");
    assertThrows(
      () => loop.addReader({} as DenoReader, () => {}),
      TypeError,
      "Invalid file object",
    );
    assertThrows(() => loop.addReader(Deno.stdout, () => {}), TypeError, "cannot be read");
  });
});
