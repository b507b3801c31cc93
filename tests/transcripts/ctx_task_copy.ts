// A task runs in a copy of the context it was created in: it sees what was
// set before, not what its parent sets afterwards, and what it sets is seen
// by neither its parent nor its siblings.
import { ContextVar, createTask, run, sleep } from "../../mod.ts";

const request = new ContextVar<string>("request", { default: "none" });

export default async function (print: (line: string) => void): Promise<void> {
  async function child(name: string) {
    print(`${name} starts with ${request.get()}`);
    request.set(name);
    await sleep(0);
    print(`${name} after a step still has ${request.get()}`);
    return request.get();
  }

  async function main() {
    print(`main starts with ${request.get()}`);
    request.set("main-1");
    const a = createTask(() => child("a"));
    request.set("main-2");
    const b = createTask(() => child("b"));
    print(`results ${await a} ${await b}`);
    print(`main still has ${request.get()}`);
  }

  const token = request.set("top");
  await run(main);
  print(`top level still has ${request.get()}`);
  request.reset(token);
}
