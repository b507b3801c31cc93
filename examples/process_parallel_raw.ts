// The seed's "parallel but messy" process program: five `sleep 0.1` are
// started at once with raw `Deno.Command`, then awaited one by one. They
// overlap and finish together after about 0.1 s, but starting, keeping and
// collecting the children is left to the caller: process_parallel.ts does
// the same with tasks on the event loop.
//
//   deno run --allow-run=sleep examples/process_parallel_raw.ts
const t = performance.now();
const since = () => ((performance.now() - t) / 1000).toFixed(1);

function processSleeper(): Deno.ChildProcess {
  console.log(`Started sleep at ${since()}`);
  return new Deno.Command("sleep", { args: ["0.1"] }).spawn();
}

const processes: Deno.ChildProcess[] = [];
for (let i = 0; i < 5; i++) processes.push(processSleeper());

for (const process of processes) {
  await process.status;
  console.log(`Finished sleep at ${since()}`);
}
