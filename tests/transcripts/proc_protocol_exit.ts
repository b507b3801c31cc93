// A SubprocessProtocol's callbacks for a child that writes to stdout and
// stderr and exits 3, as proc_protocol_exit.py (each fd's log printed
// separately: across two pipes the order is the scheduler's).
import {
  type Future,
  getRunningLoop,
  run,
  SubprocessProtocol,
  type SubprocessTransport,
} from "../../mod.ts";
import { py } from "./loop_fmt.ts";

/** Python's repr of bytes, for the printable ASCII used here. */
const b = (x: Uint8Array) => `b'${new TextDecoder().decode(x).replaceAll("\n", "\\n")}'`;
const list = (xs: unknown[]) => `[${xs.map(py).join(", ")}]`;

class Proto extends SubprocessProtocol {
  log: string[] = [];
  fds: Record<number, string[]> = { 1: [], 2: [] };
  transport: SubprocessTransport | null = null;
  constructor(readonly done: Future<void>) {
    super();
  }
  override connectionMade(transport: SubprocessTransport) {
    this.transport = transport;
    const pipes = [0, 1, 2].map((fd) => transport.getPipeTransport(fd) !== null);
    this.log.push(
      `connection_made pid=${py(Number.isInteger(transport.getPid()))} pipes=${list(pipes)}`,
    );
  }
  override pipeDataReceived(fd: number, data: Uint8Array) {
    this.fds[fd].push(`data ${b(data)}`);
  }
  override pipeConnectionLost(fd: number, exc: unknown) {
    this.fds[fd].push(`lost ${py(exc)}`);
  }
  override processExited() {
    this.log.push(`process_exited returncode=${this.transport!.getReturncode()}`);
  }
  override connectionLost(exc: unknown) {
    const lost = [1, 2].map((fd) => `[${this.fds[fd].slice(-1).map((s) => `'${s}'`).join("")}]`);
    this.log.push(
      `connection_lost ${py(exc)} pipes_lost=[${lost.join(", ")}] ` +
        `is_closing=${py(this.transport!.isClosing())}`,
    );
    this.done.setResult();
  }
}

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const done = loop.createFuture<void>();
    const [transport, proto] = await loop.subprocessExec(
      () => new Proto(done),
      "sh",
      "-c",
      "echo out; echo err >&2; exit 3",
      { stdin: null },
    );
    print(`returned after connection_made: ${py(proto.log[0].startsWith("connection_made"))}`);
    await done;
    for (const line of proto.log) print(line);
    for (const fd of [1, 2]) print(`fd ${fd}: ${proto.fds[fd].join(", ")}`);
    print(`returncode ${transport.getReturncode()} is_closing ${py(transport.isClosing())}`);
    transport.close();
    print(`after close: is_closing ${py(transport.isClosing())}`);
  });
}
