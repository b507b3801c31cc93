// sock_sendfile, as net_sock_sendfile.py (ours always takes asyncio's
// read-and-send fallback: Deno has no sendfile).
import { getRunningLoop, run, Socket } from "../../mod.ts";
import { bytes } from "./net_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(path, "0123456789".repeat(1000));
    await run(async () => {
      const loop = getRunningLoop();
      const server = new Socket();
      server.bind(["127.0.0.1", 0]);
      server.listen();
      const client = new Socket();
      await loop.sockConnect(client, server.getsockname());
      const [conn] = await loop.sockAccept(server);
      using file = await Deno.open(path);
      const recvAll = async (n: number) => {
        const chunks: Uint8Array[] = [];
        let size = 0;
        while (size < n) {
          const chunk = await loop.sockRecv(conn, 100);
          chunks.push(chunk);
          size += chunk.length;
        }
        const all = new Uint8Array(size);
        let off = 0;
        for (const c of chunks) all.set(c, (off += c.length) - c.length);
        return all;
      };
      print(`sent ${await loop.sockSendfile(client, file, 5, 20)}`);
      print(`file at ${await file.seek(0, Deno.SeekMode.Current)}`);
      print(`got ${bytes(await recvAll(20))}`);
      print(`to the end ${await loop.sockSendfile(client, file, 9990)}`);
      const got = await recvAll(10);
      print(`got ${bytes(got)} file at ${await file.seek(0, Deno.SeekMode.Current)}`);
      for (const s of [conn, client, server]) s.close();
    });
  } finally {
    await Deno.remove(path);
  }
}
