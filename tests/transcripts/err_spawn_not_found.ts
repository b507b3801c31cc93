// A program that does not exist, as err_spawn_not_found.py.
import {
  createSubprocessExec,
  createSubprocessShell,
  FileNotFoundError,
  PIPE,
  run,
  STDOUT,
  type SubprocessOptions,
} from "../../mod.ts";
import { show } from "./err_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const cases: [string, string[], SubprocessOptions][] = [
      ["path", ["/no/such/program"], {}],
      ["PATH lookup", ["no-such-program-here", "arg"], {}],
      ["merged", ["/no/such/program"], { stdout: PIPE, stderr: STDOUT }],
      ["merged PATH lookup", ["no-such-program-here"], { stdout: PIPE, stderr: STDOUT }],
      ["cwd", ["true"], { cwd: "/no/such/dir" }],
    ];
    for (const [label, [program, ...args], options] of cases) {
      try {
        await createSubprocessExec(program, ...args, options);
      } catch (err) {
        if (!(err instanceof FileNotFoundError)) throw err;
        show(print, label, err);
      }
    }
    try {
      await createSubprocessShell("true", { cwd: "/no/such/dir" });
    } catch (err) {
      if (!(err instanceof FileNotFoundError)) throw err;
      show(print, "shell cwd", err);
    }
  });
}
