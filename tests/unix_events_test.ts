// Signal handlers on the loop, and run()'s handling of Ctrl-C (SIGINT),
// which a child process receives for real.
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { withLoop } from "./_util.ts";
import { RuntimeError } from "../mod.ts";

Deno.test("addSignalHandler() runs the callback as a loop handle, with its args", async () => {
  await withLoop(async (loop) => {
    const got: string[] = [];
    loop.addSignalHandler(
      "SIGUSR1",
      (a: string, b: number) => {
        got.push(`${a} ${b} running=${loop.isRunning()}`);
        if (got.length === 2) loop.stop();
        else Deno.kill(Deno.pid, "SIGUSR1");
      },
      "usr1",
      7,
    );
    loop.callSoon(() => Deno.kill(Deno.pid, "SIGUSR1"));
    await loop.runForever();
    assert(loop.removeSignalHandler("SIGUSR1"));
    assertEquals(got, ["usr1 7 running=true", "usr1 7 running=true"]);
  }, { virtual: false });
});

Deno.test("a second addSignalHandler() for a signal replaces the first", async () => {
  await withLoop(async (loop) => {
    const got: string[] = [];
    loop.addSignalHandler("SIGUSR2", () => got.push("first"));
    loop.addSignalHandler("SIGUSR2", () => {
      got.push("second");
      loop.stop();
    });
    loop.callSoon(() => Deno.kill(Deno.pid, "SIGUSR2"));
    await loop.runForever();
    assertEquals(got, ["second"]);
    assert(loop.removeSignalHandler("SIGUSR2"));
    assert(!loop.removeSignalHandler("SIGUSR2"), "nothing left to remove");
  }, { virtual: false });
});

Deno.test("close() removes the loop's signal handlers", async () => {
  // The sanitizers fail this test if the listener outlives the loop.
  await withLoop((loop) => {
    loop.addSignalHandler("SIGUSR1", () => {});
  });
});

Deno.test("addSignalHandler() checks its arguments as asyncio does", async () => {
  await withLoop((loop) => {
    assertThrows(
      () => loop.addSignalHandler("SIGKILL", () => {}),
      RuntimeError,
      "cannot be caught",
    );
    assertThrows(() => loop.addSignalHandler("SIGNOPE" as Deno.Signal, () => {}), TypeError);
    assertThrows(
      () => loop.addSignalHandler("SIGUSR1", async () => {}),
      TypeError,
      "coroutines cannot be used with add_signal_handler()",
    );
    loop.close();
    assertThrows(() => loop.addSignalHandler("SIGUSR1", () => {}), RuntimeError, "closed");
  });
});

/** Run tests/fixtures/signal_run.ts, sending SIGINT after each line in `sendAfter`. */
async function runChild(mode: string, sendAfter: string[]): Promise<[string[], number]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", import.meta.resolve("./fixtures/signal_run.ts"), mode],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines: string[] = [];
  let pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    pending += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      lines.push(line);
      if (sendAfter.includes(line)) child.kill("SIGINT");
    }
  }
  const status = await child.status;
  return [lines, status.code];
}

Deno.test("run(): the first SIGINT cancels main; ended cancelled, run throws KeyboardInterrupt", async () => {
  // As CPython 3.11: asyncio.run(main()) raises KeyboardInterrupt here.
  assertEquals(await runChild("cancel", ["ready"]), [[
    "ready",
    "main: CancelledError",
    "run threw: KeyboardInterrupt",
    "after run",
  ], 0]);
});

Deno.test("run(): main may swallow the cancel and return its result", async () => {
  assertEquals(await runChild("swallow", ["ready"]), [[
    "ready",
    "main: CancelledError",
    "run returned: finished anyway",
    "after run",
  ], 0]);
});

Deno.test("run(): a second SIGINT throws KeyboardInterrupt; the rest is cancelled", async () => {
  assertEquals(await runChild("ignore", ["ready", "ignored"]), [[
    "ready",
    "main: CancelledError",
    "ignored",
    "main again: CancelledError",
    "run threw: KeyboardInterrupt",
    "after run",
  ], 0]);
});

Deno.test("signal names are checked as own names: 'toString' is unknown", () =>
  withLoop((loop) => {
    const bad = "toString" as Deno.Signal;
    assertThrows(() => loop.addSignalHandler(bad, () => {}), TypeError, "Unknown signal");
    assertThrows(() => loop.removeSignalHandler(bad), TypeError, "Unknown signal");
  }));
