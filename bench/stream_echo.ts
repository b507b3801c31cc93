// Echo servers on our streams (lines: readline/write/drain; bulk:
// read/write/drain), hit by bench/stream_echo_load.ts, each load right after
// the raw Deno.Conn echo (stream_echo_raw.ts, the ceiling: the
// "(deno-raw)" rows, which bench/proto_echo.ts is compared with too). Peer:
// stream_echo.py (asyncio, or uvloop with --uvloop). Bulk loads also run
// `readinto` into one buffer (`stream_readinto_echo_*`, no peer: asyncio's
// StreamReader has no readinto).
// deno run --allow-net=127.0.0.1 --allow-run --allow-read bench/stream_echo.ts
import { run, startServer, type StreamReader, type StreamWriter } from "../mod.ts";
import {
  configs,
  emitLoad,
  type LoadConfig,
  type LoadResult,
  runLoad,
} from "./stream_echo_load.ts";
import { rawLoad } from "./stream_echo_raw.ts";

async function echoLines(reader: StreamReader, writer: StreamWriter): Promise<void> {
  for (;;) {
    const line = await reader.readline();
    if (line.length === 0) break;
    writer.write(line);
    await writer.drain();
  }
  writer.close();
}

async function echoBulk(reader: StreamReader, writer: StreamWriter): Promise<void> {
  for (;;) {
    const data = await reader.read(65536);
    if (data.length === 0) break;
    writer.write(data);
    await writer.drain();
  }
  writer.close();
}

/**
 * Bulk into one buffer (`readinto`): no memory handed out per read; each
 * write is sent before the next read into the buffer.
 */
async function echoBulkInto(reader: StreamReader, writer: StreamWriter): Promise<void> {
  writer.transport.setWriteBufferLimits(0);
  const buf = new Uint8Array(65536);
  for (let n; (n = await reader.readinto(buf)) > 0;) {
    writer.write(buf.subarray(0, n));
    await writer.drain();
  }
  writer.close();
}

async function serve(
  handler: (reader: StreamReader, writer: StreamWriter) => Promise<void>,
  cfg: LoadConfig,
): Promise<LoadResult & { serverCpu: number }> {
  const server = await startServer(handler, "127.0.0.1", 0);
  try {
    return await runLoad((server.sockets[0] as Deno.NetAddr).port, cfg);
  } finally {
    server.close();
    await server.waitClosed();
  }
}

for (const cfg of configs()) {
  // Back to back with ours, so that a noisy neighbour shakes both alike.
  emitLoad("deno-raw", cfg, await rawLoad(cfg));
  await run(async () => {
    const handler = cfg.mode === "lines" ? echoLines : echoBulk;
    emitLoad("deno", cfg, await serve(handler, cfg), "stream_echo", { raw: 0.9, uvloop: 1 });
    if (cfg.mode === "bulk") {
      // No peer has readinto(): held to the raw row of the same load.
      emitLoad("deno", cfg, await serve(echoBulkInto, cfg), "stream_readinto_echo", {
        raw: 0.9,
        rawBench: `stream_echo_${cfg.name}`,
      });
    }
  });
}
