// A child's stdin after the child exited, as proc_stdin_peer_closed.py: the
// pipe is lost (cleanly if nothing was buffered, else to BrokenPipeError);
// drain() then fails with ConnectionResetError("Connection lost"), and
// later writes are dropped.
import {
  ConnectionError,
  ConnectionResetError,
  createSubprocessExec,
  PIPE,
  type Process,
  run,
  sleep,
} from "../../mod.ts";
import { py } from "./loop_fmt.ts";

async function afterExit(label: string, proc: Process, print: (line: string) => void) {
  await proc.wait();
  await sleep(0.05);
  const stdin = proc.stdin!;
  print(`${label}: is_closing=${py(stdin.isClosing())}`);
  try {
    await stdin.drain();
    print(`${label}: drain ok`);
  } catch (exc) {
    if (!(exc instanceof ConnectionResetError)) throw exc;
    print(`${label}: drain ${exc.name}('${exc.message}',)`);
  }
  stdin.write("dropped");
  print(`${label}: buffer after write ${stdin.transport.getWriteBufferSize()}`);
  try {
    await stdin.waitClosed();
    print(`${label}: wait_closed ok`);
  } catch (exc) {
    if (!(exc instanceof ConnectionError)) throw exc;
    print(`${label}: wait_closed ${exc.name}`);
  }
}

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    let proc = await createSubprocessExec("true", { stdin: PIPE });
    await afterExit("nothing buffered", proc, print);

    proc = await createSubprocessExec("sh", "-c", "sleep 0.1", { stdin: PIPE });
    proc.stdin!.write(new Uint8Array(300_000).fill(120)); // more than the pipe holds
    await afterExit("data buffered", proc, print);

    proc = await createSubprocessExec("cat", { stdin: PIPE, stdout: PIPE });
    proc.stdin!.write("abc");
    proc.stdin!.close();
    const out = new TextDecoder().decode(await proc.stdout!.read());
    print(`closed by us: b'${out}' ${await proc.wait()} ${py(proc.stdin!.isClosing())}`);
  });
}
