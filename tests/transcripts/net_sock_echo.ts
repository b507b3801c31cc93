// The loop's sock* calls over a connected pair, as net_sock_echo.py.
import {
  AF_INET,
  getRunningLoop,
  IPPROTO_TCP,
  OSError,
  run,
  SHUT_WR,
  SOCK_STREAM,
  Socket,
  TCP_NODELAY,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";
import { bytes } from "./net_fmt.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const server = new Socket(AF_INET, SOCK_STREAM);
    server.bind(["127.0.0.1", 0]);
    server.listen();
    server.setblocking(false);
    const client = new Socket(AF_INET, SOCK_STREAM);
    client.setblocking(false);
    await loop.sockConnect(client, server.getsockname());
    const [conn, address] = await loop.sockAccept(server);
    print(line("accepted from the client:", same(address, client.getsockname())));
    print(line("peer is the server:", same(client.getpeername(), server.getsockname())));
    print(line("family, type:", conn.family, conn.type));
    await loop.sockSendall(client, enc("hello world"));
    print(`recv(5): ${bytes(await loop.sockRecv(conn, 5))}`);
    const buf = new Uint8Array(64);
    const n = await loop.sockRecvInto(conn, buf);
    print(`recv_into: ${n} ${bytes(buf.subarray(0, n))}`);
    for (let i = 0; i < 3; i++) await loop.sockSendall(conn, enc(`line ${i}\n`));
    let got = "";
    while (got.split("\n").length - 1 < 3) {
      got += new TextDecoder().decode(await loop.sockRecv(client, 100));
    }
    print(`client got: ${bytes(enc(got))}`);
    client.shutdown(SHUT_WR);
    print(`EOF: ${bytes(await loop.sockRecv(conn, 100))} ${await loop.sockRecvInto(conn, buf)}`);
    print(`nodelay: ${client.getsockopt(IPPROTO_TCP, TCP_NODELAY)}`);
    client.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    print(`nodelay: ${client.getsockopt(IPPROTO_TCP, TCP_NODELAY)}`);
    conn.close();
    print(`closed fileno: ${conn.fileno()}`);
    try {
      await loop.sockRecv(conn, 10);
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      print(line("recv on closed:", e.name, e.errno, e.message));
    }
    client.close();
    server.close();
  });
}
