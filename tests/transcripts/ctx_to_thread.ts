// toThread runs its function with the caller's context variables;
// runInExecutor does not (the function sees the Worker's own context). The
// function runs in a Worker, which has its own copy of this module: the
// value crosses to the variable of the same name there.
import { ContextVar, getRunningLoop, run, toThread } from "../../mod.ts";

export const request = new ContextVar<string>("request", { default: "no request" });

/** Runs in a Worker. */
export function who(tag: string): string {
  const seen = request.get();
  request.set("changed in thread");
  return `${tag} saw ${seen}`;
}

export default async function (print: (line: string) => void): Promise<void> {
  const fn = { module: import.meta.url, name: "who" };
  await run(async () => {
    request.set("req-42");
    print(`to_thread: ${await toThread(fn, "a")}`);
    print(`run_in_executor: ${await getRunningLoop().runInExecutor(null, fn, "b")}`);
    print(`main still has ${request.get()}`);
  });
}
