// The JavaScript cost of a Protocol echo round trip on SocketTransport, over
// a fake Deno.Conn whose reads and writes complete at once: no kernel, no
// wake-ups, so the figure moves with our code only (a real socket's round
// trip on this machine swings by ±1 µs run to run). The last lines are the
// raw read/write loop over the same fake: the floor.
// REPS=20 SIZE=64 deno run -A --cpu-prof bench/_transport_js_cost.ts [streams]
// (SIZE: the line length, 1024 by default.)
import {
  getRunningLoop,
  Protocol,
  run,
  StreamReader,
  StreamReaderProtocol,
  type StreamWriter,
  type Transport,
} from "../mod.ts";
import { SocketTransport } from "../lib/_transports.ts";

const N = 300_000, SIZE = Number(Deno.env.get("SIZE") ?? 1024);
class FakeConn {
  remoteAddr = { transport: "unix", path: "" } as unknown as Deno.Addr;
  localAddr = { transport: "unix", path: "" } as unknown as Deno.Addr;
  left = N;
  wantRead: ((n: number | null) => void) | null = null;
  rbuf: Uint8Array | null = null;
  primed = true; // the first message is there before the first read
  read(buf: Uint8Array): Promise<number | null> {
    return new Promise((resolve) => {
      this.rbuf = buf;
      if (this.left-- > 0 && this.primed) resolve(this.message(buf));
      else if (this.left < 0) resolve(null);
      else this.wantRead = resolve;
      this.primed = false;
    });
  }
  /** A line of SIZE bytes (zeros, then a newline) in `buf`. */
  message(buf: Uint8Array): number {
    const n = Math.min(SIZE, buf.length);
    buf[n - 1] = 10;
    return n;
  }
  write(chunk: Uint8Array): Promise<number> {
    // The peer answers: the next message is there for the next read.
    const w = this.wantRead;
    if (w !== null) {
      this.wantRead = null;
      w(this.left-- > 0 ? this.message(this.rbuf!) : null);
    } else this.primed = true;
    return Promise.resolve(chunk.length);
  }
  closeWrite() {
    return Promise.resolve();
  }
  close() {}
}
class Echo extends Protocol {
  transport: Transport | null = null;
  count = 0;
  done!: () => void;
  finished = new Promise<void>((r) => this.done = r);
  override connectionMade(t: Transport) {
    this.transport = t;
  }
  override dataReceived(d: Uint8Array) {
    this.count++;
    this.transport!.write(d);
  }
  override eofReceived() {
    this.done();
  }
}
/** The streams echo of bench/stream_echo.ts: readline, write, drain. */
async function streamsEcho(): Promise<void> {
  let count = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => done = r);
  const serve = async (reader: StreamReader, writer: StreamWriter) => {
    for (;;) {
      const line = await reader.readline();
      if (line.length === 0) break;
      count++;
      writer.write(line);
      await writer.drain();
    }
    writer.close();
    done();
  };
  const t0 = performance.now();
  const conn = new FakeConn() as unknown as Deno.Conn;
  new SocketTransport(getRunningLoop(), conn, new StreamReaderProtocol(new StreamReader(), serve))
    ._start(true);
  await finished;
  console.log(
    `streams round trip ${((performance.now() - t0) * 1e6 / count).toFixed(0)} ns (${count})`,
  );
}

await run(async () => {
  if (Deno.args[0] === "streams") {
    for (let rep = 0; rep < Number(Deno.env.get("REPS") ?? 5); rep++) await streamsEcho();
    Deno.exit(0);
  }
  for (let rep = 0; rep < Number(Deno.env.get("REPS") ?? 5); rep++) {
    const p = new Echo();
    const t0 = performance.now();
    const t = new SocketTransport(getRunningLoop(), new FakeConn() as unknown as Deno.Conn, p);
    t._start(true);
    await p.finished;
    const ns = (performance.now() - t0) * 1e6 / p.count;
    console.log(`round trip ${ns.toFixed(0)} ns (${p.count})`);
  }
});
// The floor: the raw echo loop over the same fake.
for (let rep = 0; rep < 3; rep++) {
  const conn = new FakeConn();
  const buf = new Uint8Array(65536);
  const t0 = performance.now();
  let count = 0;
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    count++;
    await conn.write(buf.subarray(0, n));
  }
  console.log(`raw round trip ${((performance.now() - t0) * 1e6 / count).toFixed(0)} ns`);
}
