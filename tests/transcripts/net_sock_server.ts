// createServer({ sock }) and createConnection({ sock }), and the transport's
// socket, as net_sock_server.py.
import {
  getRunningLoop,
  IPPROTO_TCP,
  Protocol,
  run,
  Socket,
  TCP_NODELAY,
  type TransportSocket,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";
import { bytes } from "./net_fmt.ts";

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const got = loop.createFuture<Uint8Array>();
    class Echo extends Protocol {
      override dataReceived(data: Uint8Array): void {
        got.setResult(data);
      }
    }
    const listening = new Socket();
    listening.bind(["127.0.0.1", 0]);
    const address = listening.getsockname();
    const server = await loop.createServer(() => new Echo(), null, null, { sock: listening });
    const { hostname, port } = server.sockets[0] as Deno.NetAddr;
    print(line("server port is the socket's:", same([hostname, port], address)));
    const sock = new Socket();
    sock.setblocking(false);
    await loop.sockConnect(sock, address);
    const [transport] = await loop.createConnection(() => new Protocol(), null, null, { sock });
    transport.write(new TextEncoder().encode("via sock"));
    print(`server got ${bytes(await got)}`);
    const ts = transport.getExtraInfo("socket") as TransportSocket;
    print(line("family, type:", ts.family, ts.type));
    print(line("peer:", same(ts.getpeername(), address)));
    print(line("sockname:", same(ts.getsockname(), transport.getExtraInfo("sockname"))));
    print(line("nodelay:", ts.getsockopt(IPPROTO_TCP, TCP_NODELAY)));
    transport.close();
    server.close();
    await server.waitClosed();
  });
}
