// Reliability under a load client nobody here wrote: wrk against our HTTP
// servers of bench/_http_servers.ts (in this process, 127.0.0.1, port 0), at
// 50 and then 1,000 connections, 2 s each. No speed is asserted: only that
// every request got a well-formed 2xx answer and no socket failed.
// Skipped, with a line saying why, where wrk is not installed.
import { assert, assertEquals } from "./_assert.ts";
import { inRealLoop, within } from "./_util.ts";
import { startProtocolServer, startStreamsServer } from "../bench/_http_servers.ts";
import { wrk, type WrkResult } from "../bench/http_wrk.ts";

async function sh(script: string): Promise<{ ok: boolean; text: string }> {
  const out = await new Deno.Command("sh", { args: ["-c", script], stdout: "piped" }).output();
  return { ok: out.success, text: new TextDecoder().decode(out.stdout).trim() };
}

const haveWrk = (await sh("command -v wrk")).ok;
// The servers run in this process, whose descriptor limit we cannot raise.
const nofile = Number((await sh("ulimit -n")).text.replace("unlimited", "Infinity"));

if (!haveWrk) {
  console.error("http_wrk_test: SKIPPED: `wrk` is not on PATH (Debian: apt install wrk)");
}

function clean(what: string, r: WrkResult): void {
  assert(r.requests > 0, `${what}: no request completed`);
  assertEquals(r.errors, { connect: 0, read: 0, write: 0, timeout: 0 }, `${what}: socket errors`);
  assertEquals(r.non2xx, 0, `${what}: non-2xx responses`);
}

/** wrk at 50, then (descriptors permitting) 1,000 connections against `port`. */
async function load(name: string, port: number): Promise<void> {
  clean(`${name}, 50 connections`, await wrk(port, 50, 2));
  if (nofile < 1100) {
    console.error(`http_wrk_test: 1,000 connections SKIPPED: ulimit -n is ${nofile} here`);
    return;
  }
  clean(`${name}, 1,000 connections`, await wrk(port, 1000, 2));
}

Deno.test({
  name: "HTTP on our streams: wrk -c50 and -c1000 get only 2xx, no socket errors",
  ignore: !haveWrk,
  fn: () =>
    inRealLoop(() =>
      within(60, async () => {
        const server = await startStreamsServer();
        try {
          await load("streams", (server.sockets[0] as Deno.NetAddr).port);
        } finally {
          server.close();
          await server.waitClosed();
        }
      })
    ),
});

Deno.test({
  name: "HTTP on our protocols: wrk -c50 and -c1000 get only 2xx, no socket errors",
  ignore: !haveWrk,
  fn: () =>
    inRealLoop(() =>
      within(60, async () => {
        const server = await startProtocolServer();
        try {
          await load("protocol", (server.sockets[0] as Deno.NetAddr).port);
        } finally {
          server.close();
          await server.waitClosed();
        }
      })
    ),
});
