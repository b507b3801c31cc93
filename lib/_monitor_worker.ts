// The monitor's Worker (lib/_monitor.ts starts it): it listens for clients,
// checks each one's token, and passes their requests to the loop's thread,
// which answers between callbacks. It runs on a thread of its own so that it
// can still answer while that thread is blocked: it then says so from the
// shared memory (lib/_monitor_shared.ts), with what runs and since when,
// and gives the last answer the loop's thread made to that command.
//
// It also keeps the coarse clock the loop's thread reads: every millisecond
// or two while the loop is busy; while the loop idles it stops, and the
// loop's thread restarts it when it wakes.
//
// Why one self-contained function: Deno asks for read permission to load a
// Worker's module from a file, and a program that may listen on loopback
// need not be allowed to read. The Worker is started from a `data:` URL
// made of this function's source (`String(monitorWorker)`), so its code
// may use only globals and its parameters: no imports, no module scope.
//
// Protocol (one JSON object per line, both ways; see monitor/client.ts):
//   client: {"hello":"asyncio-monitor","token":"…"}
//   server: {"ok":true,"pid":…,"program":"…","version":1}  (or ok:false, then closes)
//   client: {"id":1,"cmd":"ps","args":{…}}
//   server: {"id":1,"ok":true,"data":…,"loop":{"blocked":…,"blocks":[…]},"stale":s?}
import type { BlockInfo, WorkerInit } from "./_monitor_shared.ts";

/** The loop's thread, as `node:worker_threads`' `parentPort` shows it. */
export interface ParentPort {
  on(event: "message", listener: (message: never) => void): void;
  postMessage(message: unknown): void;
}

/** The Worker's whole program (see the notes above: self-contained). */
export function monitorWorker(init: WorkerInit, port: ParentPort): void {
  const L = init.layout;
  // The wire protocol's version (the client checks it).
  const VERSION = 1;
  // A client must say hello (with the token) this soon, in milliseconds.
  const HELLO_MS = 5000;
  // A request line longer than this ends the connection.
  const MAX_LINE = 1 << 20;
  // The loop idle this long (ms): the clock stops until it wakes.
  const CLOCK_REST_MS = 100;
  // How often the Worker looks for a blocked loop (ms).
  const POLL_MS = 50;
  // Commands whose last answer is shown (marked stale) while the loop is blocked.
  const CACHED = new Set(["ps", "top", "pstree", "resources", "tasks", "warnings", "info"]);

  const f64 = new Float64Array(init.buffer, 0, 2);
  const i32 = new Int32Array(init.buffer, 0, L.HEADER_BYTES / 4);
  const arena = new Uint8Array(init.buffer, L.HEADER_BYTES);
  // Follows the table's growth (a view of a growable buffer with no length given).
  const tasks = new Int32Array(init.tasks);
  const blockedAfterMs = init.blockedAfter * 1000;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const epochNow = () => performance.timeOrigin + performance.now();
  const origin = f64[L.ORIGIN];
  const ticksNow = () => Math.round((epochNow() - origin) * L.TICKS_PER_MS);

  /** The name a reference in NAME or the task table stands for (lib/_monitor_shared.ts `NameArena`). */
  const nameAt = (ref: number): string => {
    if (ref < 0) return `Task-${-ref}`;
    if (ref === 0) return "";
    const at = ref - 1;
    if (at + 2 > arena.length) return "?";
    const length = arena[at] | (arena[at + 1] << 8);
    // Copied out: TextDecoder does not read shared memory.
    return decoder.decode(arena.slice(at + 2, Math.min(arena.length, at + 2 + length)));
  };

  // ---- The coarse clock ----------------------------------------------------

  let ticker: ReturnType<typeof setInterval> | null = null;
  let idleSince = NaN;
  // The loop times steps only while a client is attached (or always): the clock, likewise.
  let wanted = init.timeAlways;

  const tick = (): void => {
    const now = epochNow();
    i32[L.CLOCK] = Math.round((now - origin) * L.TICKS_PER_MS);
    if (Atomics.load(i32, L.BUSY) === 1) {
      idleSince = NaN;
      return;
    }
    if (Number.isNaN(idleSince)) idleSince = now;
    else if (now - idleSince > CLOCK_REST_MS) rest();
  };

  /** Stop the clock until the loop's thread says it is busy again. */
  const rest = (): void => {
    stopClock();
    Atomics.store(i32, L.SLEEPING, 1);
    const waiting = Atomics.waitAsync(i32, L.BUSY, 0);
    const wake = () => {
      Atomics.store(i32, L.SLEEPING, 0);
      startClock();
    };
    if (waiting.async) waiting.value.then(wake);
    else wake();
  };

  const startClock = (): void => {
    if (!wanted || ticker !== null) return;
    idleSince = NaN;
    i32[L.CLOCK] = ticksNow();
    ticker = setInterval(tick, 1);
  };

  const stopClock = (): void => {
    if (ticker !== null) clearInterval(ticker);
    ticker = null;
  };

  /** A client came or went: the clock runs while any is attached. */
  const clientsNow = (count: number): void => {
    port.postMessage({ kind: "clients", count });
    wanted = init.timeAlways || count > 0;
    if (wanted) startClock();
    else stopClock();
  };

  // ---- A blocked loop --------------------------------------------------------

  const blocks: BlockInfo[] = [];
  let current: BlockInfo | null = null;
  // SEQ when `current` began: a new value means the loop ran something else meanwhile.
  let currentSeq = -1;

  /** The loop's thread is blocked now (no heartbeat for a while): what in, since when. */
  const checkBlocked = (): BlockInfo | null => {
    const now = epochNow();
    const beat = f64[L.BEAT];
    if (now - beat < blockedAfterMs) {
      if (current !== null) {
        // It ended by the first heartbeat after it.
        current.ongoing = false;
        current.seconds = Math.max(0, beat - current.since) / 1000;
        current = null;
      }
      return null;
    }
    const seq = Atomics.load(i32, L.SEQ);
    if (current === null || seq !== currentSeq) {
      const running = Atomics.load(i32, L.RUNNING);
      // What began after the last heartbeat runs now; else the thread is held
      // by code the loop did not call.
      const began = seq !== Atomics.load(i32, L.BEAT_SEQ) && running !== L.NONE;
      const step = began && running > 0 ? (running - 1) * L.TASK_WIDTH : -1;
      // A row past the table (or not yet seen grown): the step is named "?".
      const known = step >= 0 && step + L.TASK_WIDTH <= tasks.length;
      if (current !== null) current.ongoing = false;
      current = {
        // The last heartbeat: what runs began after it (hooks write no time,
        // to stay cheap), so this is early by at most the beat's 50 ms.
        since: beat,
        seconds: 0,
        ongoing: true,
        kind: !began ? "outside" : step < 0 ? "callback" : "step",
        name: !began
          ? ""
          : step < 0
          ? nameAt(Atomics.load(i32, L.NAME))
          : known
          ? nameAt(Atomics.load(tasks, step + L.TASK_NAME))
          : "?",
        task: known ? Atomics.load(tasks, step + L.TASK_ID) : null,
        coro: known ? nameAt(Atomics.load(tasks, step + L.TASK_CORO)) || null : null,
      };
      currentSeq = seq;
      blocks.push(current);
      if (blocks.length > init.blocks) blocks.shift();
    }
    current.seconds = Math.max(0, now - current.since) / 1000;
    return current;
  };

  // ---- Requests to the loop's thread -----------------------------------------

  interface Reply {
    ok: boolean;
    data?: unknown;
    error?: string;
  }

  const pending = new Map<number, (reply: Reply) => void>();
  let nextRid = 1;
  // The last answer the loop's thread gave to each command, for a blocked loop.
  const lastAnswers = new Map<string, { at: number; data: unknown }>();

  port.on("message", ({ rid, ...reply }: { rid: number } & Reply) => {
    const resolve = pending.get(rid);
    if (resolve === undefined) return; // answered too late: the client was told the loop is blocked
    pending.delete(rid);
    resolve(reply);
  });

  /**
   * Ask the loop's thread; null if it does not answer within `ms`, or if
   * it turns out blocked meanwhile (a `record` waits its time regardless).
   */
  const askLoop = (cmd: string, args: unknown, ms: number): Promise<Reply | null> => {
    const rid = nextRid++;
    return new Promise((resolve) => {
      const end = (reply: Reply | null) => {
        clearTimeout(timer);
        clearInterval(watch);
        pending.delete(rid);
        resolve(reply);
      };
      const timer = setTimeout(() => end(null), ms);
      const watch = setInterval(() => {
        if (cmd !== "record" && checkBlocked() !== null) end(null);
      }, POLL_MS);
      pending.set(rid, end);
      port.postMessage({ kind: "request", rid, cmd, args });
    });
  };

  const answer = async (
    cmd: string,
    args: Record<string, unknown>,
  ): Promise<Record<string, unknown>> => {
    let blocked = checkBlocked();
    if (blocked === null) {
      // `record` waits as long as it records; the rest, for the next host turn.
      const seconds = cmd === "record" ? Number(args.seconds) || 0 : 0;
      const reply = await askLoop(cmd, args, seconds * 1000 + blockedAfterMs + 1000);
      if (reply !== null) {
        if (reply.ok && CACHED.has(cmd)) lastAnswers.set(cmd, { at: epochNow(), data: reply.data });
        return { ...reply, loop: { blocked: checkBlocked(), blocks } };
      }
      blocked = checkBlocked();
    }
    const loop = { blocked, blocks };
    if (!CACHED.has(cmd)) {
      const what = blocked === null
        ? "did not answer"
        : `is blocked (${blocked.seconds.toFixed(1)} s so far)`;
      return { ok: false, error: `the loop ${what}; ${cmd} needs it to run`, loop };
    }
    const last = lastAnswers.get(cmd);
    return last === undefined
      ? { ok: true, data: null, loop }
      : { ok: true, data: last.data, stale: (epochNow() - last.at) / 1000, loop };
  };

  // ---- Clients -----------------------------------------------------------------

  let clients = 0;

  /** Constant-time comparison: the token is a secret. */
  const sameToken = (given: unknown): boolean => {
    if (typeof given !== "string" || given.length !== init.token.length) return false;
    let diff = 0;
    for (let i = 0; i < given.length; i++) diff |= given.charCodeAt(i) ^ init.token.charCodeAt(i);
    return diff === 0;
  };

  async function* lines(conn: Deno.Conn): AsyncGenerator<string> {
    const text = new TextDecoder();
    let buffered = "";
    for await (const chunk of conn.readable) {
      buffered += text.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        yield buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
      }
      if (buffered.length > MAX_LINE) throw new Error("line too long");
    }
  }

  const serve = async (conn: Deno.Conn): Promise<void> => {
    const send = async (value: unknown) => {
      const bytes = encoder.encode(JSON.stringify(value) + "\n");
      for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
    };
    const input = lines(conn);
    let welcomed = false;
    const hello = setTimeout(() => {
      if (!welcomed) conn.close();
    }, HELLO_MS);
    try {
      const first = await input.next();
      clearTimeout(hello);
      if (first.done) return;
      let greeting: { hello?: unknown; token?: unknown } = {};
      try {
        greeting = JSON.parse(first.value);
      } catch { /* not JSON: refused below */ }
      if (greeting.hello !== "asyncio-monitor" || !sameToken(greeting.token)) {
        await send({
          ok: false,
          error: "refused: wrong or missing token (use the whole address, HOST:PORT#TOKEN)",
        });
        return;
      }
      welcomed = true;
      clientsNow(++clients);
      await send({ ok: true, pid: Deno.pid, program: init.program, version: VERSION });
      // Requests are answered in order, one at a time per client.
      for await (const line of input) {
        if (line.trim() === "") continue;
        let request: { id?: unknown; cmd?: unknown; args?: unknown };
        try {
          request = JSON.parse(line);
        } catch {
          await send({ id: null, ok: false, error: "not JSON" });
          continue;
        }
        const args =
          (typeof request.args === "object" && request.args !== null ? request.args : {}) as Record<
            string,
            unknown
          >;
        const reply = typeof request.cmd === "string"
          ? await answer(request.cmd, args)
          : { ok: false, error: "no cmd" };
        await send({ id: request.id ?? null, ...reply });
      }
    } catch {
      // The client went away mid-answer, or sent garbage: only this connection ends.
    } finally {
      clearTimeout(hello);
      if (welcomed) clientsNow(--clients);
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  };

  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ hostname: init.host, port: init.port, transport: "tcp" });
  } catch (err) {
    port.postMessage({ kind: "failed", message: err instanceof Error ? err.message : String(err) });
    return;
  }
  port.postMessage({ kind: "listening", port: (listener.addr as Deno.NetAddr).port });
  startClock();
  setInterval(checkBlocked, POLL_MS);
  (async () => {
    for await (const conn of listener) void serve(conn);
  })();
}
