// gather wraps each coroutine in a task (a copy of the context each);
// waitFor and timeout run the coroutine in the caller's own task (as
// CPython 3.12+), so what it sets is the caller's.
import { ContextVar, gather, run, shield, sleep, timeout, waitFor } from "../../mod.ts";

const step = new ContextVar<string>("step", { default: "start" });

export default async function (print: (line: string) => void): Promise<void> {
  async function setStep(value: string) {
    step.set(value);
    await sleep(0);
    return step.get();
  }

  await run(async () => {
    const results = await gather(() => setStep("g1"), () => setStep("g2"));
    print(`gather: [${results.map((r) => `'${r}'`).join(", ")}] main: ${step.get()}`);
    print(`wait_for: ${await waitFor(() => setStep("w"), 1)} main: ${step.get()}`);
    await timeout(1, async () => {
      print(`in timeout: ${await setStep("t")} main: ${step.get()}`);
    });
    print(`shield: ${await shield(() => setStep("s"))} main: ${step.get()}`);
  });
}
