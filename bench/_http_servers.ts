// The HTTP/1.1 servers that bench/http_wrk.ts loads with wrk (and that
// tests/http_wrk_test.ts checks): keep-alive, every request head (up to
// "\r\n\r\n") answered with the same 13-byte "Hello, world!". Requests have
// no body (wrk sends GETs), so a head is a request; several heads in one read
// (pipelining) get as many responses. Peer: bench/_http_servers.py.
//
// Run alone, it serves one implementation on 127.0.0.1 (port 0) until
// killed, and prints {"port": N} once listening:
//   deno run --allow-net=127.0.0.1 bench/_http_servers.ts streams|protocol|raw|serve
import {
  ConnectionError,
  getRunningLoop,
  IncompleteReadError,
  Protocol,
  run,
  startServer,
  type Transport,
} from "../mod.ts";
import type { Server, StreamReader, StreamWriter } from "../mod.ts";

/** The whole response to one request. */
export const RESPONSE = new TextEncoder().encode(
  "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!",
);

const CR = 13;
const LF = 10;

/**
 * Counts the request heads that end in each chunk. A head's "\r\n\r\n" may
 * be split between reads, so it keeps how much of it the last chunk ended
 * with.
 */
export class HeadCounter {
  #matched = 0;

  count(chunk: Uint8Array, end = chunk.length): number {
    let heads = 0;
    let m = this.#matched;
    for (let i = 0; i < end; i++) {
      const b = chunk[i];
      if (b === ((m & 1) === 0 ? CR : LF)) {
        if (++m === 4) {
          heads++;
          m = 0;
        }
      } else {
        m = b === CR ? 1 : 0;
      }
    }
    this.#matched = m;
    return heads;
  }
}

/** The responses to `n` pipelined requests, as one buffer (reused: never mutated). */
const responsesCache: Uint8Array[] = [RESPONSE];
export function responses(n: number): Uint8Array {
  let out = responsesCache[n - 1];
  if (out === undefined) {
    out = new Uint8Array(n * RESPONSE.length);
    for (let i = 0; i < n; i++) out.set(RESPONSE, i * RESPONSE.length);
    if (n <= 64) responsesCache[n - 1] = out;
  }
  return out;
}

/** Ours on streams, as a new user writes it: readuntil, write, drain. */
export async function handleStreams(reader: StreamReader, writer: StreamWriter): Promise<void> {
  try {
    for (;;) {
      await reader.readuntil("\r\n\r\n");
      writer.write(RESPONSE);
      await writer.drain();
    }
  } catch (err) {
    // The client went away, between requests or mid-way: that ends the connection.
    if (!(err instanceof IncompleteReadError || err instanceof ConnectionError)) throw err;
  } finally {
    writer.close();
  }
}

/** Ours on streams, listening on 127.0.0.1 (port 0 picks a free one). */
export function startStreamsServer(port = 0): Promise<Server> {
  return startServer(handleStreams, "127.0.0.1", port);
}

/** Ours on a Protocol: heads are counted as they arrive, answered in one write. */
export class HttpProtocol extends Protocol {
  transport: Transport | null = null;
  #heads = new HeadCounter();

  override connectionMade(transport: Transport): void {
    this.transport = transport;
  }

  override dataReceived(data: Uint8Array): void {
    const n = this.#heads.count(data);
    if (n > 0) this.transport!.write(responses(n));
  }

  override connectionLost(): void {
    this.transport = null;
  }
}

/** Ours on protocols, listening on 127.0.0.1 (port 0 picks a free one). */
export function startProtocolServer(port = 0): Promise<Server> {
  return getRunningLoop().createServer(() => new HttpProtocol(), "127.0.0.1", port);
}

/** The raw Deno.Conn server's connection: one buffer, read, count, write. */
async function serveRawConn(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(65536);
  const heads = new HeadCounter();
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      const k = heads.count(buf, n);
      if (k === 0) continue;
      const out = responses(k);
      let off = 0;
      while (off < out.length) off += await conn.write(out.subarray(off));
    }
  } catch {
    // A reset by the client ends the connection, as in the other servers.
  } finally {
    conn.close();
  }
}

/** The raw Deno.Conn server; resolves its listener once listening. */
export function startRawServer(port = 0): { listener: Deno.Listener; done: Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const done = (async () => {
    try {
      for await (const conn of listener) void serveRawConn(conn);
    } catch { /* closed */ }
  })();
  return { listener, done };
}

function announce(port: number): void {
  console.log(JSON.stringify({ port }));
}

/** One of our servers, on a loop of its own, until the process is killed. */
function serveOurs(start: () => Promise<Server>): Promise<void> {
  return run(async () => {
    const server = await start();
    announce((server.sockets[0] as Deno.NetAddr).port);
    await server.serveForever();
  });
}

async function main(impl: string): Promise<void> {
  switch (impl) {
    case "streams":
      await serveOurs(startStreamsServer);
      break;
    case "protocol":
      await serveOurs(startProtocolServer);
      break;
    case "raw": {
      const { listener, done } = startRawServer();
      announce((listener.addr as Deno.NetAddr).port);
      await done;
      break;
    }
    case "serve": {
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen: ({ port }) => announce(port) },
        () => new Response("Hello, world!"),
      );
      await server.finished;
      break;
    }
    default:
      throw new Error(`unknown server ${impl} (want streams, protocol, raw or serve)`);
  }
}

if (import.meta.main) await main(Deno.args[0]);
