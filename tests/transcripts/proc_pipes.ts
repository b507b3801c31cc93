// Subprocess pipes at their edges, as proc_pipes.py. Real clock: children
// run in real time.
import {
  CancelledError,
  ConnectionError,
  createSubprocessExec,
  createSubprocessShell,
  createTask,
  DEVNULL,
  FileNotFoundError,
  PIPE,
  type Process,
  run,
  sleep,
  STDOUT,
  type SubprocessOptions,
} from "../../mod.ts";
import { py } from "./loop_fmt.ts";

/** Python's `repr()` of bytes (printable ASCII, `\n` escaped). */
function bytesRepr(data: Uint8Array | null): string {
  if (data === null) return "None";
  return `b'${new TextDecoder().decode(data).replaceAll("\n", "\\n")}'`;
}

async function writeUntilError(proc: Process, chunks: number): Promise<string> {
  try {
    for (let i = 0; i < chunks; i++) {
      proc.stdin!.write(new Uint8Array(65536).fill(120));
      await proc.stdin!.drain();
    }
    return "no error";
  } catch (err) {
    if (err instanceof ConnectionError) return "ConnectionError";
    throw err;
  } finally {
    proc.stdin!.close();
  }
}

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    let proc = await createSubprocessExec("sh", "-c", "exec 0<&-; sleep 0.2", { stdin: PIPE });
    await sleep(0.05);
    print(`child closed its stdin: ${await writeUntilError(proc, 100)} ${await proc.wait()}`);

    proc = await createSubprocessExec("head", "-c", "1000", { stdin: PIPE, stdout: DEVNULL });
    print(`child exited while we wrote: ${await writeUntilError(proc, 1000)} ${await proc.wait()}`);

    proc = await createSubprocessExec("head", "-c", "1000", { stdin: PIPE, stdout: PIPE });
    const [out, err] = await proc.communicate(new Uint8Array(10_000_000).fill(121));
    print(`communicate ignores the broken pipe: ${out!.length} ${py(err)} ${proc.returncode}`);

    proc = await createSubprocessExec("sh", "-c", "exec >&-; sleep 0.1; exit 3", { stdout: PIPE });
    const early = await proc.stdout!.read();
    print(
      `child closed its stdout: ${bytesRepr(early)} ${py(proc.returncode)} ${await proc.wait()}`,
    );

    try {
      await createSubprocessExec("no-such-program-here");
    } catch (err) {
      if (err instanceof FileNotFoundError) print("missing program: not found");
    }

    proc = await createSubprocessExec("sleep", "10");
    proc.kill();
    print(`kill: ${await proc.wait()}`);
    proc = await createSubprocessExec("sleep", "10");
    proc.terminate();
    print(`terminate: ${await proc.wait()}`);
    proc = await createSubprocessExec("sleep", "10");
    proc.sendSignal(2);
    print(`SIGINT: ${await proc.wait()}`);

    const script = "echo a; echo b >&2; echo c";
    const makers = [
      (o: SubprocessOptions) => createSubprocessShell(script, o),
      (o: SubprocessOptions) => createSubprocessExec("sh", "-c", script, o),
    ];
    for (const make of makers) {
      proc = await make({ stdout: PIPE, stderr: STDOUT });
      const [o, e] = await proc.communicate();
      print(`merged: (${bytesRepr(o)}, ${bytesRepr(e)})`);
    }
    proc = await createSubprocessShell(script, { stdout: PIPE, stderr: PIPE });
    const [o, e] = await proc.communicate();
    print(`separate: (${bytesRepr(o)}, ${bytesRepr(e)})`);

    proc = await createSubprocessExec("sleep", "10");
    const running = proc;
    const waiter = createTask(() => running.wait());
    await sleep(0.05);
    waiter.cancel();
    try {
      await waiter;
    } catch (err) {
      if (!(err instanceof CancelledError)) throw err;
      print(`wait cancelled, process still running: ${py(proc.returncode)}`);
    }
    proc.kill();
    print(`then killed: ${await proc.wait()}`);
  });
}
