/**
 * The lecture's Process and Servers programs, for `demo subprocess`, `demo
 * server` and the `js` scope (`lecture.runScript`, …): the Python ported
 * line by line as examples/process_interpreter.ts and
 * examples/simple_connections.ts port it, printing through the REPL in its
 * time base (loop time since reset). Each is a plain function, so that it
 * can be passed as it is (`loop.createTask(lecture.runScript)`).
 * @module
 */
import {
  createSubprocessShell,
  getRunningLoop,
  openConnection,
  PIPE,
  type Server,
  sleep,
  startServer as asyncioStartServer,
  type StreamReader,
  type StreamWriter,
} from "../mod.ts";

const HOST = "127.0.0.1";
const decoder = new TextDecoder();

/** The lecture's coroutines, bound to one session's output. */
export interface Lecture {
  /** `run_script()`: a python3 fed a script through its stdin; its output read line by line. */
  runScript(): Promise<void>;
  /** `handle_connection(reader, writer)`: send the start time, then N lines. */
  handleConnection(reader: StreamReader, writer: StreamWriter): Promise<void>;
  /** `asyncio.start_server(handle_connection, HOST, port 0)`; remembers the server for `client`. */
  startServer(): Promise<Server>;
  /** The lecture's `create_connection(N)` as a coroutine function named `client(N)`, for `loop.createTask`. */
  client(repetitions: number): () => Promise<void>;
  /** `running_server.close()` and `await running_server.wait_closed()`. */
  closeServer(): Promise<void>;
  /** Close what is still open (a server), when the session resets or ends. */
  dispose(): void;
}

/** The lecture's programs, printing with `print` at the running loop's time. */
export function makeLecture(print: (line: string) => void): Lecture {
  let server: Server | null = null;
  // The lecture's printer(start_time, *args): seconds since the start, one decimal.
  const printer = (startTime: number, ...args: string[]) =>
    print([(getRunningLoop().time() - startTime).toFixed(1), ...args].join(" "));
  const peer = (writer: StreamWriter) => {
    const [host, port] = writer.getExtraInfo("peername") as [string, number];
    return `('${host}', ${port})`;
  };

  async function runScript(): Promise<void> {
    const process = await createSubprocessShell("python3", { stdout: PIPE, stdin: PIPE });
    process.stdin!.write([
      "import math",
      "x = 2 ** 8",
      "y = math.sqrt(x)",
      "z = math.sqrt(y)",
      'print("x: %d" % x)',
      'print("y: %d" % y)',
      'print("z: %d" % z)',
      "for i in range(int(z)):",
      ' print("i: %d" % i)',
    ].join("\n"));
    await process.stdin!.drain();
    // Without the end of file, the interpreter would wait for more input forever.
    process.stdin!.writeEof();
    for await (const out of process.stdout!) print(decoder.decode(out).trimEnd());
    await process.wait();
  }

  async function handleConnection(reader: StreamReader, writer: StreamWriter): Promise<void> {
    const clientAddress = peer(writer);
    printer(0, "Client connected", clientAddress);
    // The start time of the time base (0.00): the client's times count from it too.
    writer.write("0.00\n");
    await writer.drain();
    const repetitions = parseInt(decoder.decode(await reader.readline()));
    printer(0, "Started sending to", clientAddress);
    for (let i = 0; i < repetitions; i++) {
      const message = `client: ${clientAddress}, ${i}\n`;
      printer(0, message.trimEnd());
      writer.write(message);
      await writer.drain();
    }
    printer(0, "Finished sending to", clientAddress);
    writer.close();
  }

  async function startServer(): Promise<Server> {
    server = await asyncioStartServer(handleConnection, HOST, 0);
    print(`Serving on ${HOST}:${(server.sockets[0] as Deno.NetAddr).port}`);
    return server;
  }

  function client(repetitions: number): () => Promise<void> {
    const createConnection = async () => {
      if (server === null) throw new Error("no server: run lecture.startServer first");
      const port = (server.sockets[0] as Deno.NetAddr).port;
      const [reader, writer] = await openConnection(HOST, port);
      const startTime = parseFloat(decoder.decode(await reader.readline()));
      writer.write(`${repetitions}\n`);
      await writer.drain();
      for await (const line of reader) {
        // Sleeping a little to emulate processing time.
        await sleep(1);
        printer(startTime, "Got line: ", decoder.decode(line).trimEnd());
      }
      // The lecture closed it inside the loop (its indentation); after it, as the example does.
      writer.close();
      await writer.waitClosed();
    };
    Object.defineProperty(createConnection, "name", {
      value: `client(${repetitions})`,
    });
    return createConnection;
  }

  async function closeServer(): Promise<void> {
    const running = server;
    if (running === null) return;
    server = null;
    running.close();
    await running.waitClosed();
  }

  return {
    runScript,
    handleConnection,
    startServer,
    client,
    closeServer,
    dispose() {
      server?.close();
      server = null;
    },
  };
}
