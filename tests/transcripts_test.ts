// Every scenario in tests/transcripts/ prints exactly what CPython printed.
import { assertEquals } from "./_assert.ts";
import { runScenario } from "./transcripts/fuzz_run.ts";

const dir = new URL("./transcripts/", import.meta.url);
const files = [...Deno.readDirSync(dir)].filter((e) => e.isFile).map((e) => e.name);
const names = files
  .filter((n) => n.endsWith(".py") && n !== "fuzz_run.py")
  .map((n) => n.slice(0, -3))
  .sort();
// Generated scenarios: data run by fuzz_run.ts here, by fuzz_run.py for the recording.
const generated = files
  .filter((n) => n.endsWith(".json") && !files.includes(`${n.slice(0, -5)}.py`))
  .map((n) => n.slice(0, -5))
  .sort();

for (const name of names) {
  Deno.test(`transcript ${name} matches CPython`, async () => {
    const expected = Deno.readTextFileSync(new URL(`${name}.out`, dir));
    const scenario = await import(new URL(`${name}.ts`, dir).href);
    const lines: string[] = [];
    await scenario.default((line: string) => lines.push(line));
    assertEquals(lines.join("\n") + "\n", expected);
  });
}

for (const name of generated) {
  Deno.test(`transcript ${name} matches CPython`, async () => {
    const expected = Deno.readTextFileSync(new URL(`${name}.out`, dir));
    const lines: string[] = [];
    await runScenario(Deno.readTextFileSync(new URL(`${name}.json`, dir)), (l) => lines.push(l));
    assertEquals(lines.join("\n") + "\n", expected);
  });
}
