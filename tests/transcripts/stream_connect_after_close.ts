// A connect right after server.close() is refused (CPython closes the
// listening socket in close()), with the clients already connected kept.
import { ConnectionRefusedError, Event, openConnection, run, startServer } from "../../mod.ts";

const dec = (x: Uint8Array) => new TextDecoder().decode(x);

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const accepted = new Event();
    const server = await startServer(
      async (reader, writer) => {
        accepted.set();
        writer.write(await reader.readline());
        await writer.drain();
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const port = (server.sockets[0] as Deno.NetAddr).port;
    const [reader, writer] = await openConnection("127.0.0.1", port);
    // The server accepts in its own time; close() drops a connection it has
    // not accepted yet.
    await accepted.wait();
    server.close();
    print(`serving: ${server.isServing() ? "True" : "False"}`);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const [, w] = await openConnection("127.0.0.1", port);
        print(`${attempt} connected`);
        w.close();
      } catch (e) {
        if (!(e instanceof ConnectionRefusedError)) throw e;
        print(`${attempt} ${e.name} ${e.errno} ${e.message.replaceAll(String(port), "PORT")}`);
      }
    }
    writer.write("still here\n");
    print(`old client got b'${dec(await reader.readline()).replace("\n", "\\n")}'`);
    writer.close();
    await writer.waitClosed();
    await server.waitClosed();
    print("closed");
  });
}
