// A protocol whose dataReceived throws: the loop's exception handler is
// told, that connection is closed and connectionLost gets the error; the
// server goes on serving the next client (the server's log is printed
// last: across the two sides the order depends on the network). The
// handler's message names the method in our spelling (dataReceived); it is
// printed in Python's, as asyncio's message has it.
import {
  type Future,
  getRunningLoop,
  Protocol,
  run,
  RuntimeError,
  sleep,
  type Transport,
} from "../../mod.ts";

const dec = (x: Uint8Array) => new TextDecoder().decode(x);
const enc = (s: string) => new TextEncoder().encode(s);
const serverLog: string[] = [];

class Fragile extends Protocol {
  transport!: Transport;
  override connectionMade(transport: Transport) {
    this.transport = transport;
  }
  override dataReceived(data: Uint8Array) {
    if (dec(data) === "boom") throw new RuntimeError("cannot digest");
    this.transport.write(enc(`ok ${dec(data)}`));
  }
  override connectionLost(exc: unknown) {
    if (exc !== null) {
      serverLog.push(`connection_lost ${(exc as Error).name}: ${(exc as Error).message}`);
    }
  }
}

class Client extends Protocol {
  got = "";
  lost: Future<unknown> = getRunningLoop().createFuture();
  override dataReceived(data: Uint8Array) {
    this.got += dec(data);
  }
  override connectionLost(exc: unknown) {
    this.lost.setResult(exc);
  }
}

export default async function (print: (line: string) => void): Promise<void> {
  serverLog.length = 0;
  await run(async () => {
    const loop = getRunningLoop();
    loop.setExceptionHandler((_loop, ctx) => {
      const exc = ctx.exception as Error;
      const message = ctx.message.replace("dataReceived", "data_received");
      print(
        `handler: ${message} ${exc.name}: ${exc.message} protocol=${
          ctx.protocol!.constructor.name
        }`,
      );
    });
    const server = await loop.createServer(() => new Fragile(), "127.0.0.1", 0);
    const port = (server.sockets[0] as Deno.NetAddr).port;
    for (const message of ["boom", "fine"]) {
      const [transport, client] = await loop.createConnection(
        () => new Client(),
        "127.0.0.1",
        port,
      );
      transport.write(enc(message));
      if (message === "fine") {
        while (!client.got) await sleep(0.01);
        transport.close();
      }
      const exc = await client.lost;
      print(`client got b'${client.got}', lost ${exc === null ? "None" : exc}`);
    }
    print(`serving: ${server.isServing() ? "True" : "False"}`);
    server.close();
    await server.waitClosed();
    print(["server:", ...serverLog].join("\n  "));
  });
}
