// The seed's first process program: three `sleep 0.1` run one after another,
// each blocking the thread until it exits (Python's `subprocess.Popen` +
// `wait()`; here `Deno.Command.outputSync()`). Nothing overlaps, so the
// three take 0.3 s in total: compare process_parallel.ts.
//
//   deno run --allow-run=sleep examples/process_sequential.ts
const t = performance.now();
const since = () => ((performance.now() - t) / 1000).toFixed(1);

function processSleeper(): void {
  console.log(`Started sleep at ${since()}`);
  new Deno.Command("sleep", { args: ["0.1"] }).outputSync();
  console.log(`Finished sleep at ${since()}`);
}

for (let i = 0; i < 3; i++) processSleeper();
