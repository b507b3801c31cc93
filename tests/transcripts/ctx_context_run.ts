// Context.run runs a function in a context; what it sets stays there. A
// context cannot be entered twice at once. A context is a mapping.
import { Context, ContextVar, copyContext, run, RuntimeError } from "../../mod.ts";
import { line } from "./loop_fmt.ts";

const a = new ContextVar<number>("a", { default: 0 });
const b = new ContextVar<string>("b");

export default async function (print: (line: string) => void): Promise<void> {
  function work(x: number) {
    a.set(a.get() + x);
    b.set("set in run");
    return a.get();
  }

  // deno-lint-ignore require-await
  await run(async () => {
    a.set(1);
    const ctx = copyContext();
    print(line("run returns", ctx.run(work, 5), "outside a is still", a.get()));
    print(line("ctx a", ctx.get(a), "ctx b", ctx.get(b), "len", ctx.size, "b in ctx", ctx.has(b)));
    print(line("ctx.get default", new Context().get(a, "none")));
    const copy = ctx.copy();
    copy.run(() => a.set(100));
    print(line("copy a", copy.get(a), "ctx a", ctx.get(a)));
    try {
      ctx.run(() => ctx.run(work, 1));
    } catch (e) {
      if (e instanceof RuntimeError) print("entering twice raises RuntimeError");
    }
    print(line("values", `[${[...ctx.values()].map((v) => `'${v}'`).sort().join(", ")}]`));
    print(line("empty context len", new Context().size));
  });
}
