// Every example runs as a user would run it (`deno run examples/x.ts`), and
// prints what the seed shows: exactly on the virtual clock, within a
// tolerance on the real one. The process, stream and stdin examples have
// their own end-to-end tests (process_examples_test.ts,
// simple_connections_test.ts, selector_stdin_test.ts).
import { assert, assertEquals } from "./_assert.ts";
import { ASYNC_PRINTERS as ASYNC, BLOCKING_PRINTERS as BLOCKING } from "./_seed.ts";

const root = new URL("../", import.meta.url);

async function runExample(
  name: string,
  args: string[] = [],
): Promise<{ lines: string[]; stderr: string; code: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", `examples/${name}.ts`, ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  return {
    lines: text.split("\n").filter((l) => l !== ""),
    stderr: new TextDecoder().decode(out.stderr),
    code: out.code,
  };
}

/** Lines of the form `<text> at T`: the texts, and the times. */
function split(lines: readonly string[]): [string[], number[]] {
  return [
    lines.map((l) => l.replace(/ at [\d.]+$/, "")),
    lines.map((l) => Number(l.match(/ at ([\d.]+)$/)?.[1])),
  ];
}

function assertTimesClose(actual: number[], expected: number[], tolerance: number): void {
  for (let i = 0; i < expected.length; i++) {
    assert(
      Math.abs(actual[i] - expected[i]) <= tolerance,
      `time ${i}: ${actual[i]} not within ${tolerance} of ${expected[i]}`,
    );
  }
}

Deno.test("examples/printers_blocking.ts prints the seed's transcript exactly on the virtual clock", async () => {
  const { lines, code } = await runExample("printers_blocking", ["--virtual"]);
  assertEquals(code, 0);
  assertEquals(lines, BLOCKING);
});

Deno.test("examples/printers_blocking.ts keeps the seed's order and times on the real clock", async () => {
  const { lines, code } = await runExample("printers_blocking");
  assertEquals(code, 0);
  const [texts, times] = split(lines);
  assertEquals(texts, split(BLOCKING)[0]);
  assertTimesClose(times, split(BLOCKING)[1], 0.15);
});

Deno.test("examples/printers_async.ts prints the seed's transcript exactly on the virtual clock", async () => {
  const { lines, code } = await runExample("printers_async", ["--virtual"]);
  assertEquals(code, 0);
  assertEquals(lines, ASYNC);
});

Deno.test("examples/printers_async.ts keeps the seed's order and times on the real clock", async () => {
  const { lines, code } = await runExample("printers_async");
  assertEquals(code, 0);
  const [texts, times] = split(lines);
  assertEquals(texts, split(ASYNC)[0]);
  assertTimesClose(times, split(ASYNC)[1], 0.15);
});

Deno.test("examples/sleepers.ts finishes the sleepers in order 1, 2, 3 after 3 s", async () => {
  const { lines, code, stderr } = await runExample("sleepers", ["--virtual"]);
  assertEquals(code, 0, stderr);
  assertEquals(lines, [
    "Finished sleeper with delay: 1",
    "Finished sleeper with delay: 2",
    "Finished sleeper with delay: 3",
    "Total: 3.0 s",
  ]);
});

Deno.test("examples/run_forever.ts runs the sleeper task and stops after 2 s", async () => {
  const { lines, code, stderr } = await runExample("run_forever", ["--virtual"]);
  assertEquals(code, 0, stderr);
  assertEquals(lines, ["Finished sleeper with delay: 1", "Stopped at 2.0 s"]);
});

Deno.test("examples/stack_printer.ts prints a stack for each task", async () => {
  const { lines, code, stderr } = await runExample("stack_printer");
  assertEquals(code, 0, stderr);
  const headers = lines.filter((l) => l.startsWith("Stack for"));
  assertEquals(headers.length, 2);
  assert(headers.some((h) => h.includes("name='sleeper'") && h.includes("wait_for=")));
  assert(lines.some((l) => l.includes("at async sleeper")), lines.join("\n"));
  assert(lines.some((l) => l.includes("at stackPrinter")), lines.join("\n"));
});
