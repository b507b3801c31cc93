// Flow control both ways: a writer with a small high-water mark pauses and
// resumes (strictly alternating) while its peer reads slowly with
// pauseReading / resumeReading, and a paused reader gets no dataReceived.
import { type Future, getRunningLoop, Protocol, run, type Transport } from "../../mod.ts";

const SIZE = 4 * 1024 * 1024;
const py = (x: unknown) => x === true ? "True" : x === false ? "False" : x === null ? "None" : x;

class Writer extends Protocol {
  events: string[] = [];
  override connectionMade(transport: Transport) {
    transport.setWriteBufferLimits(16 * 1024);
    this.events.push(`limits (${transport.getWriteBufferLimits().join(", ")})`);
    transport.write(new Uint8Array(SIZE).fill(120));
    this.events.push(`buffered > high: ${py(transport.getWriteBufferSize() > 16 * 1024)}`);
    transport.close();
  }
  override pauseWriting() {
    this.events.push("pause");
  }
  override resumeWriting() {
    this.events.push("resume");
  }
}

class SlowReader extends Protocol {
  transport!: Transport;
  received = 0;
  duringPause = 0;
  paused = false;
  done: Future<unknown> = getRunningLoop().createFuture();
  override connectionMade(transport: Transport) {
    this.transport = transport;
    this.pause();
  }
  pause() {
    this.transport.pauseReading();
    this.paused = true;
    getRunningLoop().callLater(0.01, () => {
      this.paused = false;
      this.transport.resumeReading();
    });
  }
  override dataReceived(data: Uint8Array) {
    if (this.paused) this.duringPause += data.length;
    this.received += data.length;
    if (this.received < SIZE / 2) this.pause();
  }
  override connectionLost(exc: unknown) {
    this.done.setResult(exc);
  }
}

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const writer = new Writer();
    const server = await loop.createServer(() => writer, "127.0.0.1", 0);
    const port = (server.sockets[0] as Deno.NetAddr).port;
    const [transport, reader] = await loop.createConnection(
      () => new SlowReader(),
      "127.0.0.1",
      port,
    );
    print(`is_reading after pause: ${py(transport.isReading())}`);
    const exc = await reader.done;
    server.close();
    await server.waitClosed();
    const flips: string[] = writer.events.filter((e) => e === "pause" || e === "resume");
    print(writer.events.filter((e) => !flips.includes(e)).join("\n"));
    print(`first flip: ${flips[0]} last flip: ${flips.at(-1)}`);
    print(`alternating: ${py(flips.every((e, i) => i === 0 || e !== flips[i - 1]))}`);
    print(`received all: ${py(reader.received === SIZE)} lost: ${py(exc)}`);
    print(`bytes delivered while paused: ${reader.duringPause}`);
  });
}
