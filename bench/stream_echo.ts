// Echo servers on our streams (lines: readline/write/drain; bulk:
// read/write/drain), hit by bench/stream_echo_load.ts. Peers:
// stream_echo_raw.ts (raw Deno.Conn, the ceiling) and stream_echo.py
// (asyncio, or uvloop with --uvloop).
// deno run --allow-net=127.0.0.1 --allow-run --allow-read bench/stream_echo.ts
import { run, startServer, type StreamReader, type StreamWriter } from "../mod.ts";
import { configs, emitLoad, runLoad } from "./stream_echo_load.ts";

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

await run(async () => {
  for (const cfg of configs()) {
    const handler = cfg.mode === "lines" ? echoLines : echoBulk;
    const server = await startServer(handler, "127.0.0.1", 0);
    const result = await runLoad((server.sockets[0] as Deno.NetAddr).port, cfg);
    server.close();
    await server.waitClosed();
    emitLoad("deno", cfg, result);
  }
});
