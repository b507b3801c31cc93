// The body of every worker of a `WorkerExecutor` (lib/threads.ts). It runs
// one job at a time: import the module named in the job, call the named
// export with the arguments, post back the result or the error. Messages:
//   in:  { id, module, name, args, context }
//   out: { id, ok: true, value } | { id, ok: false, error }
// An error is sent as { name, message, stack } (structured clone keeps only
// built-in error types, so the host rebuilds it from these fields).

import { importModule } from "./_import.ts";

interface Job {
  id: number;
  module: string;
  name: string;
  args: unknown[];
  // `toThread`'s context variables, by name: run the function with them.
  context: [string, unknown][] | null;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<Job>) => void) | null;
  postMessage(message: unknown): void;
};

function describeError(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack };
  }
  return { name: "Error", message: String(error) };
}

async function runJob(job: Job): Promise<void> {
  try {
    const mod = await importModule(job.module);
    const fn = mod[job.name];
    if (typeof fn !== "function") {
      throw new TypeError(`${job.module} has no exported function named '${job.name}'`);
    }
    const value = job.context === null
      ? await fn(...job.args)
      // The module the job's own imports share (the same URL), only when needed.
      : await (await import("./contextvars.ts"))._runCarried(
        job.context,
        fn as (...args: unknown[]) => unknown,
        job.args,
      );
    scope.postMessage({ id: job.id, ok: true, value });
  } catch (error) {
    // A value that cannot be cloned lands here too (DataCloneError).
    scope.postMessage({ id: job.id, ok: false, error: describeError(error) });
  }
}

scope.onmessage = (event) => void runJob(event.data);
