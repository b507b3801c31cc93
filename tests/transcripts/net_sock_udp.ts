// UDP sock_sendto / sock_recvfrom, as net_sock_udp.py. node:dgram binds in
// the background: getsockname() is read once a sock* call has waited for it.
import {
  AF_INET,
  createTask,
  getRunningLoop,
  run,
  sleep,
  SOCK_DGRAM,
  type SockAddr,
  Socket,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";
import { bytes } from "./net_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const a = new Socket(AF_INET, SOCK_DGRAM);
    a.setblocking(false);
    a.bind(["127.0.0.1", 0]);
    const b = new Socket(AF_INET, SOCK_DGRAM);
    b.setblocking(false);
    const recv = createTask(() => loop.sockRecvfrom(a, 4));
    await sleep(0);
    while (true) {
      try {
        a.getsockname();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    const sent = await loop.sockSendto(
      b,
      new TextEncoder().encode("ping"),
      a.getsockname() as SockAddr,
    );
    const [data, address] = await recv;
    const fromB = address![1] === (b.getsockname() as SockAddr)[1];
    print(line("sent", sent, "got", bytes(data), "from b:", fromB, address![0]));
    print(line("sent", await loop.sockSendto(a, new TextEncoder().encode("pong!"), address!)));
    const buf = new Uint8Array(16);
    const [n, from] = await loop.sockRecvfromInto(b, buf, 3);
    const fromA = JSON.stringify(from) === JSON.stringify(a.getsockname());
    print(line("recvfrom_into", n, bytes(buf.subarray(0, n)), "from a:", fromA));
    a.close();
    b.close();
  });
}
