// sock_connect and a cancelled sock_recv, as net_sock_connect.py.
import {
  CancelledError,
  createTask,
  getRunningLoop,
  OSError,
  run,
  sleep,
  Socket,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";
import { bytes, tup } from "./net_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    let port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const sock = new Socket();
    sock.setblocking(false);
    try {
      await loop.sockConnect(sock, ["127.0.0.1", port]);
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      print(line(e.name, e.errno, e.message.replace(String(port), "PORT")));
    }
    sock.close();

    const server = new Socket();
    server.bind(["127.0.0.1", 0]);
    server.listen();
    server.setblocking(false);
    port = (server.getsockname() as [string, number])[1];
    const client = new Socket();
    client.setblocking(false);
    await loop.sockConnect(client, ["localhost", port]);
    print(`connected to ${tup(client.getpeername()).replace(String(port), "PORT")}`);
    const [conn] = await loop.sockAccept(server);
    const task = createTask(() => loop.sockRecv(conn, 100));
    await sleep(0);
    task.cancel();
    try {
      await task;
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e;
      print("recv cancelled");
    }
    await loop.sockSendall(client, new TextEncoder().encode("kept"));
    print(`next recv: ${bytes(await loop.sockRecv(conn, 100))}`);
    for (const s of [conn, client, server]) s.close();
  });
}
