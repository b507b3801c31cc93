// The next address after a failure, and servers on every address, as
// net_happy_eyeballs.py.
import { getRunningLoop, Protocol, run } from "../../mod.ts";
import { tup } from "./net_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    let server = await loop.createServer(() => new Protocol(), "127.0.0.1", 0);
    let port = (server.sockets[0] as Deno.NetAddr).port;
    for (
      const [label, options] of [
        ["in turn", {}],
        ["happy eyeballs", { happyEyeballsDelay: 0.25 }],
        ["interleave 2", { happyEyeballsDelay: 0.25, interleave: 2 }],
      ] as const
    ) {
      const [transport] = await loop.createConnection(() => new Protocol(), null, port, options);
      print(`${label} ${tup(transport.getExtraInfo("peername")).replace(String(port), "PORT")}`);
      transport.close();
    }
    server.close();
    await server.waitClosed();

    server = await loop.createServer(() => new Protocol(), "::", 0);
    port = (server.sockets[0] as Deno.NetAddr).port;
    const [transport] = await loop.createConnection(() => new Protocol(), null, port, {
      happyEyeballsDelay: 0.25,
    });
    print(`dual stack ${tup(transport.getExtraInfo("peername")).replace(String(port), "PORT")}`);
    transport.close();
    server.close();
    await server.waitClosed();

    server = await loop.createServer(() => new Protocol(), "localhost", 0);
    print(`localhost: ['${server.sockets.map((a) => (a as Deno.NetAddr).hostname).join("', '")}']`);
    server.close();
    server = await loop.createServer(() => new Protocol(), ["127.0.0.1", "::1"], 0);
    const addrs = server.sockets.map((a) => a as Deno.NetAddr);
    const hosts = addrs.map((a) => `'${a.hostname}'`).sort();
    print(`list: [${hosts.join(", ")}] ${new Set(addrs.map((a) => a.port)).size} ports`);
    server.close();
    await server.waitClosed();
  });
}
