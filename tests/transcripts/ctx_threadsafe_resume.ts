// A task that waits for something from outside the loop (here a host
// promise: a Deno timer; in the Python version a thread that finishes a
// future with call_soon_threadsafe) reads its own context after the await.
import { ContextVar, gather, run, sleep } from "../../mod.ts";

const request = new ContextVar<string>("request", { default: "none" });

export default async function (print: (line: string) => void): Promise<void> {
  async function handler(name: string, delay: number) {
    request.set(name);
    // Resumed by Deno's timer, not by the loop.
    const reply = await new Promise<string>((resolve) =>
      setTimeout(() => resolve(`reply for ${name}`), delay * 1000)
    );
    print(`${reply} read in context ${request.get()}`);
    await sleep(0);
    print(`${name} still reads ${request.get()}`);
  }

  await run(async () => {
    request.set("main");
    await gather(() => handler("r1", 0.04), () => handler("r2", 0.01));
    print(`main reads ${request.get()}`);
  });
}
