// examples/selector_stdin.ts end to end: lines piped into it come back one
// by one in Python's repr, and EOF ends it cleanly.
import { assertEquals } from "./_assert.ts";

const EXAMPLE = new URL("../examples/selector_stdin.ts", import.meta.url).pathname;
const encoder = new TextEncoder();

async function feed(chunks: string[], pauseMs = 0): Promise<[string[], number, string]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-check", EXAMPLE],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  const writer = child.stdin.getWriter();
  for (const chunk of chunks) {
    await writer.write(encoder.encode(chunk));
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  await writer.close();
  const { code, stdout, stderr } = await output;
  const lines = new TextDecoder().decode(stdout).split("\n").slice(0, -1);
  return [lines, code, new TextDecoder().decode(stderr)];
}

Deno.test("selector_stdin prints every piped line in Python's repr, then ends at EOF", async () => {
  // The expected lines are what the seed's Python program prints for this input.
  assertEquals(await feed(['hello\nit\'s\n\ttab "q" é\x01\nno newline']), [
    [
      "Got input from stdin: 'hello\\n'",
      `Got input from stdin: "it's\\n"`,
      "Got input from stdin: '\\ttab \"q\" é\\x01\\n'",
      "Got input from stdin: 'no newline'",
    ],
    0,
    "",
  ]);
});

Deno.test("selector_stdin reads lines that arrive slowly and split across writes", async () => {
  assertEquals(await feed(["one\n", "tw", "o\nthr", "ee\n"], 30), [
    [
      "Got input from stdin: 'one\\n'",
      "Got input from stdin: 'two\\n'",
      "Got input from stdin: 'three\\n'",
    ],
    0,
    "",
  ]);
});

Deno.test("selector_stdin loses no line of a large burst", async () => {
  const n = 3000;
  const input = Array.from({ length: n }, (_, i) => `line ${i}\n`).join("");
  const [lines, code] = await feed([input]);
  assertEquals(code, 0);
  assertEquals(lines.length, n);
  assertEquals(lines[n - 1], `Got input from stdin: 'line ${n - 1}\\n'`);
});

Deno.test("selector_stdin ends cleanly on empty input", async () => {
  assertEquals(await feed([]), [[], 0, ""]);
});
