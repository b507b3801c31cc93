// A Runner runs every main task in one copy of the context it was made in,
// so what one run sets the next run sees; run(coro, { context }) picks
// another; run() starts from a copy of the top level each time.
import { Context, ContextVar, run, Runner } from "../../mod.ts";

const seen = new ContextVar<string>("seen", { default: "nothing" });

export default async function (print: (line: string) => void): Promise<void> {
  // deno-lint-ignore require-await
  async function remember(value: string) {
    const before = seen.get();
    seen.set(value);
    return `saw ${before}, set ${value}`;
  }

  const token = seen.set("top");
  {
    await using runner = new Runner();
    print(await runner.run(() => remember("first")));
    print(await runner.run(() => remember("second")));
    const other = new Context();
    print(await runner.run(() => remember("third"), { context: other }));
    print(await runner.run(() => remember("fourth")));
  }
  print(await run(() => remember("fifth")));
  print(await run(() => remember("sixth")));
  print(`top level: ${seen.get()}`);
  seen.reset(token);
}
