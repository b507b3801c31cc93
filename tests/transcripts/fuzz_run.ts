/**
 * Runs one generated ordering scenario `fuzz_NN.json` (see `fuzz_gen.ts`) on
 * our library, on a VirtualClock, printing one line per event: the
 * counterpart of `fuzz_run.py`, which runs the same data on CPython's asyncio.
 * Both must print the same lines; `tests/transcripts_test.ts` compares ours
 * with the recorded `fuzz_NN.out`.
 *
 * Keep the awaits of a task or `main` inline in one async function (no
 * helper awaited in between), as a hand-written scenario would have them.
 */
import type { Future, Handle, Task } from "../../mod.ts";
import {
  CancelledError,
  EventLoop,
  FIRST_COMPLETED,
  gather,
  getRunningLoop,
  run,
  sleep,
  VirtualClock,
  wait,
} from "../../mod.ts";

export type Via = "soon" | "later" | "at";

/** When a callback runs: `ms` after now, or after the start (`abs`, `call_at` only). */
export interface When {
  via: Via;
  ms: number;
  abs: boolean;
}

/** One operation of a callback, a task, the setup or `main`. */
export type Op =
  | When & { k: "cb"; cb: string }
  | When & {
    k: "handle";
    h: string;
    /** Cancelled at once, or by a callback scheduled just before the handle. */
    cancel: "now" | When & { cb: string };
  }
  | { k: "cancelH"; h: string }
  | { k: "task"; t: string }
  | { k: "cancelT"; t: string }
  | { k: "setF"; f: string }
  | { k: "doneCb"; f: string }
  | { k: "sleep0" }
  | { k: "sleep"; ms: number }
  | { k: "awaitF"; f: string }
  | { k: "awaitT"; t: string }
  | { k: "gather"; ts: string[]; retEx: boolean }
  | { k: "wait"; ts: string[]; first: boolean; timeoutMs: number | null };

/** A scenario file, as `fuzz_gen.ts` writes it. */
export interface ScenarioData {
  seed: number;
  ops: number;
  about: string;
  /** `loop`: setup, then `runForever()` until `stop()` at `endMs`; `main`: `run(main)`. */
  shape: "loop" | "main";
  endMs: number;
  futures: string[];
  handles: string[];
  cbs: { name: string; acts: Op[] }[];
  tasks: { name: string; onCancel: "reraise" | "return" | "none"; steps: Op[] }[];
  /** Run by the setup (`loop`) or at the start of `main`; never awaits. */
  setup: Op[];
  /** Run by `main` after the setup. */
  main: Op[];
}

/** Optional hooks, for the generator's checks. */
export interface Hooks {
  /** Called in `main` just before it prints "main ends". */
  mainEnd?: () => void;
}

const py = (b: boolean) => (b ? "True" : "False");
const secs = (ms: number) => ms / 1000;

/** Runs a scenario (the parsed file or its text), printing through `print`. */
export async function runScenario(
  json: ScenarioData | string,
  print: (line: string) => void,
  hooks: Hooks = {},
): Promise<void> {
  const sc: ScenarioData = typeof json === "string" ? JSON.parse(json) : json;
  const T: Record<string, Task<string>> = {};
  const F: Record<string, Future<string>> = {};
  const H: Record<string, Handle> = {};
  const cbs = new Map(sc.cbs.map((c) => [c.name, c.acts]));
  const tasks = new Map(sc.tasks.map((t) => [t.name, t]));
  let loop!: EventLoop;
  let t0 = 0;

  const fmts = (xs: readonly unknown[]) =>
    xs.map((x) => (x instanceof CancelledError ? "CancelledError" : String(x))).join(" ");
  const names = (s: Set<Future<string>>) =>
    Object.keys(T).filter((n) => s.has(T[n])).join(" ") || "-";

  const schedule = (w: When, fn: () => void): Handle => {
    if (w.via === "soon") return loop.callSoon(fn);
    if (w.via === "later") return loop.callLater(secs(w.ms), fn);
    return loop.callAt((w.abs ? t0 : loop.time()) + secs(w.ms), fn);
  };
  const callback = (name: string) => () => {
    print(`${name} runs`);
    for (const a of cbs.get(name)!) act(a, name);
  };
  const handle = (name: string) => () => print(`${name} runs`);

  /** An operation that does not await. */
  function act(a: Op, owner: string): void {
    switch (a.k) {
      case "cb":
        schedule(a, callback(a.cb));
        break;
      case "handle":
        if (a.cancel !== "now") schedule(a.cancel, callback(a.cancel.cb));
        H[a.h] = schedule(a, handle(a.h));
        if (a.cancel === "now") act({ k: "cancelH", h: a.h }, owner);
        break;
      case "cancelH":
        print(`${owner} cancels ${a.h}`);
        H[a.h].cancel();
        break;
      case "task": {
        const t = tasks.get(a.t)!;
        T[t.name] = loop.createTask(() => taskBody(t.name, t.onCancel, t.steps));
        break;
      }
      case "cancelT":
        print(`${owner} cancels ${a.t}: ${py(T[a.t].cancel())}`);
        break;
      case "setF":
        if (F[a.f].done()) {
          print(`${owner}: ${a.f} already done, cancelled ${py(F[a.f].cancelled())}`);
        } else {
          print(`${owner} sets ${a.f}`);
          F[a.f].setResult(`${a.f}-value`);
        }
        break;
      case "doneCb": {
        const f = a.f;
        F[f].addDoneCallback((fut) =>
          print(`${f} done callback, cancelled ${py(fut.cancelled())}`)
        );
        break;
      }
      default:
        throw new Error(`${owner}: ${a.k} awaits`);
    }
  }

  /** A task's body; its awaits stay inline here. */
  async function taskBody(
    name: string,
    onCancel: "reraise" | "return" | "none",
    steps: Op[],
  ): Promise<string> {
    if (name === "main") {
      loop = getRunningLoop();
      t0 = loop.time();
      print("main starts");
    } else print(`${name} starts`);
    try {
      if (name === "main") { for (const f of sc.futures) F[f] = loop.createFuture<string>(); }
      for (const a of steps) {
        switch (a.k) {
          case "sleep0":
            await sleep(0);
            print(`${name} sleep(0) done`);
            break;
          case "sleep":
            await sleep(secs(a.ms));
            print(`${name} sleep(${secs(a.ms)}) done`);
            break;
          case "awaitF":
            print(`${name} awaited ${a.f}: ${await F[a.f]}`);
            break;
          case "awaitT":
            print(`${name} awaited ${a.t}: ${await T[a.t]}`);
            break;
          case "gather": {
            const label = `${name} gather(${a.ts.join(" ")})`;
            const ts = a.ts.map((t) => T[t]);
            const r = a.retEx
              ? await gather(...ts, { returnExceptions: true })
              : await gather(...ts);
            print(`${label}: ${fmts(r)}`);
            break;
          }
          case "wait": {
            const label = `${name} wait(${a.ts.join(" ")})`;
            const opts: { returnWhen?: typeof FIRST_COMPLETED; timeout?: number } = {};
            if (a.first) opts.returnWhen = FIRST_COMPLETED;
            if (a.timeoutMs !== null) opts.timeout = secs(a.timeoutMs);
            const [done, pending] = await wait(a.ts.map((t) => T[t]), opts);
            print(`${label}: done ${names(done)} pending ${names(pending)}`);
            break;
          }
          default:
            act(a, name);
        }
      }
    } catch (e) {
      if (onCancel === "none" || !(e instanceof CancelledError)) throw e;
      print(`${name} caught CancelledError`);
      if (onCancel === "reraise") throw e;
      if (name !== "main") return `${name} caught`;
    }
    if (name === "main") {
      hooks.mainEnd?.();
      print("main ends");
    } else print(`${name} ends`);
    return name;
  }

  if (sc.shape === "loop") {
    loop = new EventLoop({ clock: new VirtualClock() });
    t0 = loop.time();
    for (const f of sc.futures) F[f] = loop.createFuture<string>();
    for (const a of sc.setup) act(a, "setup");
    loop.callAt(t0 + secs(sc.endMs), () => {
      print("stop");
      loop.stop();
    });
    await loop.runForever();
  } else {
    const main = () => taskBody("main", "return", [...sc.setup, ...sc.main]);
    await run(main, { clock: new VirtualClock() });
  }
  for (const [name, t] of Object.entries(T)) {
    print(`${name} ${t.cancelled() ? "cancelled" : t.done() ? t.result() : "pending"}`);
  }
  if (sc.shape === "loop") loop.close();
}
