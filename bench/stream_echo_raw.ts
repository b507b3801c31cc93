// The ceiling for the echo benches: an echo server on raw Deno.Conn (read
// into one buffer, write it back), hit by the same load client.
// bench/stream_echo.ts runs it beside ours, load by load, as the
// "deno-raw" rows; run alone, it prints those rows only:
// deno run --allow-net=127.0.0.1 --allow-run --allow-read bench/stream_echo_raw.ts
import {
  configs,
  emitLoad,
  type LoadConfig,
  type LoadResult,
  runLoad,
} from "./stream_echo_load.ts";

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

/** Serve one load with the raw echo server (no event loop of ours involved). */
export async function rawLoad(cfg: LoadConfig): Promise<LoadResult & { serverCpu: number }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    try {
      for await (const conn of listener) void echo(conn).catch(() => {});
    } catch { /* closed */ }
  })();
  try {
    return await runLoad(listener.addr.port, cfg);
  } finally {
    listener.close();
    await serving;
  }
}

if (import.meta.main) {
  for (const cfg of configs()) emitLoad("deno-raw", cfg, await rawLoad(cfg));
}
