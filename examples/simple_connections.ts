/**
 * The seed's `simple_connections.py`, ported: a server that sends each
 * client its start time and then N lines, and clients that read them
 * slowly (one per second) with `for await`. Run a server and, while it
 * serves (5 s by default), one or more clients:
 *
 *   deno run --allow-net=127.0.0.1 examples/simple_connections.ts server [--port 1234] [--seconds 5]
 *   deno run --allow-net=127.0.0.1 examples/simple_connections.ts client 3 [--port 1234]
 *
 * It shows `startServer` / `openConnection`, `getExtraInfo("peername")`,
 * `write` + `drain`, `readline`, `for await` over a reader, and a server
 * closed after `callLater(5, stop)`, as the seed does. `--port 0` picks a
 * free port; the server prints the one it got first. One change from the
 * seed: the client closes its writer after the loop (the seed's
 * indentation closed it inside, after the first line).
 * @module
 */
import {
  getEventLoop,
  openConnection,
  sleep,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../mod.ts";

const HOST = "127.0.0.1";
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Print `args` prefixed with the seconds since `startTime` (wall clock, as the seed). */
function printer(startTime: number, ...args: string[]): void {
  console.log(((Date.now() / 1000) - startTime).toFixed(1), ...args);
}

/** `('127.0.0.1', 59990)`, as Python prints the peername tuple. */
function repr(peer: unknown): string {
  const [host, port] = peer as [string, number];
  return `('${host}', ${port})`;
}

function option(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(Deno.args[i + 1]);
}

const startTime = Date.now() / 1000;

async function handleConnection(reader: StreamReader, writer: StreamWriter): Promise<void> {
  const clientAddress = repr(writer.getExtraInfo("peername"));
  printer(startTime, "Client connected", clientAddress);
  // Send over the server start time to get consistent timestamps.
  writer.write(`${startTime.toFixed(2)}\n`);
  await writer.drain();

  const repetitions = parseInt(dec.decode(await reader.readline()));
  printer(startTime, "Started sending to", clientAddress);
  for (let i = 0; i < repetitions; i++) {
    const message = `client: ${clientAddress}, ${i}\n`;
    printer(startTime, message.trimEnd());
    writer.write(message);
    await writer.drain();
  }
  printer(startTime, "Finished sending to", clientAddress);
  writer.close();
}

async function createConnection(repetitions: string, port: number): Promise<void> {
  const [reader, writer] = await openConnection(HOST, port);
  const serverStart = parseFloat(dec.decode(await reader.readline()));
  writer.write(enc.encode(repetitions + "\n"));
  await writer.drain();
  for await (const line of reader) {
    // Sleeping a little to emulate processing time.
    await sleep(1);
    printer(serverStart, "Got line: ", dec.decode(line).trimEnd());
  }
  writer.close();
  await writer.waitClosed();
}

const loop = getEventLoop();
if (Deno.args[0] === "server") {
  const server = await loop.runUntilComplete(() =>
    startServer(handleConnection, HOST, option("port", 1234))
  );
  console.log(`Serving on ${HOST}:${(server.sockets[0] as Deno.NetAddr).port}`);
  loop.callLater(option("seconds", 5), () => loop.stop());
  await loop.runForever();
  server.close();
  await loop.runUntilComplete(() => server.waitClosed());
  loop.close();
} else if (Deno.args[0] === "client") {
  await loop.runUntilComplete(() => createConnection(Deno.args[1], option("port", 1234)));
  loop.close();
} else {
  console.error("usage: simple_connections.ts server [--port P] | client N [--port P]");
  Deno.exit(2);
}
