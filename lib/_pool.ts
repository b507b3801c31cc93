// What a WorkerExecutor (lib/threads.ts) and its Workers (lib/_worker.ts)
// agree on: the records of their two channels (lib/_channel.ts) and the
// job states they share.
//
// Loop's thread → Worker (the jobs channel):
//   DEFINE a=fnId, payload [module, name]   before the first job of fnId
//   JOB    a=job id, b=fnId, payload args
//   STOP                                      leave at once (the pool ended)
// Worker → loop's thread (the results channel):
//   OK  a=job id, payload the result
//   ERR a=job id, payload an ErrorShape
//
// A Worker may hold up to DEPTH jobs not yet finished, so that it never
// waits for the loop's thread between two of them. Each job has a state
// word, `states[id % DEPTH]`, tagged with the job's id (so a word reused by
// a later job is never taken for an earlier one's); it moves only by
// compare-and-swap:
//   QUEUED → RUNNING   the Worker starts it
//   QUEUED → REVOKED   the pool takes it back (cancelled, or given to a
//                      Worker that is idle, so no job waits behind a long
//                      one while a Worker has nothing to do)
//   RUNNING → DONE     the Worker finished it; its result follows
//   RUNNING → KILLED   the pool cancels it: the Worker will be terminated,
//                      and on seeing KILLED it starts nothing more
// So a job runs at most once, and exactly once unless it is cancelled.

/** Jobs a Worker may hold not yet finished. */
export const DEPTH = 64;

export const OP_DEFINE = 1;
export const OP_JOB = 2;
export const OP_STOP = 3;
export const OP_OK = 4;
export const OP_ERR = 5;
/** A job whose first argument is `toThread`'s context variables, by name. */
export const OP_JOB_CTX = 6;

export const QUEUED = 1;
export const RUNNING = 2;
export const DONE = 3;
export const REVOKED = 4;
export const KILLED = 5;

/** The state word of job `id` in `state`. */
export function tag(id: number, state: number): number {
  return ((id & 0x0fffffff) << 3) | state;
}

/** An error as it crosses threads (structured clone keeps only built-in classes). */
export interface ErrorShape {
  name: string;
  message: string;
  stack?: string;
}

/** `error` as an `ErrorShape`. */
export function describeError(error: unknown): ErrorShape {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack };
  }
  return { name: "Error", message: String(error) };
}

/** What the pool sends a new Worker. */
export interface PoolSetup {
  jobs: { segment: SharedArrayBuffer; port: MessagePort };
  results: { segment: SharedArrayBuffer; port: MessagePort };
  states: SharedArrayBuffer;
  lifeline: MessagePort;
}
