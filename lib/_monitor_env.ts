// `ASYNCIO_MONITOR=127.0.0.1:0`: a monitor on every loop that runs, with no
// change to the program (lib/monitor.ts). Read once per process, and only
// when the program was given `--allow-env` for it: the permission is
// queried first, so a program without it is never prompted. Until a loop
// runs with the variable set, the monitor's modules are not loaded.
import type { EventLoop } from "./base_events.ts";

const VARIABLE = "ASYNCIO_MONITOR";
let wanted: string | null | undefined;

/** The variable's value, if the program may read it and it is set. */
function readVariable(): string | null {
  try {
    const state = Deno.permissions.querySync({ name: "env", variable: VARIABLE }).state;
    if (state !== "granted") return null;
    const value = Deno.env.get(VARIABLE);
    return value === undefined || value.trim() === "" ? null : value.trim();
  } catch {
    return null; // no Deno.permissions (another runtime)
  }
}

/**
 * Start a monitor on `loop` if `ASYNCIO_MONITOR` asks for one and it has
 * none: the promise resolves once the loop is watched (the loop waits for
 * it before its first iteration, so that it sees every task); null if not.
 */
export function _monitorFromEnv(loop: EventLoop): Promise<void> | null {
  if (wanted === undefined) wanted = readVariable();
  if (wanted === null || loop._monitor !== null) return null;
  const address = wanted;
  return import("./_monitor.ts").then((m) => {
    try {
      // Listening comes later; a failure to listen is said then.
      m._startMonitor(loop, { address }).catch((err) => report(address, err));
    } catch (err) {
      report(address, err); // a bad address: the program runs on, unwatched
    }
  }, (err) => report(address, err));
}

function report(address: string, err: unknown): void {
  console.error(
    `asyncio monitor: not started (${VARIABLE}=${address}): ${
      err instanceof Error ? err.message : err
    }`,
  );
}
