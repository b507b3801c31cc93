// Every scenario in tests/transcripts/ prints exactly what CPython printed.
import { assertEquals } from "./_assert.ts";

const dir = new URL("./transcripts/", import.meta.url);
const names = [...Deno.readDirSync(dir)]
  .filter((e) => e.isFile && e.name.endsWith(".py"))
  .map((e) => e.name.slice(0, -3))
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
