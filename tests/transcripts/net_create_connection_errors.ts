// createConnection when every address fails, as net_create_connection_errors.py.
import { AF_INET, ExceptionGroup, getRunningLoop, OSError, Protocol, run } from "../../mod.ts";
import { line } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const hide = (text: string) => text.replaceAll(String(port), "PORT");
    for (
      const [label, options] of [
        ["in turn", {}],
        ["happy eyeballs", { happyEyeballsDelay: 0.25 }],
        ["AF_INET only", { family: AF_INET }],
      ] as const
    ) {
      try {
        await loop.createConnection(() => new Protocol(), null, port, options);
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        print(line(label, e.name, e.errno));
        print(`  str: ${hide(e.message)}`);
      }
    }
    try {
      await loop.createConnection(() => new Protocol(), null, port, { allErrors: true });
    } catch (e) {
      if (!(e instanceof ExceptionGroup)) throw e;
      print(`all_errors: ${e.message}`);
      for (const sub of e.exceptions as Error[]) print(`  ${sub.name} ${hide(sub.message)}`);
    }
    try {
      await loop.createConnection(() => new Protocol());
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      print(`no host: ${e.message}`);
    }
  });
}
