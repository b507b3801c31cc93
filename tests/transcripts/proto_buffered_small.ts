// A BufferedProtocol with a 4-byte buffer: one 10-byte send arrives as several
// bufferUpdated calls, each at most the buffer's size, then eofReceived and
// connectionLost.
import { BufferedProtocol, type Future, getRunningLoop, Protocol, run } from "../../mod.ts";

const py = (x: boolean) => (x ? "True" : "False");

class Small extends BufferedProtocol {
  buf = new Uint8Array(4);
  constructor(private log: string[], private done: Future<void>) {
    super();
  }
  override getBuffer(): Uint8Array {
    return this.buf;
  }
  override bufferUpdated(n: number): void {
    this.log.push(new TextDecoder().decode(this.buf.subarray(0, n)));
  }
  override eofReceived(): void {
    this.log.push("eof");
  }
  override connectionLost(exc: unknown): void {
    this.log.push(`lost ${exc ?? "None"}`);
    this.done.setResult();
  }
}

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const log: string[] = [];
    const done = loop.createFuture<void>();
    const server = await loop.createServer(() => new Small(log, done), "127.0.0.1", 0);
    const port = (server.sockets[0] as Deno.NetAddr).port;
    const [transport] = await loop.createConnection(() => new Protocol(), "127.0.0.1", port);
    transport.write(new TextEncoder().encode("0123456789"));
    transport.writeEof();
    await done;
    transport.close();
    server.close();
    await server.waitClosed();
    const chunks = log.slice(0, -2);
    print(`joined: ${chunks.join("")}`);
    print(`every chunk at most 4 bytes: ${py(chunks.every((c) => c.length <= 4))}`);
    print(`several chunks: ${py(chunks.length >= 3)}`);
    for (const line of log.slice(-2)) print(line);
  });
}
