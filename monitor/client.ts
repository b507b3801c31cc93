/**
 * A client of a program's monitor (lib/monitor.ts): connect to
 * `HOST:PORT#TOKEN`, say hello with the token, then send commands and read
 * their answers, one JSON object per line each way.
 * @module
 */

/** The wire protocol's version this client speaks. */
export const PROTOCOL_VERSION = 1;

/** A monitor's address, parsed. */
export interface Address {
  host: string;
  port: number;
  token: string;
}

/** `HOST:PORT#TOKEN` (`[::1]:PORT#TOKEN` for IPv6) as its parts; null if it is not one. */
export function parseAddress(text: string): Address | null {
  const match = /^(?:\[([^\]]+)\]|([^:#\s]+)):(\d+)#([0-9a-fA-F]+)$/.exec(text.trim());
  if (match === null) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  return { host: match[1] ?? match[2], port, token: match[4] };
}

/** What a blocked loop looks like in an answer (the Worker's `BlockInfo`). */
export interface Block {
  since: number;
  seconds: number;
  ongoing: boolean;
  kind: "callback" | "step" | "outside";
  name: string;
  task: number | null;
  coro: string | null;
}

/** One answer. */
export interface Answer<T = unknown> {
  ok: boolean;
  data?: T;
  error?: string;
  /** Seconds since the loop made `data`, when it is blocked and the Worker answered. */
  stale?: number;
  loop?: { blocked: Block | null; blocks: Block[] };
}

/** What the monitor says when a client is let in. */
export interface Welcome {
  pid: number;
  program: string;
  version: number;
}

/** A connection to a monitor. */
export class MonitorClient {
  /** The monitored process. */
  readonly welcome: Welcome;
  #conn: Deno.Conn;
  #lines: AsyncIterator<string>;
  #nextId = 1;
  #closed = false;

  private constructor(conn: Deno.Conn, lines: AsyncIterator<string>, welcome: Welcome) {
    this.#conn = conn;
    this.#lines = lines;
    this.welcome = welcome;
  }

  /**
   * Connect and present the token.
   * @throws {Error} if nobody listens there, or the monitor refuses the token.
   */
  static async connect(address: Address): Promise<MonitorClient> {
    let conn: Deno.Conn;
    try {
      conn = await Deno.connect({ hostname: address.host, port: address.port });
    } catch (err) {
      throw new Error(
        `cannot reach a monitor at ${address.host}:${address.port}: ${
          err instanceof Error ? err.message : err
        }`,
      );
    }
    const lines = readLines(conn);
    try {
      await write(conn, { hello: "asyncio-monitor", token: address.token });
      const first = await lines.next();
      if (first.done) throw new Error("the monitor closed the connection");
      const reply = JSON.parse(first.value) as { ok: boolean; error?: string } & Welcome;
      if (!reply.ok) throw new Error(reply.error ?? "refused");
      if (reply.version !== PROTOCOL_VERSION) {
        throw new Error(
          `the monitor speaks version ${reply.version}, this client ${PROTOCOL_VERSION}`,
        );
      }
      return new MonitorClient(conn, lines, {
        pid: reply.pid,
        program: reply.program,
        version: reply.version,
      });
    } catch (err) {
      try {
        conn.close();
      } catch { /* closed by the other side */ }
      throw err;
    }
  }

  /**
   * Send one command and wait for its answer.
   * @throws {Error} if the program went away (it exited, or closed its monitor).
   */
  async request<T = unknown>(cmd: string, args: Record<string, unknown> = {}): Promise<Answer<T>> {
    if (this.#closed) throw new Error("the connection is closed");
    const id = this.#nextId++;
    try {
      await write(this.#conn, { id, cmd, args });
    } catch {
      throw new Error("the program's monitor went away (did the program exit?)");
    }
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = await this.#lines.next();
      } catch {
        next = { done: true, value: undefined };
      }
      if (next.done) {
        this.#closed = true;
        throw new Error("the program's monitor went away (did the program exit?)");
      }
      const answer = JSON.parse(next.value) as Answer<T> & { id: number };
      if (answer.id === id) return answer;
    }
  }

  /** Hang up. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }
}

const encoder = new TextEncoder();

async function write(conn: Deno.Conn, value: unknown): Promise<void> {
  const bytes = encoder.encode(JSON.stringify(value) + "\n");
  for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
}

async function* readLines(conn: Deno.Conn): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of conn.readable) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
    }
  }
}
