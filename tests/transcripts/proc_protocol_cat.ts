// `cat` through a SubprocessProtocol, as proc_protocol_cat.py: write to the
// stdin pipe transport in connectionMade, then writeEof; the echo comes
// back on fd 1, then the exit and connectionLost.
import {
  type Future,
  getRunningLoop,
  run,
  SubprocessProtocol,
  type SubprocessTransport,
  type WriteTransport,
} from "../../mod.ts";
import { py } from "./loop_fmt.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const b = (x: string) => `b'${x.replaceAll("\n", "\\n")}'`;

class Proto extends SubprocessProtocol {
  log: string[] = [];
  fds: Record<number, string[]> = { 0: [], 1: [] };
  echoed = "";
  transport: SubprocessTransport | null = null;
  constructor(readonly done: Future<void>) {
    super();
  }
  override connectionMade(transport: SubprocessTransport) {
    this.transport = transport;
    const stdin = transport.getPipeTransport(0) as WriteTransport;
    this.log.push(`connection_made can_write_eof=${py(stdin.canWriteEof())}`);
    stdin.write(enc("hello\n"));
    stdin.writelines([enc("wor"), enc("ld\n")]);
    stdin.writeEof();
    this.log.push(`after write_eof: stdin is_closing=${py(stdin.isClosing())}`);
  }
  override pipeDataReceived(_fd: number, data: Uint8Array) {
    this.echoed += new TextDecoder().decode(data);
  }
  override pipeConnectionLost(fd: number, exc: unknown) {
    this.fds[fd].push(`lost ${py(exc)}` + (fd ? ` after ${b(this.echoed)}` : ""));
  }
  override processExited() {
    this.log.push(`process_exited ${this.transport!.getReturncode()}`);
  }
  override connectionLost(exc: unknown) {
    const counts = Object.values(this.fds).map((v) => v.length);
    this.log.push(`connection_lost ${py(exc)}, pipes lost: [${counts.join(", ")}]`);
    this.done.setResult();
  }
}

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const done = loop.createFuture<void>();
    const [transport, proto] = await loop.subprocessExec(() => new Proto(done), "cat", {
      stderr: null,
    });
    print(`stderr pipe: ${py(transport.getPipeTransport(2))}`);
    await done;
    print(proto.log.join("\n"));
    print(`fd 0: ${proto.fds[0].join(", ")}`);
    print(`fd 1: ${proto.fds[1].join(", ")}`);
    transport.close();
  });
}
