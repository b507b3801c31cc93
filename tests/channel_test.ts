// lib/_channel.ts: records cross in order, payloads come out as structured
// clone makes them, segments chain, and the waits wake.
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { channelFrom, ChannelReader, channelTo, ChannelWriter } from "../lib/_channel.ts";

/** A writer and a reader of one channel, both on this thread. */
function pair(doorbell = () => {}): { writer: ChannelWriter; reader: ChannelReader } {
  const { writer, end } = channelTo(doorbell);
  return { writer, reader: new ChannelReader(end) };
}

function drain(reader: ChannelReader): Array<[number, number, number, unknown]> {
  const out: Array<[number, number, number, unknown]> = [];
  while (reader.next()) out.push([reader.op, reader.a, reader.b, reader.value()]);
  return out;
}

Deno.test("channel: payloads come out as structuredClone makes them, inline or by the side port", () => {
  const { writer, reader } = pair();
  const shared = [1];
  const values: unknown[] = [
    undefined,
    null,
    true,
    false,
    0,
    -0,
    2 ** 31,
    -1.5,
    NaN,
    Infinity,
    "",
    "latin1 é",
    "utf16 \u{1F600} and a lone \ud800",
    "x".repeat(9000), // past the inline limit
    [1, "two", [3, { four: 4 }]],
    [1, , 3], // a hole
    Object.assign([1, 2], { extra: true }),
    { a: { b: { c: [null] } } },
    JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'),
    [shared, shared],
    new Map([[1, 2]]),
    new Date(86_400_000),
    new Uint8Array([1, 2, 3]),
    12345678901234567890n,
  ];
  for (const v of values) writer.writeValue(1, 2, 3, v, null, true);
  const got = drain(reader).map(([op, a, b, v]) => {
    assertEquals([op, a, b], [1, 2, 3]);
    return v;
  });
  assertEquals(got, values.map((v) => structuredClone(v)));
  assert(Object.is(got[5], -0));
  assert(!(1 in (got[15] as unknown[])), "the hole stays");
  assertEquals((got[16] as { extra?: boolean }).extra, true);
  assertEquals(Object.getPrototypeOf(got[18]), Object.prototype);
  assertEquals(Object.keys(got[18] as object), ["__proto__", "ok"]);
  const pairBack = got[19] as unknown[];
  assert(pairBack[0] === pairBack[1], "shared stays shared");
  writer.close();
  reader.close();
});

Deno.test("channel: records keep their order across segments and side messages", () => {
  const { writer, reader } = pair();
  const n = 50_000; // several 64 KiB segments
  for (let i = 0; i < n; i++) {
    if (i % 997 === 0) writer.writeValue(2, i, 0, new Map([[i, i]]), null, true);
    else if (i % 3 === 0) writer.write(3, i, -i);
    else writer.writeArgs(4, i, 0, [i, `s${i}`], null, true);
  }
  let i = 0;
  while (reader.next()) {
    if (i % 997 === 0) {
      assertEquals([reader.op, reader.a, reader.value()], [2, i, new Map([[i, i]])]);
    } else if (i % 3 === 0) assertEquals([reader.op, reader.a, reader.b], [3, i, -i]);
    else assertEquals([reader.op, reader.a, reader.args()], [4, i, [i, `s${i}`]]);
    i++;
  }
  assertEquals(i, n);
  writer.close();
  reader.close();
});

Deno.test("channel: a payload left unread is skipped, its side message too", () => {
  const { writer, reader } = pair();
  writer.writeValue(1, 0, 0, new Map([[1, 1]]), null, true);
  writer.writeValue(1, 1, 0, "inline", null, true);
  writer.writeValue(1, 2, 0, new Set([2]), null, true);
  assert(reader.next());
  assert(reader.next()); // the Map's message is dropped
  assert(reader.next());
  assertEquals(reader.value(), new Set([2]));
  assert(!reader.next());
  writer.close();
  reader.close();
});

Deno.test("channel: what needs the side port is refused without sideOk; what cannot be cloned writes nothing", () => {
  const { writer, reader } = pair();
  assertEquals(writer.writeValue(1, 0, 0, new Map(), null, false), false);
  const buf = new ArrayBuffer(8);
  assertEquals(writer.writeValue(1, 0, 0, buf, [buf], false), false);
  assertEquals(buf.byteLength, 8);
  assertThrows(() => writer.writeValue(1, 0, 0, () => 1, null, true), Error, "could not be cloned");
  assertThrows(() => writer.writeArgs(1, 0, 0, [Symbol("s")], null, true), Error);
  writer.writeValue(1, 9, 0, buf, [buf], true);
  assertEquals(buf.byteLength, 0, "moved");
  assertEquals(drain(reader), [[1, 9, 0, new ArrayBuffer(8)]]);
  writer.close();
  reader.close();
});

Deno.test("channel: an empty argument list reads as a shared empty list", () => {
  const { writer, reader } = pair();
  writer.writeArgs(1, 0, 0, [], null, true);
  writer.writeArgs(1, 0, 0, [undefined], null, true);
  assert(reader.next());
  assertEquals(reader.args(), []);
  assert(reader.next());
  assertEquals(reader.args(), [undefined]);
  writer.close();
  reader.close();
});

Deno.test("channel: waitAsync settles when a record is published; a parked reader gets the doorbell once", async () => {
  let rings = 0;
  const { writer, reader } = pair(() => rings++);
  const wait = reader.waitAsync();
  assert(wait !== null);
  writer.write(1, 0, 0);
  assertEquals(await wait, "ok");
  assertEquals(reader.waitAsync(), null, "a record is there: nothing to wait for");
  assert(reader.next());
  assert(reader.park());
  writer.write(1, 1, 0);
  writer.write(1, 2, 0);
  assertEquals(rings, 1);
  assert(!reader.park(), "records are there: do not park");
  assertEquals(drain(reader).map((r) => r[1]), [1, 2]);
  assertEquals(reader.waitSync(1), false, "timed out: nothing came");
  writer.close();
  reader.close();
});

Deno.test("channel: a channel read here gets its writer from the end sent", () => {
  const { reader, end } = channelFrom();
  const writer = new ChannelWriter(end.port, () => {}, end.segment);
  writer.writeArgs(5, 1, 2, ["hello"], null, true);
  assertEquals(drain(reader), [[5, 1, 2, ["hello"]]]);
  writer.close();
  reader.close();
});
