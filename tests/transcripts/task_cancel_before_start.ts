import { CancelledError, createTask, run, VirtualClock } from "../../mod.ts";

export default async function (print: (line: string) => void): Promise<void> {
  // deno-lint-ignore require-await
  async function body() {
    print("body ran");
  }

  await run(async () => {
    const t = createTask(body);
    print(
      `cancel ${py(t.cancel())} cancel again ${py(t.cancel())} cancelling ${t.cancelling()}`,
    );
    try {
      await t;
    } catch (e) {
      if (e instanceof CancelledError) print(`cancelled before start: ${py(t.cancelled())}`);
    }
    const u = createTask(body);
    u.cancel("early");
    try {
      await u;
    } catch (e) {
      if (e instanceof CancelledError) print(`message: ${e.message}`);
    }
  }, { clock: new VirtualClock() });
}

const py = (b: boolean) => b ? "True" : "False";
