// eofReceived returning true keeps the transport open: the server still
// writes after the client's EOF, then closes; returning a falsy value
// closes the transport at once.
import { type Future, getRunningLoop, Protocol, run, type Transport } from "../../mod.ts";

const dec = (x: Uint8Array) => new TextDecoder().decode(x);
const enc = (s: string) => new TextEncoder().encode(s);
const py = (x: unknown) => x === true ? "True" : x === false ? "False" : x == null ? "None" : x;

class Server extends Protocol {
  transport!: Transport;
  lost: Future<void> = getRunningLoop().createFuture();
  constructor(readonly log: string[], readonly keepOpen: true | undefined) {
    super();
  }
  override connectionMade(transport: Transport) {
    this.transport = transport;
  }
  override dataReceived(data: Uint8Array) {
    this.log.push(`got b'${dec(data)}'`);
  }
  override eofReceived() {
    this.log.push(`eof, returning ${py(this.keepOpen)}`);
    if (this.keepOpen) {
      this.transport.write(enc("late reply"));
      this.log.push(`wrote after eof, closing=${py(this.transport.isClosing())}`);
      getRunningLoop().callSoon(() => this.transport.close());
    }
    return this.keepOpen;
  }
  override connectionLost(exc: unknown) {
    this.log.push(`lost ${py(exc)}, closing=${py(this.transport.isClosing())}`);
    this.lost.setResult();
  }
}

class Client extends Protocol {
  got = "";
  lost: Future<unknown> = getRunningLoop().createFuture();
  override connectionMade(transport: Transport) {
    transport.write(enc("question"));
    transport.writeEof();
  }
  override dataReceived(data: Uint8Array) {
    this.got += dec(data);
  }
  override eofReceived() {
    this.got += " <eof>";
  }
  override connectionLost(exc: unknown) {
    this.lost.setResult(exc);
  }
}

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    for (const keepOpen of [true, undefined] as const) {
      const log: string[] = [];
      const made: Server[] = [];
      const server = await loop.createServer(
        () => {
          made.push(new Server(log, keepOpen));
          return made.at(-1)!;
        },
        "127.0.0.1",
        0,
      );
      const port = (server.sockets[0] as Deno.NetAddr).port;
      const [, client] = await loop.createConnection(() => new Client(), "127.0.0.1", port);
      const exc = await client.lost;
      await made[0].lost;
      server.close();
      await server.waitClosed();
      print([`keep_open=${py(keepOpen)}:`, ...log].join("\n  "));
      print(`  client got b'${client.got}', lost ${py(exc)}`);
    }
  });
}
