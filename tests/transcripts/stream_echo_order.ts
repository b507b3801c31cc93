// A TCP exchange with half-close: what the server and the client each see,
// in order (each side's log is printed separately: across the two the order
// depends on the network).
import { getRunningLoop, openConnection, run, startServer } from "../../mod.ts";

const dec = (x: Uint8Array) => new TextDecoder().decode(x);
/** Python's repr of bytes, for the printable ASCII used here. */
const b = (x: Uint8Array) => `b'${dec(x).replaceAll("\n", "\\n")}'`;
const py = (x: boolean) => (x ? "True" : "False");

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const serverLog: string[] = [];
    const clientLog: string[] = [];
    const handled = getRunningLoop().createFuture<void>();

    const server = await startServer(
      async (reader, writer) => {
        serverLog.push("connected");
        let data = await reader.readline();
        serverLog.push(`got ${b(data)}`);
        writer.write(dec(data).toUpperCase());
        await writer.drain();
        data = await reader.read();
        serverLog.push(`eof after ${b(data)}, at_eof=${py(reader.atEof())}`);
        writer.write("bye");
        writer.close();
        await writer.waitClosed();
        serverLog.push(`closed, is_closing=${py(writer.isClosing())}`);
        handled.setResult();
      },
      "127.0.0.1",
      0,
    );
    const port = (server.sockets[0] as Deno.NetAddr).port;
    const [reader, writer] = await openConnection("127.0.0.1", port);
    const peer = writer.getExtraInfo("peername") as [string, number];
    clientLog.push(`peer port matches: ${py(peer[1] === port)}`);
    writer.write("hello\n");
    clientLog.push(`got ${b(await reader.readline())}`);
    writer.writelines(["one ", "two"]);
    clientLog.push(`can_write_eof=${py(writer.canWriteEof())}`);
    writer.writeEof();
    clientLog.push(`read ${b(await reader.read())}`);
    clientLog.push(`read again ${b(await reader.read())}`);
    writer.close();
    await writer.waitClosed();
    await handled;
    server.close();
    await server.waitClosed();
    print(["server:", ...serverLog].join("\n  "));
    print(["client:", ...clientLog].join("\n  "));
  });
}
