// The seed's asyncio process program: five tasks each run `sleep 0.1` with
// `createSubprocessExec` and wait for it. The loop runs them concurrently,
// so all five start at 0.0 and finish together at about 0.1; the loop is
// stopped by a timer at 0.5 s (`callLater` + `runForever`, as the seed).
//
//   deno run --allow-run=sleep examples/process_parallel.ts
import { createSubprocessExec, getEventLoop } from "../mod.ts";

const t = performance.now();
const since = () => ((performance.now() - t) / 1000).toFixed(1);

async function asyncProcessSleeper(): Promise<void> {
  console.log(`Started sleep at ${since()}`);
  const process = await createSubprocessExec("sleep", "0.1");
  await process.wait();
  console.log(`Finished sleep at ${since()}`);
}

const loop = getEventLoop();
for (let i = 0; i < 5; i++) loop.createTask(asyncProcessSleeper);

loop.callLater(0.5, () => loop.stop());
await loop.runForever();
loop.close();
