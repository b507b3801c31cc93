// The order of a protocol's callbacks on each side of a TCP exchange with a
// half-close (each side's log separately: across the two the order depends
// on the network; consecutive dataReceived calls are joined, since TCP may
// split the bytes). Python's snake_case names are printed for ours.
import { type Future, getRunningLoop, Protocol, run, type Transport } from "../../mod.ts";

const dec = (x: Uint8Array) => new TextDecoder().decode(x);
const enc = (s: string) => new TextEncoder().encode(s);

class Logger extends Protocol {
  transport!: Transport;
  lost: Future<void> = getRunningLoop().createFuture();
  constructor(readonly log: string[], readonly reply = false) {
    super();
  }
  override connectionMade(transport: Transport) {
    this.transport = transport;
    this.log.push("connection_made");
  }
  override dataReceived(data: Uint8Array) {
    const last = this.log.length - 1;
    if (this.log[last].startsWith("data_received")) {
      this.log[last] = `${this.log[last].slice(0, -1)}${dec(data)}'`;
    } else {
      this.log.push(`data_received '${dec(data)}'`);
    }
    if (this.reply) this.transport.write(enc(dec(data).toUpperCase()));
  }
  override eofReceived() {
    this.log.push("eof_received");
  }
  override connectionLost(exc: unknown) {
    this.log.push(`connection_lost ${exc === null ? "None" : exc}`);
    this.lost.setResult();
  }
}

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const serverLog: string[] = [];
    const clientLog: string[] = [];
    const servers: Logger[] = [];
    const server = await loop.createServer(
      () => {
        servers.push(new Logger(serverLog, true));
        return servers.at(-1)!;
      },
      "127.0.0.1",
      0,
    );
    const port = (server.sockets[0] as Deno.NetAddr).port;
    const [transport, client] = await loop.createConnection(
      () => new Logger(clientLog),
      "127.0.0.1",
      port,
    );
    clientLog.push("create_connection returned");
    transport.write(enc("hello "));
    transport.write(enc("world"));
    transport.writeEof();
    await client.lost;
    await servers[0].lost;
    server.close();
    await server.waitClosed();
    print(["server:", ...serverLog].join("\n  "));
    print(["client:", ...clientLog].join("\n  "));
  });
}
