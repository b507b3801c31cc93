// The seed's last process program: a Python script is fed to a `python3`
// interpreter through its stdin (`write`, `drain`, `writeEof`), and the
// interpreter's output is read line by line with `for await` over its
// stdout while it runs.
//
//   deno run --allow-run=/bin/sh examples/process_interpreter.ts
//
// (The shell starts `python3` itself, so Deno is asked only for /bin/sh.)
import { createSubprocessShell, getEventLoop, PIPE } from "../mod.ts";

async function runScript(): Promise<void> {
  const process = await createSubprocessShell("python3", { stdout: PIPE, stdin: PIPE });

  // Write a simple Python script to the interpreter.
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

  // Make sure stdin is flushed asynchronously.
  await process.stdin!.drain();

  // Send end of file, so that the interpreter starts: without it, it would
  // wait for more input forever.
  process.stdin!.writeEof();

  // Read the output lines as they come, and strip their newline.
  const decoder = new TextDecoder();
  for await (const out of process.stdout!) {
    console.log(decoder.decode(out).trimEnd());
  }

  // Wait for the process to exit.
  await process.wait();
}

const loop = getEventLoop();
await loop.runUntilComplete(runScript);
loop.close();
