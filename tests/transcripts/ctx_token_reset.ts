// ContextVar.get's defaults, set/reset with tokens, and the errors of reset
// (Python's ValueError is our RangeError).
import { ContextVar, createTask, run, Token } from "../../mod.ts";
import { line } from "./loop_fmt.ts";

const plain = new ContextVar<string>("plain");
const withDefault = new ContextVar<number>("with_default", { default: 10 });

export default async function (print: (line: string) => void): Promise<void> {
  const showError = (label: string, fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      print(`${label} ${e instanceof RangeError ? "ValueError" : (e as Error).name}`);
    }
  };

  await run(async () => {
    showError("get without value or default:", () => plain.get());
    print(line("get(5):", plain.get(5), "with default:", withDefault.get(), withDefault.get(7)));
    const token = plain.set("a");
    print(
      line("token old value is MISSING:", token.oldValue === Token.MISSING, token.var === plain),
    );
    const token2 = plain.set("b");
    print(line("second token old value:", token2.oldValue));
    plain.reset(token2);
    print(line("after reset:", plain.get()));
    showError("reset twice:", () => plain.reset(token2));
    showError("reset with another var:", () => withDefault.reset(token as never));
    plain.reset(token);
    print(line("after first reset:", plain.get("gone")));
    const token3 = withDefault.set(11);

    // deno-lint-ignore require-await
    await createTask(async () => {
      showError("reset in another task:", () => withDefault.reset(token3));
    });
    withDefault.reset(token3);
    print(line("back to default:", withDefault.get()));
  });
}
