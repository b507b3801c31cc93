// TimeoutError is an OSError, as err_timeout_is_oserror.py.
import { OSError, run, sleep, timeout, TimeoutError, waitFor } from "../../mod.ts";
import { oserrorFromErrno } from "../../lib/_oserror.ts";
import { line } from "./loop_fmt.ts";
import { show } from "./err_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    print(line("subclass:", TimeoutError.prototype instanceof OSError));
    try {
      await waitFor(() => sleep(1), 0.01);
    } catch (err) {
      show(print, "wait_for", err, false);
    }
    try {
      await timeout(0.01).run(() => sleep(1));
    } catch (err) {
      show(print, "timeout", err, false);
    }
    show(print, "OSError(110)", oserrorFromErrno(110), false);
    show(print, "TimeoutError()", new TimeoutError(), false);
    show(print, "TimeoutError('late')", new TimeoutError("late"), false);
  });
}
