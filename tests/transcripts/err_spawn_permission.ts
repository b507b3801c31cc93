// A program that cannot be executed, as err_spawn_permission.py.
import {
  createSubprocessExec,
  OSError,
  PIPE,
  run,
  STDOUT,
  type SubprocessOptions,
} from "../../mod.ts";
import { show } from "./err_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const cases: [string, string, SubprocessOptions][] = [
      ["directory", "/tmp", {}],
      ["not executable", "/etc/passwd", {}],
      ["merged", "/tmp", { stdout: PIPE, stderr: STDOUT }],
      ["cwd is a file", "true", { cwd: "/etc/passwd" }],
    ];
    for (const [label, program, options] of cases) {
      try {
        await createSubprocessExec(program, options);
      } catch (err) {
        if (!(err instanceof OSError)) throw err;
        show(print, label, err);
      }
    }
  });
}
