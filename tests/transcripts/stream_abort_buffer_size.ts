// abort() drops everything buffered: the write buffer's size is 0 at once,
// and the peer sees the connection end.
import { getRunningLoop, openConnection, run, startServer } from "../../mod.ts";

const py = (x: boolean) => (x ? "True" : "False");

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const got = getRunningLoop().createFuture<boolean>();
    const server = await startServer(
      async (reader, writer) => {
        const data = await reader.read();
        got.setResult(data.length < 64 * 2 ** 20);
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const port = (server.sockets[0] as Deno.NetAddr).port;
    const [, writer] = await openConnection("127.0.0.1", port);
    writer.write(new Uint8Array(64 * 2 ** 20).fill(120));
    print(`buffered: ${py(writer.transport.getWriteBufferSize() > 0)}`);
    writer.transport.abort();
    print(`after abort: ${writer.transport.getWriteBufferSize()}`);
    print(`closing: ${py(writer.isClosing())}`);
    print(`peer got less than all: ${py(await got)}`);
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });
}
