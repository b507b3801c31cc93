// The one place that imports a module named at run time (a WorkerFunction's
// module: in a Worker for lib/_worker.ts, on the loop's thread for
// runCoroutineThreadsafe), so that `deno publish` has one dynamic import
// it cannot analyse, and says so once.

/** The module at `url` (an absolute URL). */
export function importModule(url: string): Promise<Record<string, unknown>> {
  return import(url);
}
