// The seed's process programs (examples/process_*.ts) run as a user runs
// them: with exactly the `deno run` command written at the top of each file
// (so that its least permissions are proven enough), checking the output
// and, within what a noisy two-core machine holds, the times.
import { assert, assertEquals } from "./_assert.ts";

const root = new URL("../", import.meta.url);

/** The flags of the `deno run … examples/NAME.ts` line in the example's header. */
function documentedFlags(name: string): string[] {
  const text = Deno.readTextFileSync(new URL(`examples/${name}.ts`, root));
  const match = text.match(new RegExp(`^//\\s+deno run (.*?)\\s*examples/${name}\\.ts$`, "m"));
  assert(match !== null, `examples/${name}.ts documents no deno run command`);
  return match[1].split(/\s+/).filter((flag) => flag !== "");
}

async function runExample(name: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...documentedFlags(name), `examples/${name}.ts`],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, `examples/${name}.ts failed:\n${stderr}`);
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

/** `["Started", 0.1]` from `"Started sleep at 0.1"`. */
function parse(line: string): [string, number] {
  const match = line.match(/^(Started|Finished) sleep at (\d+\.\d)$/);
  assert(match !== null, `unexpected line: ${line}`);
  return [match[1], Number(match[2])];
}

Deno.test("process_sequential runs three sleeps one after another (>= 0.3 s)", async () => {
  const lines = (await runExample("process_sequential")).map(parse);
  assertEquals(lines.map(([what]) => what), [
    "Started",
    "Finished",
    "Started",
    "Finished",
    "Started",
    "Finished",
  ]);
  assertEquals(lines[0][1], 0.0);
  for (let i = 1; i < lines.length; i++) assert(lines[i][1] >= lines[i - 1][1], "times go back");
  // Each sleep lasts 0.1 s and none overlaps: the last ends at 0.3 s or later.
  assert(lines[5][1] >= 0.3, `finished at ${lines[5][1]}`);
});

for (const name of ["process_parallel_raw", "process_parallel"]) {
  Deno.test(`${name} runs five sleeps together (about 0.1 s, < 0.5 s)`, async () => {
    const lines = (await runExample(name)).map(parse);
    assertEquals(lines.map(([what]) => what), [
      ...Array(5).fill("Started"),
      ...Array(5).fill("Finished"),
    ]);
    const started = lines.slice(0, 5).map(([, t]) => t);
    const finished = lines.slice(5).map(([, t]) => t);
    assert(Math.max(...started) <= 0.2, `started at ${started}`);
    assert(Math.min(...finished) >= 0.1, `finished at ${finished} (sleep 0.1 is not that fast)`);
    assert(Math.max(...finished) < 0.5, `finished at ${finished}: not in parallel`);
  });
}

Deno.test("process_interpreter feeds python3 a script and reads its lines", async () => {
  assertEquals(await runExample("process_interpreter"), [
    "x: 256",
    "y: 16",
    "z: 4",
    "i: 0",
    "i: 1",
    "i: 2",
    "i: 3",
  ]);
});
