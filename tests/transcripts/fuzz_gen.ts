/**
 * Generates the random ordering scenarios `fuzz_NN.py` / `fuzz_NN.ts` of this
 * directory: a differential test of the loop's ordering against CPython's
 * asyncio, on the transcript machinery (see README.md).
 *
 * ```sh
 * deno run --allow-write tests/transcripts/fuzz_gen.ts   # writes fuzz_00..fuzz_29 .py/.ts
 * deno fmt tests/transcripts/fuzz_*.ts                   # a no-op unless a line came out too long
 * bash tests/transcripts/record.sh $(cd tests/transcripts && ls fuzz_*.py | sed 's/\.py$//')
 * deno test -A --sanitize-ops --sanitize-resources tests/transcripts_test.ts
 * ```
 *
 * Each scenario comes from one fixed seed (printed in its header). It is a
 * small program (at most 25 operations) built at random from: `callSoon` /
 * `callLater` / `callAt` callbacks, some of which schedule more callbacks;
 * handles cancelled before they run (at once, by a callback queued before
 * them, or by a timer); tasks that await `sleep(0)`, `sleep(d)`, a future set
 * by a callback (with done callbacks), another task, a child task they
 * spawn, `gather` (with or without `returnExceptions`) or `wait`
 * (`FIRST_COMPLETED`, `timeout`); `task.cancel()` from a callback, another
 * task, the task itself or the setup, caught (and returned from) or
 * re-raised. It ends either with `loop.stop()` from a timer after
 * `runForever()`, or with `asyncio.run(main)` (which cancels what is left).
 * Every event prints one line, and the final state of every task is printed
 * at the end. No times are printed: CPython runs on the real clock.
 *
 * Determinism on CPython's real clock: all timer deadlines are multiples of
 * 10 ms, at least 20 ms after the time they are scheduled at and at least
 * 20 ms apart from each other (so jitter cannot reorder them, and equal
 * deadlines, which CPython's heap may reorder, never occur), and at most
 * 0.5 s. The generator checks this by running each candidate's TypeScript
 * side on the virtual clock, with the loop's `callLater`/`callAt` watched;
 * a candidate that breaks a rule, reports an error to the exception handler,
 * leaves a task pending at `stop()`, or leaves more than one task for
 * `asyncio.run` to cancel (CPython cancels those in `set` order) is dropped
 * and the seed's generator draws another.
 *
 * `SKIP_SEEDS` lists seeds whose scenario printed differently from CPython:
 * they are left out of the committed set, with the reason. To explore
 * further without touching this directory:
 * `--count 250 --first-seed 1000 --out /abs/dir` (then run the .py files
 * there and compare with the .ts ones).
 */
import * as lib from "../../mod.ts";

/** How many scenarios to write. */
const COUNT = 30;
/** The seed of the first scenario; the next ones take the next seeds. */
const FIRST_SEED = 1;
/** Seeds whose scenario differed from CPython (kept out; see the reason). */
const SKIP_SEEDS: Record<number, string> = {
  // gather() of tasks already done: CPython 3.11 completes it one iteration
  // later (done callbacks via call_soon); ours completes it at once, as 3.12+.
  11: "gather of done children completes eagerly (3.12+)",
  29: "gather of done children completes eagerly (3.12+)",
};
/** Minimum distance between any two deadlines, and from scheduling to deadline (ms). */
const GAP_MS = 20;
/** Latest deadline, and latest stop() (ms). */
const LIMIT_MS = 500;
/** Most operations in one scenario. */
const MAX_OPS = 25;

// ---------------------------------------------------------------- random

class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = (seed * 0x9e3779b1) >>> 0;
  }
  /** mulberry32: a float in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  /** `n` distinct elements of `xs`, in their order in `xs`. */
  some<T>(xs: readonly T[], n: number): T[] {
    const idx = xs.map((_, i) => i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    return idx.slice(0, n).sort((a, b) => a - b).map((i) => xs[i]);
  }
  weighted<K extends string>(table: Record<K, number>): K {
    const entries = Object.entries(table) as [K, number][];
    let r = this.next() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1][0];
  }
}

// ---------------------------------------------------------------- model

type Via = "soon" | "later" | "at";

interface Cb {
  name: string;
  acts: Act[];
}

interface TaskDef {
  name: string;
  steps: Act[];
  onCancel: "reraise" | "return" | "none";
  /** Tasks it may await have a lower rank (setup tasks: their index). */
  rank: number;
}

type Act =
  | { k: "cb"; via: Via; ms: number; abs: boolean; cb: Cb }
  | {
    k: "handle";
    via: Via;
    ms: number;
    abs: boolean;
    h: string;
    /** Cancelled at once, or by a callback scheduled just before the handle. */
    cancel: "now" | { via: Via; ms: number; abs: boolean; cb: Cb };
  }
  | { k: "cancelH"; h: string }
  | { k: "task"; t: TaskDef }
  | { k: "cancelT"; t: string }
  | { k: "setF"; f: string }
  | { k: "doneCb"; f: string }
  | { k: "sleep0" }
  | { k: "sleep"; ms: number }
  | { k: "awaitF"; f: string }
  | { k: "awaitT"; t: string }
  | { k: "gather"; ts: string[]; retEx: boolean }
  | { k: "wait"; ts: string[]; first: boolean; timeoutMs: number | null };

interface Host {
  acts: Act[];
  owner: string;
  kind: "setup" | "cb" | "task" | "main";
  /** Runs whatever happens (never cancelled, no await before it). */
  uncond: boolean;
  depth: number;
  rank: number;
}

interface Scenario {
  seed: number;
  shape: "loop" | "main";
  ops: number;
  setup: Act[];
  main: Act[];
  cbs: Cb[];
  handles: string[];
  tasks: TaskDef[];
  futures: string[];
}

const ms2s = (ms: number) => String(ms / 1000);

function generate(rng: Rng, seed: number): Scenario {
  const shape = rng.chance(0.5) ? "loop" : "main";
  const sc: Scenario = {
    seed,
    shape,
    ops: 0,
    setup: [],
    main: [],
    cbs: [],
    handles: [],
    tasks: [],
    futures: [],
  };
  const budget = rng.int(12, MAX_OPS);
  const setupHost: Host = {
    acts: sc.setup,
    owner: shape === "loop" ? "setup" : "main",
    kind: "setup",
    uncond: true,
    depth: 0,
    rank: Infinity,
  };
  const hosts: Host[] = [setupHost];
  if (shape === "main") {
    hosts.push({
      acts: sc.main,
      owner: "main",
      kind: "main",
      uncond: false,
      depth: 0,
      rank: Infinity,
    });
  }
  const setupTasks: TaskDef[] = [];
  const newTask = (rank: number): TaskDef => {
    const t: TaskDef = {
      name: `t${sc.tasks.length + 1}`,
      steps: [],
      onCancel: rng.weighted({ reraise: 4, return: 4, none: 2 }),
      rank,
    };
    sc.tasks.push(t);
    hosts.push({ acts: t.steps, owner: t.name, kind: "task", uncond: false, depth: 0, rank });
    return t;
  };
  const newCb = (host: Host): Cb => {
    const cb: Cb = { name: `c${sc.cbs.length + 1}`, acts: [] };
    sc.cbs.push(cb);
    hosts.push({
      acts: cb.acts,
      owner: cb.name,
      kind: "cb",
      uncond: host.uncond,
      depth: host.depth + 1,
      rank: Infinity,
    });
    return cb;
  };
  const when = (host: Host, via: Via) => {
    const abs = via === "at" && host.kind === "setup";
    return { abs, ms: abs ? rng.int(2, 45) * 10 : rng.int(2, 25) * 10 };
  };
  const insertAt = (acts: Act[], ...xs: Act[]) => {
    acts.splice(rng.int(0, acts.length), 0, ...xs);
  };

  const nTasks = rng.int(1, 4);
  for (let i = 0; i < nTasks; i++) {
    const t = newTask(i);
    setupTasks.push(t);
    sc.setup.push({ k: "task", t });
    sc.ops++;
  }

  const awaiting = () => hosts.filter((h) => h.kind === "task" || h.kind === "main");
  const lower = (h: Host) => setupTasks.filter((t) => t.rank < h.rank).map((t) => t.name);

  for (let tries = 0; sc.ops < budget && tries < 200; tries++) {
    const kind = rng.weighted({
      cb: 3,
      handle: 1.5,
      sleep0: 2,
      sleep: 2,
      awaitT: 1.5,
      gather: 1,
      wait: 1,
      future: 1.5,
      cancelT: 1.5,
      spawn: 1,
    });
    const room = budget - sc.ops;
    switch (kind) {
      case "cb": {
        const host = rng.pick(hosts.filter((h) => h.depth < 3));
        const via = rng.pick(["soon", "later", "at"] as const);
        const cb = newCb(host);
        host.acts.push({ k: "cb", via, ...when(host, via), cb });
        sc.ops++;
        break;
      }
      case "handle": {
        if (room < 2) break;
        const host = rng.pick(hosts.filter((h) => h.depth < 3));
        const h = `h${sc.handles.length + 1}`;
        sc.handles.push(h);
        const via = rng.pick(["soon", "later", "at"] as const);
        const style = rng.pick(["now", "soon", "timer"] as const);
        let cancel: (Act & { k: "handle" })["cancel"] = "now";
        if (style !== "now") {
          // A canceller scheduled just before the handle (H[h] exists when it runs).
          const cb = newCb(host);
          cb.acts.push({ k: "cancelH", h });
          const cvia = style === "soon" ? "soon" : rng.pick(["later", "at"] as const);
          cancel = { via: cvia, ...when(host, cvia), cb };
        }
        insertAt(host.acts, { k: "handle", via, ...when(host, via), h, cancel });
        sc.ops += 2;
        break;
      }
      case "sleep0":
      case "sleep": {
        const host = rng.pick(awaiting());
        insertAt(
          host.acts,
          kind === "sleep0" ? { k: "sleep0" } : { k: "sleep", ms: rng.int(2, 20) * 10 },
        );
        sc.ops++;
        break;
      }
      case "awaitT":
      case "gather":
      case "wait": {
        const host = rng.pick(awaiting());
        const cands = lower(host);
        if (cands.length === 0) break;
        if (kind === "awaitT") {
          insertAt(host.acts, { k: "awaitT", t: rng.pick(cands) });
        } else if (kind === "gather") {
          const ts = rng.some(cands, rng.int(Math.min(2, cands.length), Math.min(3, cands.length)));
          insertAt(host.acts, { k: "gather", ts, retEx: rng.chance(0.5) });
        } else {
          const ts = rng.some(cands, rng.int(1, Math.min(3, cands.length)));
          const timeoutMs = rng.chance(0.35) ? rng.int(2, 15) * 10 : null;
          insertAt(host.acts, { k: "wait", ts, first: rng.chance(0.5), timeoutMs });
        }
        sc.ops++;
        break;
      }
      case "future": {
        if (room < 3) break;
        const f = `f${sc.futures.length + 1}`;
        sc.futures.push(f);
        insertAt(rng.pick(awaiting()).acts, { k: "awaitF", f });
        sc.ops += 2; // create + await
        if (room >= 4 && rng.chance(0.3)) {
          insertAt(rng.pick(awaiting()).acts, { k: "awaitF", f });
          sc.ops++;
        }
        if (sc.ops < budget && rng.chance(0.4)) {
          sc.setup.push({ k: "doneCb", f });
          sc.ops++;
        }
        // The setter runs whatever happens: in the setup, in an unconditional
        // callback, or in a new timer callback of the setup.
        const uncond = hosts.filter((h) => h.uncond && h.kind !== "setup");
        if (rng.chance(0.1)) sc.setup.push({ k: "setF", f });
        else if (uncond.length > 0 && rng.chance(0.5)) rng.pick(uncond).acts.push({ k: "setF", f });
        else {
          const via = rng.pick(["later", "at"] as const);
          const cb = newCb(setupHost);
          cb.acts.push({ k: "setF", f });
          sc.setup.push({ k: "cb", via, ...when(setupHost, via), cb });
        }
        sc.ops++;
        break;
      }
      case "cancelT": {
        const host = rng.pick(hosts);
        const target = rng.pick(setupTasks);
        if (host.kind === "setup" || host.kind === "main") {
          host.acts.push({ k: "cancelT", t: target.name });
        } else insertAt(host.acts, { k: "cancelT", t: target.name });
        sc.ops++;
        break;
      }
      case "spawn": {
        const host = rng.pick(hosts.filter((h) => h.kind !== "setup"));
        const child = newTask(host.kind === "cb" ? Infinity : host.rank);
        const at = rng.int(0, host.acts.length);
        const acts: Act[] = [{ k: "task", t: child }];
        if (host.kind !== "cb" && room >= 2 && rng.chance(0.6)) {
          acts.push({ k: "awaitT", t: child.name });
          sc.ops++;
        }
        host.acts.splice(at, 0, ...acts);
        sc.ops++;
        break;
      }
    }
  }
  for (const t of sc.tasks) if (t.steps.length === 0) t.onCancel = "none";
  return sc;
}

// ---------------------------------------------------------------- rendering

class Out {
  py: string[] = [];
  ts: string[] = [];
  p(indent: number, line: string) {
    this.py.push(line === "" ? "" : "    ".repeat(indent) + line);
  }
  t(indent: number, line: string) {
    this.ts.push(line === "" ? "" : "  ".repeat(indent) + line);
  }
}

interface Flags {
  fmts: boolean;
  names: boolean;
  py: boolean;
  imports: Set<string>;
}

class Renderer {
  o = new Out();
  flags: Flags = { fmts: false, names: false, py: false, imports: new Set() };
  constructor(
    readonly sc: Scenario,
    readonly evalMode: boolean,
    readonly modUrl = "../../mod.ts",
  ) {}

  /** A TypeScript type annotation, left out when the body is evaluated as JavaScript. */
  ty(s: string): string {
    return this.evalMode ? "" : s;
  }
  use(...names: string[]) {
    for (const n of names) this.flags.imports.add(n);
  }

  schedule(a: { via: Via; ms: number; abs: boolean }, fn: string): [string, string] {
    if (a.via === "soon") return [`loop.call_soon(${fn})`, `loop.callSoon(${fn})`];
    if (a.via === "later") {
      return [`loop.call_later(${ms2s(a.ms)}, ${fn})`, `loop.callLater(${ms2s(a.ms)}, ${fn})`];
    }
    const base = a.abs ? "t0" : "loop.time()";
    return [
      `loop.call_at(${base} + ${ms2s(a.ms)}, ${fn})`,
      `loop.callAt(${base} + ${ms2s(a.ms)}, ${fn})`,
    ];
  }

  act(a: Act, owner: string, pi: number, ti: number) {
    const o = this.o;
    switch (a.k) {
      case "cb": {
        const [p, t] = this.schedule(a, a.cb.name);
        o.p(pi, p);
        o.t(ti, `${t};`);
        break;
      }
      case "handle": {
        if (a.cancel !== "now") this.act({ k: "cb", ...a.cancel }, owner, pi, ti);
        const [p, t] = this.schedule(a, a.h);
        o.p(pi, `H['${a.h}'] = ${p}`);
        o.t(ti, `H.${a.h} = ${t};`);
        if (a.cancel === "now") this.act({ k: "cancelH", h: a.h }, owner, pi, ti);
        break;
      }
      case "cancelH":
        o.p(pi, `print('${owner} cancels ${a.h}')`);
        o.p(pi, `H['${a.h}'].cancel()`);
        o.t(ti, `print("${owner} cancels ${a.h}");`);
        o.t(ti, `H.${a.h}.cancel();`);
        break;
      case "task":
        o.p(pi, `T['${a.t.name}'] = loop.create_task(${a.t.name}())`);
        o.t(ti, `T.${a.t.name} = loop.createTask(${a.t.name});`);
        break;
      case "cancelT":
        this.flags.py = true;
        o.p(pi, `print('${owner} cancels ${a.t}:', T['${a.t}'].cancel())`);
        o.t(ti, `print(\`${owner} cancels ${a.t}: \${py(T.${a.t}.cancel())}\`);`);
        break;
      case "setF":
        this.flags.py = true;
        o.p(pi, `if F['${a.f}'].done():`);
        o.p(pi + 1, `print('${owner}: ${a.f} already done, cancelled', F['${a.f}'].cancelled())`);
        o.p(pi, "else:");
        o.p(pi + 1, `print('${owner} sets ${a.f}')`);
        o.p(pi + 1, `F['${a.f}'].set_result('${a.f}-value')`);
        o.t(ti, `if (F.${a.f}.done()) {`);
        o.t(
          ti + 1,
          `print(\`${owner}: ${a.f} already done, cancelled \${py(F.${a.f}.cancelled())}\`);`,
        );
        o.t(ti, "} else {");
        o.t(ti + 1, `print("${owner} sets ${a.f}");`);
        o.t(ti + 1, `F.${a.f}.setResult("${a.f}-value");`);
        o.t(ti, "}");
        break;
      case "doneCb":
        this.flags.py = true;
        o.p(
          pi,
          `F['${a.f}'].add_done_callback(lambda f: print('${a.f} done callback, cancelled', f.cancelled()))`,
        );
        o.t(
          ti,
          `F.${a.f}.addDoneCallback((f) => print(\`${a.f} done callback, cancelled \${py(f.cancelled())}\`));`,
        );
        break;
      case "sleep0":
        this.use("sleep");
        o.p(pi, "await asyncio.sleep(0)");
        o.p(pi, `print('${owner} sleep(0) done')`);
        o.t(ti, "await sleep(0);");
        o.t(ti, `print("${owner} sleep(0) done");`);
        break;
      case "sleep":
        this.use("sleep");
        o.p(pi, `await asyncio.sleep(${ms2s(a.ms)})`);
        o.p(pi, `print('${owner} sleep(${ms2s(a.ms)}) done')`);
        o.t(ti, `await sleep(${ms2s(a.ms)});`);
        o.t(ti, `print("${owner} sleep(${ms2s(a.ms)}) done");`);
        break;
      case "awaitF":
        o.p(pi, `print('${owner} awaited ${a.f}:', await F['${a.f}'])`);
        o.t(ti, `print(\`${owner} awaited ${a.f}: \${await F.${a.f}}\`);`);
        break;
      case "awaitT":
        o.p(pi, `print('${owner} awaited ${a.t}:', await T['${a.t}'])`);
        o.t(ti, `print(\`${owner} awaited ${a.t}: \${await T.${a.t}}\`);`);
        break;
      case "gather": {
        this.flags.fmts = true;
        this.use("gather");
        const label = `${owner} gather(${a.ts.join(" ")})`;
        const pyArgs = a.ts.map((t) => `T['${t}']`).join(", ") +
          (a.retEx ? ", return_exceptions=True" : "");
        const tsArgs = a.ts.map((t) => `T.${t}`).join(", ") +
          (a.retEx ? ", { returnExceptions: true }" : "");
        o.p(pi, `print('${label}:', fmts(await asyncio.gather(${pyArgs})))`);
        o.t(ti, `print(\`${label}: \${fmts(await gather(${tsArgs}))}\`);`);
        break;
      }
      case "wait": {
        this.flags.names = true;
        this.use("wait");
        const label = `${owner} wait(${a.ts.join(" ")})`;
        const pyKw: string[] = [];
        const tsKw: string[] = [];
        if (a.first) {
          pyKw.push("return_when=asyncio.FIRST_COMPLETED");
          tsKw.push("returnWhen: FIRST_COMPLETED");
          this.use("FIRST_COMPLETED");
        }
        if (a.timeoutMs !== null) {
          pyKw.push(`timeout=${ms2s(a.timeoutMs)}`);
          tsKw.push(`timeout: ${ms2s(a.timeoutMs)}`);
        }
        const pyList = `[${a.ts.map((t) => `T['${t}']`).join(", ")}]`;
        const tsList = `[${a.ts.map((t) => `T.${t}`).join(", ")}]`;
        o.p(pi, `done, pending = await asyncio.wait(${[pyList, ...pyKw].join(", ")})`);
        o.p(pi, `print('${label}: done', names(done), 'pending', names(pending))`);
        const opts = tsKw.length > 0 ? `, { ${tsKw.join(", ")} }` : "";
        o.t(ti, "{");
        o.t(ti + 1, `const [done, pending] = await wait(${tsList}${opts});`);
        o.t(ti + 1, `print(\`${label}: done \${names(done)} pending \${names(pending)}\`);`);
        o.t(ti, "}");
        break;
      }
    }
  }

  acts(acts: Act[], owner: string, pi: number, ti: number) {
    for (const a of acts) this.act(a, owner, pi, ti);
  }

  /** A task body with its CancelledError handler; `body` renders at (pi, ti). */
  guarded(
    name: string,
    onCancel: TaskDef["onCancel"],
    pi: number,
    ti: number,
    body: (pi: number, ti: number) => void,
    after: (pi: number, ti: number) => void,
  ) {
    const o = this.o;
    if (onCancel === "none") {
      body(pi, ti);
      after(pi, ti);
      return;
    }
    this.use("CancelledError");
    o.p(pi, "try:");
    o.t(ti, "try {");
    body(pi + 1, ti + 1);
    o.p(pi, "except asyncio.CancelledError:");
    o.p(pi + 1, `print('${name} caught CancelledError')`);
    if (onCancel === "reraise") o.p(pi + 1, "raise");
    else if (name !== "main") o.p(pi + 1, `return '${name} caught'`);
    o.t(ti, "} catch (e) {");
    o.t(ti + 1, "if (!(e instanceof CancelledError)) throw e;");
    o.t(ti + 1, `print("${name} caught CancelledError");`);
    if (onCancel === "reraise") o.t(ti + 1, "throw e;");
    else if (name !== "main") o.t(ti + 1, `return "${name} caught";`);
    o.t(ti, "}");
    after(pi, ti);
  }

  render(endMs: number): { py: string; ts: string } {
    const sc = this.sc;
    const o = this.o;
    const usesT0 = (acts: Act[]): boolean =>
      acts.some((a) =>
        (a.k === "cb" && a.abs) ||
        (a.k === "handle" && (a.abs || (a.cancel !== "now" && a.cancel.abs)))
      );
    const needT0 = sc.shape === "loop" || usesT0(sc.setup);

    // Definitions first, collected separately so the helpers can be added on top.
    const defsPy: string[] = [];
    const defsTs: string[] = [];
    const grab = (f: () => void, py = defsPy, ts = defsTs) => {
      const [np, nt] = [o.py.length, o.ts.length];
      f();
      py.push(...o.py.splice(np));
      ts.push(...o.ts.splice(nt));
    };
    for (const cb of sc.cbs) {
      grab(() => {
        o.p(0, `def ${cb.name}():`);
        o.p(1, `print('${cb.name} runs')`);
        o.t(1, `function ${cb.name}()${this.ty(": void")} {`);
        o.t(2, `print("${cb.name} runs");`);
        this.acts(cb.acts, cb.name, 1, 2);
        o.t(1, "}");
        o.p(0, "");
        o.p(0, "");
      });
    }
    for (const h of sc.handles) {
      grab(() => {
        o.p(0, `def ${h}():`);
        o.p(1, `print('${h} runs')`);
        o.p(0, "");
        o.p(0, "");
        o.t(1, `function ${h}()${this.ty(": void")} {`);
        o.t(2, `print("${h} runs");`);
        o.t(1, "}");
      });
    }
    for (const t of sc.tasks) {
      grab(() => {
        o.p(0, `async def ${t.name}():`);
        o.p(1, `print('${t.name} starts')`);
        const awaits = ["sleep0", "sleep", "awaitF", "awaitT", "gather", "wait"];
        if (!this.evalMode && !t.steps.some((a) => awaits.includes(a.k))) {
          o.t(1, "// deno-lint-ignore require-await");
        }
        o.t(1, `async function ${t.name}()${this.ty(": Promise<string>")} {`);
        o.t(2, `print("${t.name} starts");`);
        this.guarded(t.name, t.onCancel, 1, 2, (pi, ti) => this.acts(t.steps, t.name, pi, ti), (
          pi,
          ti,
        ) => {
          o.p(pi, `print('${t.name} ends')`);
          o.p(pi, `return '${t.name}'`);
          o.t(ti, `print("${t.name} ends");`);
          o.t(ti, `return "${t.name}";`);
        });
        o.t(1, "}");
        o.p(0, "");
        o.p(0, "");
      });
    }
    const setupFutures = (pi: number, ti: number) => {
      for (const f of sc.futures) {
        o.p(pi, `F['${f}'] = loop.create_future()`);
        o.t(ti, `F.${f} = loop.createFuture${this.ty("<string>")}();`);
      }
    };
    const bodyPy: string[] = [];
    const bodyTs: string[] = [];
    grab(() => {
      if (sc.shape === "loop") {
        o.p(0, "def stop():");
        o.p(1, "print('stop')");
        o.p(1, "loop.stop()");
        o.p(0, "");
        o.p(0, "");
        o.t(1, `function stop()${this.ty(": void")} {`);
        o.t(2, 'print("stop");');
        o.t(2, "loop.stop();");
        o.t(1, "}");
      } else {
        this.use("getRunningLoop");
        o.p(0, "async def main():");
        o.p(1, `global loop${needT0 ? ", t0" : ""}`);
        o.p(1, "loop = asyncio.get_running_loop()");
        if (needT0) o.p(1, "t0 = loop.time()");
        o.p(1, "print('main starts')");
        o.t(1, `async function main()${this.ty(": Promise<void>")} {`);
        o.t(2, "loop = getRunningLoop();");
        if (needT0) o.t(2, "t0 = loop.time();");
        o.t(2, 'print("main starts");');
        this.guarded("main", "return", 1, 2, (pi, ti) => {
          setupFutures(pi, ti);
          this.acts(sc.setup, "main", pi, ti);
          this.acts(sc.main, "main", pi, ti);
        }, (pi, ti) => {
          if (this.evalMode) o.t(ti, "__mainEnd();");
          o.p(pi, "print('main ends')");
          o.t(ti, 'print("main ends");');
        });
        o.t(1, "}");
        o.p(0, "");
        o.p(0, "");
      }
    });
    grab(
      () => {
        if (sc.shape === "loop") {
          setupFutures(0, 1);
          this.acts(sc.setup, "setup", 0, 1);
          o.p(0, `loop.call_at(t0 + ${ms2s(endMs)}, stop)`);
          o.p(0, "loop.run_forever()");
          o.t(1, `loop.callAt(t0 + ${ms2s(endMs)}, stop);`);
          o.t(1, "await loop.runForever();");
        } else {
          this.use("run", "VirtualClock");
          o.p(0, "asyncio.run(main())");
          o.t(1, "await run(main, { clock: new VirtualClock() });");
        }
        o.p(0, "for name, t in T.items():");
        o.p(
          1,
          "print(name, 'cancelled' if t.cancelled() else t.result() if t.done() else 'pending')",
        );
        o.t(1, "for (const [name, t] of Object.entries(T)) {");
        o.t(
          2,
          'print(`${name} ${t.cancelled() ? "cancelled" : t.done() ? t.result() : "pending"}`);',
        );
        o.t(1, "}");
        if (sc.shape === "loop") {
          o.p(0, "loop.close()");
          o.t(1, "loop.close();");
        }
      },
      bodyPy,
      bodyTs,
    );

    // Header and helpers.
    const f = this.flags;
    const hp: string[] = [];
    const ht: string[] = [];
    const name = `fuzz seed ${sc.seed}`;
    hp.push(
      `# Generated by fuzz_gen.ts (${name}, ${sc.ops} operations): do not edit, regenerate.`,
      `# ${describe(sc)}`,
      "import asyncio",
      "",
      "T = {}",
      "F = {}",
      "H = {}",
    );
    if (sc.shape === "main") hp.push("loop = None", ...(needT0 ? ["t0 = 0.0"] : []));
    hp.push("", "");
    if (f.fmts) {
      hp.push(
        "def fmts(xs):",
        "    return ' '.join('CancelledError' if isinstance(x, asyncio.CancelledError) else str(x) for x in xs)",
        "",
        "",
      );
    }
    if (f.names) {
      hp.push(
        "def names(s):",
        "    return ' '.join(n for n, t in T.items() if t in s) or '-'",
        "",
        "",
      );
    }
    if (sc.shape === "loop") hp.push("loop = asyncio.new_event_loop()", "t0 = loop.time()", "", "");

    this.use("Task");
    if (sc.futures.length > 0) this.use("Future");
    if (sc.handles.length > 0) this.use("Handle");
    if (f.names) this.use("Future");
    if (f.fmts) this.use("CancelledError");
    ht.push(`  const T${this.ty(": Record<string, Task<string>>")} = {};`);
    if (sc.futures.length > 0) {
      ht.push(`  const F${this.ty(": Record<string, Future<string>>")} = {};`);
    }
    if (sc.handles.length > 0) ht.push(`  const H${this.ty(": Record<string, Handle>")} = {};`);
    if (f.py) ht.push(`  const py = (b${this.ty(": boolean")}) => (b ? "True" : "False");`);
    if (f.fmts) {
      ht.push(
        `  const fmts = (xs${this.ty(": readonly unknown[]")}) =>`,
        '    xs.map((x) => (x instanceof CancelledError ? "CancelledError" : String(x))).join(" ");',
      );
    }
    if (f.names) {
      ht.push(
        `  const names = (s${this.ty(": Set<Future<string>>")}) =>`,
        '    Object.keys(T).filter((n) => s.has(T[n])).join(" ") || "-";',
      );
    }
    if (sc.shape === "loop") {
      this.use("EventLoop", "VirtualClock");
      ht.push(
        "  const loop = new EventLoop({ clock: new VirtualClock() });",
        "  const t0 = loop.time();",
      );
    } else {
      this.use("EventLoop");
      ht.push(`  let loop${this.ty("!: EventLoop")};`);
      if (needT0) ht.push("  let t0 = 0;");
    }
    ht.push("");
    const ts = [...ht, ...bodyTsJoin(defsTs), "", ...bodyTs].join("\n");
    const py = [...hp, ...defsPy, ...bodyPy].join("\n") + "\n";
    if (this.evalMode) return { py, ts };
    const types = new Set(["Task", "Future", "Handle", "EventLoop"]);
    const imports = [...f.imports].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))
      .map((n) => (types.has(n) && !(n === "EventLoop" && sc.shape === "loop") ? `type ${n}` : n));
    const importLine = `import { ${imports.join(", ")} } from "${this.modUrl}";`;
    const tsFile = [
      `// Generated by fuzz_gen.ts (${name}, ${sc.ops} operations): do not edit, regenerate.`,
      `// ${describe(sc)}`,
      importLine.length <= 100
        ? importLine
        : ["import {", ...imports.map((n) => `  ${n},`), `} from "${this.modUrl}";`].join("\n"),
      "",
      "export default async function (print: (line: string) => void): Promise<void> {",
      ts,
      "}",
      "",
    ].join("\n");
    return { py, ts: tsFile };
  }
}

/** The TS definitions, separated by blank lines as deno fmt keeps them. */
function bodyTsJoin(lines: string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    if (
      /^ {2}(async function|function|\/\/ deno-lint)/.test(l) &&
      !/^ {2}\/\/ deno-lint/.test(out.at(-1) ?? "") && out.length > 0
    ) out.push("");
    out.push(l);
  }
  return out;
}

function describe(sc: Scenario): string {
  const kinds = new Set<string>();
  const walk = (acts: Act[]) => {
    for (const a of acts) {
      if (a.k === "cb" || a.k === "handle") {
        kinds.add(a.via === "soon" ? "call_soon" : `call_${a.via}`);
      }
      if (a.k === "cb") walk(a.cb.acts);
      if (a.k === "cancelH") kinds.add("handle.cancel");
      if (a.k === "cancelT") kinds.add("task.cancel");
      if (a.k === "sleep0") kinds.add("sleep(0)");
      if (a.k === "sleep") kinds.add("sleep");
      if (a.k === "awaitF") kinds.add("await future");
      if (a.k === "doneCb") kinds.add("done callback");
      if (a.k === "awaitT") kinds.add("await task");
      if (a.k === "gather") kinds.add("gather");
      if (a.k === "wait") kinds.add("wait");
    }
  };
  walk(sc.setup);
  walk(sc.main);
  for (const t of sc.tasks) walk(t.steps);
  for (const cb of sc.cbs) walk(cb.acts);
  const end = sc.shape === "loop" ? "run_forever + stop()" : "asyncio.run(main)";
  return `${end}; ${sc.tasks.length} tasks; ${[...kinds].sort().join(", ")}`;
}

// ---------------------------------------------------------------- validation

interface Timer {
  now: number;
  when: number;
}
let timers: Timer[] = [];
let errors: string[] = [];
const verbose = Deno.args.includes("--verbose");
{
  const proto = lib.EventLoop.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const later = proto.callLater;
  const at = proto.callAt;
  proto.callLater = function (this: lib.EventLoop, ...args: unknown[]) {
    timers.push({ now: this.time(), when: this.time() + (args[0] as number) });
    return later.apply(this, args);
  };
  proto.callAt = function (this: lib.EventLoop, ...args: unknown[]) {
    timers.push({ now: this.time(), when: args[0] as number });
    return at.apply(this, args);
  };
  const handler = proto.callExceptionHandler;
  proto.callExceptionHandler = function (this: lib.EventLoop, ...args: unknown[]) {
    errors.push(String((args[0] as { message?: string }).message));
    if (verbose) return handler.apply(this, args);
  };
}

const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (
  ...args: unknown[]
) => Promise<void>;

interface Check {
  ok: boolean;
  why: string;
  lines: string[];
  endMs: number;
}

async function check(sc: Scenario, endMs: number): Promise<Check> {
  const r = new Renderer(sc, true);
  const { ts } = r.render(endMs);
  const names = [...r.flags.imports].filter((n) => !["Task", "Future", "Handle"].includes(n));
  if (!names.includes("EventLoop")) names.push("EventLoop");
  const body = `const { ${names.join(", ")} } = lib;\n${ts}`;
  timers = [];
  errors = [];
  const lines: string[] = [];
  let lastMs = 0;
  let leftover = 0;
  const print = (line: string) => {
    lines.push(line);
    if (line === "stop") return;
    try {
      lastMs = Math.max(lastMs, lib.getRunningLoop().time() * 1000);
    } catch { /* after the run */ }
  };
  const mainEnd = () => {
    leftover = [...lib.allTasks()].filter((t) => !t.done()).length - 1;
  };
  const fail = (why: string): Check => ({ ok: false, why, lines, endMs: 0 });
  try {
    await new AsyncFunction("lib", "print", "__mainEnd", body)(lib, print, mainEnd);
  } catch (e) {
    return fail(`threw ${e}`);
  }
  if (errors.length > 0) return fail(`exception handler: ${errors.join("; ")}`);
  if (lines.some((l) => / pending$/.test(l))) return fail("a task is pending at the end");
  if (leftover > 1) return fail(`${leftover} tasks left for asyncio.run to cancel`);
  const ms = timers.map((t) => ({ now: Math.round(t.now * 1000), when: Math.round(t.when * 1000) }))
    .filter((t) => t.when < 5000); // the provisional stop()
  for (const t of ms) {
    if (t.when - t.now < GAP_MS) return fail(`timer at ${t.when} ms scheduled at ${t.now} ms`);
  }
  const whens = ms.map((t) => t.when).sort((a, b) => a - b);
  for (let i = 1; i < whens.length; i++) {
    if (whens[i] - whens[i - 1] < GAP_MS) {
      return fail(`deadlines ${whens[i - 1]} and ${whens[i]} ms are too close`);
    }
  }
  const last = Math.max(lastMs, whens.at(-1) ?? 0);
  const end = Math.ceil((last + 30) / 10) * 10;
  if (end > LIMIT_MS) return fail(`runs until ${last} ms`);
  return { ok: true, why: "", lines, endMs: end };
}

// ---------------------------------------------------------------- main

if (import.meta.main) {
  // Options, for exploring beyond the committed set: --count N, --first-seed S,
  // --out /abs/dir (write there, importing mod.ts by absolute URL), --verbose.
  const opt = (name: string, fallback: string) => {
    const i = Deno.args.indexOf(name);
    return i >= 0 ? Deno.args[i + 1] : fallback;
  };
  const count = Number(opt("--count", String(COUNT)));
  const out = opt("--out", "");
  if (out !== "" && !out.startsWith("/")) throw new Error("--out takes an absolute path");
  const dir = out === "" ? new URL("./", import.meta.url) : new URL(`file://${out}/`);
  const modUrl = out === "" ? "../../mod.ts" : new URL("../../mod.ts", import.meta.url).href;
  let seed = Number(opt("--first-seed", String(FIRST_SEED)));
  for (let n = 0; n < count; seed++) {
    if (seed in SKIP_SEEDS) continue;
    const rng = new Rng(seed);
    let attempts = 0;
    for (;;) {
      attempts++;
      const sc = generate(rng, seed);
      const first = await check(sc, 10_000);
      if (!first.ok) {
        if (verbose) console.log(`  seed ${seed} attempt ${attempts}: ${first.why}`);
        continue;
      }
      const final = await check(sc, first.endMs);
      if (!final.ok || final.lines.join("\n") !== first.lines.join("\n")) continue;
      const { py, ts } = new Renderer(sc, false, modUrl).render(
        sc.shape === "loop" ? first.endMs : 0,
      );
      const name = `fuzz_${String(n).padStart(2, "0")}`;
      Deno.writeTextFileSync(new URL(`${name}.py`, dir), py);
      Deno.writeTextFileSync(new URL(`${name}.ts`, dir), ts);
      console.log(
        `${name}: seed ${seed}, ${sc.shape}, ${sc.ops} ops, ${final.lines.length} lines, ` +
          `attempt ${attempts}`,
      );
      break;
    }
    n++;
  }
}
