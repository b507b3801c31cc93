// (CPython 3.13) server.close() leaves connected clients alone; closeClients()
// closes them after their buffered data, abortClients() at once; waitClosed()
// returns once every connection is gone.
import {
  ensureFuture,
  type EventLoop,
  type Future,
  getRunningLoop,
  Protocol,
  run,
  sleep,
  type Transport,
} from "../../mod.ts";

const py = (x: boolean) => (x ? "True" : "False");

class Client extends Protocol {
  lost: Future<void>;
  constructor(private name: string, private log: string[], loop: EventLoop) {
    super();
    this.lost = loop.createFuture();
  }
  override dataReceived(data: Uint8Array): void {
    this.log.push(`${this.name} got ${new TextDecoder().decode(data)}`);
  }
  override eofReceived(): void {
    this.log.push(`${this.name} eof`);
  }
  override connectionLost(exc: unknown): void {
    this.log.push(`${this.name} lost ${exc ? (exc as Error).name : "None"}`);
    this.lost.setResult();
  }
}

class Greeter extends Protocol {
  override connectionMade(transport: Transport): void {
    transport.write(new TextEncoder().encode("hi"));
  }
}

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const log: string[] = [];
    const server = await loop.createServer(() => new Greeter(), "127.0.0.1", 0);
    const port = (server.sockets[0] as Deno.NetAddr).port;
    const clients: Client[] = [];
    for (const name of ["a", "b"]) {
      const [, c] = await loop.createConnection(
        () => new Client(name, log, loop),
        "127.0.0.1",
        port,
      );
      clients.push(c);
      while (!log.some((line) => line.startsWith(`${name} got`))) await sleep(0.01);
    }
    server.close();
    print(`serving after close: ${py(server.isServing())}`);
    const waiting = ensureFuture(server.waitClosed());
    await sleep(0.05);
    print(`wait_closed done with clients connected: ${py(waiting.done())}`);
    server.closeClients();
    await clients[0].lost;
    await clients[1].lost;
    await waiting;
    print(`wait_closed done: ${py(waiting.done())}`);
    for (const line of log.sort()) print(line);
  });
}
