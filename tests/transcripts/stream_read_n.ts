// StreamReader.read(n) returns up to n of the buffered bytes, across the
// chunks they were fed in, as CPython's one bytearray buffer does.
import { getRunningLoop, run, StreamReader, VirtualClock } from "../../mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (c: string, n: number) => enc(c.repeat(n));
/** Python's repr of bytes, for the printable ASCII used here. */
const b = (x: Uint8Array) => `b'${new TextDecoder().decode(x)}'`;

export default async function (print: (line: string) => void): Promise<void> {
  // Lengths, and the first and last byte: enough to see which bytes came.
  const show = (label: string, data: Uint8Array) =>
    print(
      data.length > 0
        ? `${label}: ${data.length} bytes ${b(data.subarray(0, 1))}..${b(data.subarray(-1))}`
        : `${label}: b''`,
    );
  await run(async () => {
    const loop = getRunningLoop();

    // The case: two chunks of 5,000 bytes, read(8000).
    let r = new StreamReader();
    r.feedData(bytes("a", 5000));
    r.feedData(bytes("b", 5000));
    show("read(8000)", await r.read(8000));
    show("read(8000)", await r.read(8000));

    // A read spanning three chunks, small ones and big ones.
    r = new StreamReader();
    for (const piece of ["one", "two", "three"]) r.feedData(enc(piece));
    show("read(100) of 3 small", await r.read(100));
    for (const [c, n] of [["x", 6000], ["y", 7000], ["z", 8000]] as const) {
      r.feedData(bytes(c, n));
    }
    show("read(20000) of 3 big", await r.read(20000));
    show("rest", await r.read(20000));

    // read(n) smaller than the first chunk, then after partial consumption.
    r = new StreamReader();
    r.feedData(enc("0123456789"));
    r.feedData(enc("abcdefghij"));
    show("read(4)", await r.read(4));
    show("read(4)", await r.read(4));
    show("read(5) across", await r.read(5));
    show("readexactly(3)", await r.readexactly(3));
    show("read(100)", await r.read(100));

    // A read waiting on an empty buffer gets what arrived before it ran.
    const waited = new StreamReader();
    loop.callSoon(() => {
      waited.feedData(bytes("p", 5000));
      waited.feedData(bytes("q", 5000));
    });
    show("read(9000) waited", await waited.read(9000));
    waited.feedEof();
    show("read(9000) after eof", await waited.read(9000));
    show("read(9000) at eof", await waited.read(9000));

    // read(-1): everything until EOF, across chunks fed before and after.
    const all = new StreamReader();
    all.feedData(bytes("m", 5000));
    all.feedData(bytes("n", 5000));
    loop.callSoon(() => all.feedData(bytes("o", 5000)));
    loop.callSoon(() => all.feedEof());
    show("read(-1)", await all.read(-1));
    show("read()", await all.read());
  }, { clock: new VirtualClock() });
}
