/**
 * A monitor on a running loop: `ps`, `pstree`, `top`, `where`, `cancel`,
 * finished tasks, resources, warnings and a recording of the loop's events,
 * for a client in another process (`deno task monitor ADDRESS`, or the
 * REPL's `attach ADDRESS`).
 *
 * A program opts in with `startMonitor(loop)`, with
 * `run(main, { monitor: true })`, or with no change at all by setting
 * `ASYNCIO_MONITOR=127.0.0.1:0` (read only when the program has
 * `--allow-env` for it). The monitor listens on loopback, prints
 * `asyncio monitor: 127.0.0.1:PORT#TOKEN` on stderr, and refuses a client
 * without the token. It serves from a Worker, so it answers while the loop
 * is blocked, and says in what.
 *
 * This module is all that `mod.ts` loads: the monitor itself
 * (`lib/_monitor.ts`, its Worker) is imported when one starts.
 * @module
 */
import { EventLoop } from "./base_events.ts";
import { getEventLoop } from "./events.ts";
import { shortRepr } from "./_util.ts";

/** Options of `startMonitor` (and of `run`'s `monitor`). */
export interface MonitorOptions {
  /**
   * Where to listen, `HOST:PORT` (`127.0.0.1:0`, `[::1]:0`), as
   * `ASYNCIO_MONITOR` gives it; overrides `host` and `port`.
   */
  address?: string;
  /** The host to listen on: `127.0.0.1` by default; another loopback name or address works. */
  host?: string;
  /** The port; 0 (the default) picks a free one. */
  port?: number;
  /**
   * Listen on a host that is not loopback (anyone who can reach it and has
   * the token can cancel tasks): refused unless this is true.
   */
  allowRemote?: boolean;
  /** How many finished tasks `tasks --done` keeps (default 1,000). */
  history?: number;
  /**
   * A task pending this many seconds on something nothing can complete any
   * more is flagged `stuck` (default 10).
   */
  stuckAfter?: number;
  /**
   * When task steps are timed (busy and scheduled time, slow steps):
   * `"attached"` (the default) while a client is attached, so that a
   * program nobody watches pays only a count per step; `"always"` from the
   * start, at the cost of a few more loads and stores per step and a clock
   * the Worker keeps every millisecond.
   */
  times?: "attached" | "always";
  /**
   * Where the `asyncio monitor: ADDRESS` line goes: stderr by default,
   * `false` for nowhere, or a function.
   */
  print?: boolean | ((line: string) => void);
}

/** A running monitor (see `startMonitor`). */
export interface Monitor extends AsyncDisposable {
  /** What a client needs: `HOST:PORT#TOKEN`. */
  readonly address: string;
  /** The host it listens on. */
  readonly host: string;
  /** The port it listens on. */
  readonly port: number;
  /** Stop: close the listener and every client, unhook the loop. Idempotent. */
  close(): Promise<void>;
}

/**
 * Watch `loop` (default: the current event loop) and serve clients on
 * loopback. Resolves once it listens, after printing
 * `asyncio monitor: HOST:PORT#TOKEN` on stderr. The loop's `close()` stops
 * it; so does `close()`. A loop has at most one monitor: a second call
 * returns the first.
 *
 * Not in asyncio (its `python -m asyncio ps PID` reads another process
 * without its help; aiomonitor is the nearest twin).
 *
 * What it costs: while it watches, the loop calls a few cheap hooks per
 * callback, step, task and idle wait (no clock read: steps are timed from
 * a clock the monitor's Worker keeps, and only while a client is
 * attached, unless `times: "always"`); on 100,000 tasks doing nothing but
 * `sleep(0)`, about a tenth of their speed, within the noise elsewhere
 * (README). Nothing at all before it starts: this module only imports the
 * rest when called.
 * @throws {RangeError} for a host that is not loopback without
 *   `allowRemote`, or an address that is not `HOST:PORT`.
 * @throws {RuntimeError} if the loop is closed.
 * @throws {TypeError} if `loop` is not an event loop.
 * @example
 * ```ts
 * import { run, sleep, startMonitor, getRunningLoop } from "@asyncio/deno";
 * await run(async () => {
 *   await using monitor = await startMonitor(getRunningLoop(), { print: false });
 *   console.assert(/^127\.0\.0\.1:\d+#[0-9a-f]{32}$/.test(monitor.address));
 *   await sleep(0.01);
 * });
 * ```
 */
export async function startMonitor(
  loop: EventLoop = getEventLoop(),
  options: MonitorOptions = {},
): Promise<Monitor> {
  if (!(loop instanceof EventLoop)) {
    // startMonitor({ print: false }) would otherwise fail deep inside with a TypeError of its own.
    throw new TypeError(
      `startMonitor(loop, options): loop must be an EventLoop, got ${shortRepr(loop)}`,
    );
  }
  const { _startMonitor } = await import("./_monitor.ts");
  return _startMonitor(loop, options);
}
