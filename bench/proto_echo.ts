// Echo servers on our protocols (issue 15): a `Protocol` that writes back
// each chunk it receives, and a `BufferedProtocol` that reads into one
// buffer of its own and writes back a copy (the buffer is reused by the
// next read), and one that writes from its buffer with no copy, reading
// paused until the write is done (`bufproto0_echo`). Every load of stream_echo_configs.json, hit by
// bench/stream_echo_load.ts; a protocol echo does not care about lines, it
// returns what it gets. Each load runs right after the raw Deno.Conn echo
// (stream_echo_raw.ts, the ceiling: the "proto_echo_* (deno-raw)" rows), so
// that both meet the same neighbours. Peer:
// proto_echo.py (asyncio's Protocol and BufferedProtocol, or uvloop's).
// deno run --allow-net=127.0.0.1 --allow-run --allow-read bench/proto_echo.ts
import { run } from "../mod.ts";
import { BufferedProtocol, getRunningLoop, Protocol, type Transport } from "../mod.ts";
import { configs, emitLoad, type LoadConfig, runLoad } from "./stream_echo_load.ts";
import { rawLoad } from "./stream_echo_raw.ts";

class Echo extends Protocol {
  transport: Transport | null = null;
  override connectionMade(transport: Transport): void {
    this.transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    // The protocol owns `data`, so it can go out as it is.
    this.transport!.write(data);
  }
  override connectionLost(): void {
    this.transport = null;
  }
}

class BufferedEcho extends BufferedProtocol {
  transport: Transport | null = null;
  // As large as the raw echo's read buffer, so both read the same chunks.
  buf = new Uint8Array(65536);
  override connectionMade(transport: Transport): void {
    this.transport = transport;
  }
  override getBuffer(): Uint8Array {
    return this.buf;
  }
  override bufferUpdated(nbytes: number): void {
    // A copy: write() keeps what it is given, and the next read lands in buf.
    this.transport!.write(this.buf.slice(0, nbytes));
  }
  override connectionLost(): void {
    this.transport = null;
  }
}

/**
 * BufferedProtocol's no-copy pattern (its JSDoc): the write goes out of the
 * buffer itself, and reading stays paused until it has, so the next read
 * cannot land in bytes still being written. No allocation per round trip.
 */
class ZeroCopyEcho extends BufferedEcho {
  override connectionMade(transport: Transport): void {
    super.connectionMade(transport);
    transport.setWriteBufferLimits(0);
  }
  override bufferUpdated(nbytes: number): void {
    this.transport!.write(this.buf.subarray(0, nbytes));
  }
  override pauseWriting(): void {
    this.transport!.pauseReading();
  }
  override resumeWriting(): void {
    this.transport!.resumeReading();
  }
}

async function measure(
  prefix: string,
  factory: () => Echo | BufferedEcho,
  cfg: LoadConfig,
): Promise<void> {
  const server = await getRunningLoop().createServer(factory, "127.0.0.1", 0);
  const result = await runLoad((server.sockets[0] as Deno.NetAddr).port, cfg);
  server.close();
  await server.waitClosed();
  emitLoad("deno", cfg, result, prefix, {
    raw: 0.95,
    uvloop: 1,
    rawBench: `proto_echo_${cfg.name}`,
  });
}

for (const cfg of configs()) {
  emitLoad("deno-raw", cfg, await rawLoad(cfg), "proto_echo");
  await run(async () => {
    await measure("proto_echo", () => new Echo(), cfg);
    await measure("bufproto_echo", () => new BufferedEcho(), cfg);
    await measure("bufproto0_echo", () => new ZeroCopyEcho(), cfg);
  });
}
