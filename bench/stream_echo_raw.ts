// The ceiling for bench/stream_echo.ts: an echo server on raw Deno.Conn
// (read into one buffer, write it back), hit by the same load client.
// deno run --allow-net=127.0.0.1 --allow-run --allow-read bench/stream_echo_raw.ts
import { configs, emitLoad, runLoad } from "./stream_echo_load.ts";

async function echo(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      let off = 0;
      while (off < n) off += await conn.write(buf.subarray(off, n));
    }
  } finally {
    conn.close();
  }
}

for (const cfg of configs()) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    try {
      for await (const conn of listener) void echo(conn).catch(() => {});
    } catch { /* closed */ }
  })();
  const result = await runLoad(listener.addr.port, cfg);
  listener.close();
  await serving;
  emitLoad("deno-raw", cfg, result);
}
