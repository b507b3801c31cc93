// Many tasks at once: 100,000 tasks that each do one `await sleep(0)`,
// gathered (`gather_100k`) and in a TaskGroup (`taskgroup_100k`); 100,000
// `waitFor(sleep(0.001), 10)` gathered (`wait_for_100k`); and a gather of
// 100,000 tasks that return without awaiting (a memoized value), with the
// default task factory (`gather_memo_lazy`) and with `eagerTaskFactory`
// (`gather_memo_eager`). Rates in tasks per second. Peer: task_gather.py
// (the eager row needs CPython 3.12).
import {
  eagerTaskFactory,
  gather,
  getRunningLoop,
  run,
  sleep,
  TaskGroup,
  waitFor,
} from "../mod.ts";
import { emit } from "./_common.ts";

const N = 100_000;
const cache = new Map<number, number>(Array.from({ length: 100 }, (_, i) => [i, i * i]));

async function oneStep(): Promise<void> {
  await sleep(0);
}

// deno-lint-ignore require-await
async function memo(i: number): Promise<number> {
  return cache.get(i % 100)!;
}

async function timed(body: () => PromiseLike<unknown>): Promise<number> {
  const t0 = performance.now();
  await body();
  return (performance.now() - t0) / 1000;
}

const cases: Record<string, (n: number) => PromiseLike<unknown>> = {
  gather_100k: (n) => gather(...Array.from({ length: n }, () => oneStep)),
  taskgroup_100k: (n) =>
    TaskGroup.run((tg) => {
      for (let i = 0; i < n; i++) tg.createTask(oneStep);
    }),
  wait_for_100k: (n) => gather(...Array.from({ length: n }, () => () => waitFor(sleep(0.001), 10))),
  gather_memo_lazy: (n) => gather(...Array.from({ length: n }, (_, i) => () => memo(i))),
  gather_memo_eager: async (n) => {
    const loop = getRunningLoop();
    loop.setTaskFactory(eagerTaskFactory);
    try {
      await gather(...Array.from({ length: n }, (_, i) => () => memo(i)));
    } finally {
      loop.setTaskFactory(null);
    }
  },
};

for (const [name, body] of Object.entries(cases)) {
  const seconds = await run(async () => {
    await timed(() => body(N / 10)); // warm-up, as the peer does
    return await timed(() => body(N));
  });
  emit({ bench: name, ops: N, seconds, unit: "tasks/s", extra: { tasks: N } });
}
