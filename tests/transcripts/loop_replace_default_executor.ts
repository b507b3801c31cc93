// Replacing a default executor that was used: run() returns and the process exits.
// The test runs this file in a process of its own, which must end: a Worker left alive would
// keep it running.
import { getRunningLoop, run, WorkerExecutor } from "../../mod.ts";

const job = { module: "data:text/javascript,export const job = (n) => n * 2;", name: "job" };

async function scenario(print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    print(`old pool: ${await loop.runInExecutor(null, job, 1)}`);
    loop.setDefaultExecutor(new WorkerExecutor({ maxWorkers: 1 }));
    print(`new pool: ${await loop.runInExecutor(null, job, 2)}`);
  });
  print("run returned");
}

if (import.meta.main) await scenario(console.log);

export default async function (print: (line: string) => void): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-read", import.meta.url],
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(20_000),
  }).output();
  for (const l of new TextDecoder().decode(out.stdout).split("\n").slice(0, -1)) print(l);
  if (!out.success) throw new Error(`the process did not exit by itself (code ${out.code})`);
}
