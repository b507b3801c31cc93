// The body of every Worker of a WorkerExecutor (lib/threads.ts). The first
// message is a PoolSetup (lib/_pool.ts): the jobs channel to read, the
// results channel to write, the shared job states, and a lifeline port that
// the pool watches (its close says this Worker is gone, however it ended).
// Later messages are doorbells: the pool rings when this Worker parked.
//
// Jobs run one at a time, in the order they came, as on a thread of
// CPython's ThreadPoolExecutor: import the module once, call the export,
// await it if it returns a promise, write the outcome. Between jobs the
// Worker sleeps in Atomics.wait for SYNC_WAIT_MS (woken in a few
// microseconds when a job comes), then returns to its event loop and parks
// (a doorbell message wakes it): a blocked Worker runs none of its own
// timers, and Worker.terminate() does not interrupt Atomics.wait in Deno
// 2.9, so the wait is short.

import { ChannelReader, ChannelWriter, isTransfer } from "./_channel.ts";
import { importModule } from "./_import.ts";
import {
  DEPTH,
  describeError,
  DONE,
  OP_DEFINE,
  OP_ERR,
  OP_JOB,
  OP_JOB_CTX,
  OP_OK,
  OP_STOP,
  type PoolSetup,
  QUEUED,
  RUNNING,
  tag,
} from "./_pool.ts";

/** How long an idle Worker blocks waiting for the next job before it parks. */
const SYNC_WAIT_MS = 2;

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<PoolSetup | null>) => void) | null;
  close(): void;
};

let jobs: ChannelReader;
let results: ChannelWriter;
let states: Int32Array;
// Held so that its port stays open while this Worker lives.
let lifeline: MessagePort;
// By fnId: the function, or the promise of it while its module loads.
const fns: Array<Promise<unknown> | ((...args: unknown[]) => unknown)> = [];
let draining = false;

scope.onmessage = (event) => {
  const setup = event.data;
  if (setup !== null) {
    jobs = new ChannelReader(setup.jobs);
    // The loop's thread waits for results with waitAsync; it never parks.
    results = new ChannelWriter(setup.results.port, () => {}, setup.results.segment);
    states = new Int32Array(setup.states);
    lifeline = setup.lifeline;
  }
  void drain();
};

/** Run the jobs that are there, then wait for more (see above). */
async function drain(): Promise<void> {
  if (draining || lifeline === undefined) return; // a doorbell while a job awaits
  draining = true;
  try {
    for (;;) {
      if (!jobs.next()) {
        if (jobs.waitSync(SYNC_WAIT_MS) || !jobs.park()) continue;
        return;
      }
      if (jobs.op === OP_JOB || jobs.op === OP_JOB_CTX) {
        const id = jobs.a;
        const slot = id % DEPTH;
        // Taken back by the pool (cancelled, or given to another Worker).
        if (
          Atomics.compareExchange(states, slot, tag(id, QUEUED), tag(id, RUNNING)) !==
            tag(id, QUEUED)
        ) {
          continue;
        }
        let fn = fns[jobs.b];
        const carriesContext = jobs.op === OP_JOB_CTX;
        const args = jobs.args();
        let ok = true;
        let value: unknown;
        try {
          if (fn instanceof Promise) fn = (await fn) as (...args: unknown[]) => unknown;
          value = carriesContext
            // toThread's context: the module the job's own imports share (the same URL).
            ? (await import("./contextvars.ts"))._runCarried(
              args[0] as [string, unknown][],
              fn,
              args.slice(1),
            )
            : fn(...args);
          if (typeof (value as PromiseLike<unknown> | null)?.then === "function") {
            value = await value;
          }
        } catch (error) {
          ok = false;
          value = describeError(error);
        }
        // KILLED: the pool cancelled it and terminates this Worker.
        if (
          Atomics.compareExchange(states, slot, tag(id, RUNNING), tag(id, DONE)) !==
            tag(id, RUNNING)
        ) {
          return;
        }
        reply(id, ok, value);
      } else if (jobs.op === OP_DEFINE) {
        const [module, name] = jobs.value() as [string, string];
        define(jobs.a, module, name);
      } else if (jobs.op === OP_STOP) {
        scope.close();
        return;
      }
    }
  } finally {
    draining = false;
  }
}

function define(fnId: number, module: string, name: string): void {
  const loaded = importModule(module).then((mod) => {
    const fn = mod[name];
    if (typeof fn !== "function") {
      throw new TypeError(`${module} has no exported function named '${name}'`);
    }
    fns[fnId] = fn as (...args: unknown[]) => unknown;
    return fn;
  });
  // A module that cannot load fails each job that names it (when it runs).
  loaded.catch(() => {});
  fns[fnId] = loaded;
}

function reply(id: number, ok: boolean, value: unknown): void {
  try {
    if (ok && isTransfer(value)) results.writeValue(OP_OK, id, 0, value.value, value.list, true);
    else results.writeValue(ok ? OP_OK : OP_ERR, id, 0, value, null, true);
  } catch (error) { // a result that cannot be cloned (DataCloneError)
    results.writeValue(OP_ERR, id, 0, describeError(error), null, true);
  }
}
