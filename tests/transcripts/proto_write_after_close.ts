// After close(), isClosing() is true and write() drops its data without an
// error; the peer gets what was written before, then EOF; connectionLost
// gets null (each side's log separately: across the two the order depends
// on the network).
import { type Future, getRunningLoop, Protocol, run, type Transport } from "../../mod.ts";

const dec = (x: Uint8Array) => new TextDecoder().decode(x);
const enc = (s: string) => new TextEncoder().encode(s);
const py = (x: unknown) => x === true ? "True" : x === false ? "False" : x === null ? "None" : x;

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const serverLog: string[] = [];
    const made: Future<Future<void>> = loop.createFuture();

    class Closer extends Protocol {
      lost: Future<void> = loop.createFuture();
      override connectionMade(transport: Transport) {
        serverLog.push(`closing before: ${py(transport.isClosing())}`);
        transport.write(enc("kept"));
        transport.close();
        serverLog.push(`closing after: ${py(transport.isClosing())}`);
        transport.write(enc(" dropped"));
        serverLog.push(`buffered <= 4: ${py(transport.getWriteBufferSize() <= 4)}`);
        transport.close();
        made.setResult(this.lost);
      }
      override connectionLost(exc: unknown) {
        serverLog.push(`connection_lost ${py(exc)}`);
        this.lost.setResult();
      }
    }

    class Client extends Protocol {
      got = "";
      lost: Future<unknown> = loop.createFuture();
      override dataReceived(data: Uint8Array) {
        this.got += dec(data);
      }
      override eofReceived() {
        print("client eof_received");
      }
      override connectionLost(exc: unknown) {
        this.lost.setResult(exc);
      }
    }

    const server = await loop.createServer(() => new Closer(), "127.0.0.1", 0);
    const port = (server.sockets[0] as Deno.NetAddr).port;
    const [, client] = await loop.createConnection(() => new Client(), "127.0.0.1", port);
    print(`client lost ${py(await client.lost)}, got b'${client.got}'`);
    await await made;
    server.close();
    await server.waitClosed();
    print(["server:", ...serverLog].join("\n  "));
  });
}
