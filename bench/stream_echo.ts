// Echo servers on our streams (lines: readline/write/drain; bulk:
// read/write/drain), hit by bench/stream_echo_load.ts, each load right after
// the raw Deno.Conn echo (stream_echo_raw.ts, the ceiling: the
// "(deno-raw)" rows, which bench/proto_echo.ts is compared with too). Peer:
// stream_echo.py (asyncio, or uvloop with --uvloop).
// deno run --allow-net=127.0.0.1 --allow-run --allow-read bench/stream_echo.ts
import { run, startServer, type StreamReader, type StreamWriter } from "../mod.ts";
import { configs, emitLoad, runLoad } from "./stream_echo_load.ts";
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

for (const cfg of configs()) {
  // Back to back with ours, so that a noisy neighbour shakes both alike.
  emitLoad("deno-raw", cfg, await rawLoad(cfg));
  await run(async () => {
    const handler = cfg.mode === "lines" ? echoLines : echoBulk;
    const server = await startServer(handler, "127.0.0.1", 0);
    const result = await runLoad((server.sockets[0] as Deno.NetAddr).port, cfg);
    server.close();
    await server.waitClosed();
    emitLoad("deno", cfg, result, "stream_echo", { raw: 0.9, uvloop: 1 });
  });
}
