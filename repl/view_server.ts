/**
 * `view`: the browser view served live on 127.0.0.1 (a port the system
 * picks): `/` is the page with the session as it is, `/data.json` the data
 * alone, and `/events` a stream of server-sent events, one each time the
 * session changed (looked at every 250 ms), upon which the page fetches the
 * data again. Neither the server nor its timer keeps the REPL alive; it
 * stops with the REPL, or with `view stop`.
 * @module
 */
import type { IterationLog } from "./iterations.ts";
import type { Session } from "./session.ts";
import { viewData } from "./view_data.ts";
import { pageHtml } from "./view_page.ts";

const CHECK_MS = 250;

/** A running live view. */
export class LiveView {
  /** Where to open it. */
  readonly url: string;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #abort = new AbortController();
  #streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  #timer: ReturnType<typeof setInterval>;
  #seen: { log: IterationLog; version: number };

  private constructor(session: Session) {
    this.#seen = { log: session.log, version: session.log.version };
    this.#server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      signal: this.#abort.signal,
      onListen: () => {},
    }, (request) => this.#answer(session, request));
    this.#server.unref();
    this.url = `http://127.0.0.1:${this.#server.addr.port}/`;
    this.#timer = setInterval(() => this.#check(session), CHECK_MS);
    Deno.unrefTimer(Number(this.#timer));
  }

  /** Serve `session`'s view. */
  static start(session: Session): LiveView {
    return new LiveView(session);
  }

  /** Stop serving; resolves once the server is closed. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const stream of this.#streams) stream.close();
    this.#streams.clear();
    // Held while it shuts down, or nothing would keep the process waiting for it.
    this.#server.ref();
    this.#abort.abort();
    await this.#server.finished;
  }

  #check(session: Session): void {
    const log = session.log;
    if (log === this.#seen.log && log.version === this.#seen.version) return;
    this.#seen = { log, version: log.version };
    const message = new TextEncoder().encode(`data: ${log.version}\n\n`);
    for (const stream of this.#streams) stream.enqueue(message);
  }

  async #answer(session: Session, request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (request.method !== "GET") return new Response("GET only\n", { status: 405 });
    if (path === "/") {
      return new Response(await pageHtml(viewData(session), true), {
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    }
    if (path === "/data.json") return Response.json(viewData(session));
    if (path === "/events") return this.#events();
    return new Response("not found\n", { status: 404 });
  }

  #events(): Response {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
        this.#streams.add(c);
        // A comment: the page knows it is connected.
        c.enqueue(new TextEncoder().encode(": the REPL's session\n\n"));
      },
      cancel: () => {
        this.#streams.delete(controller);
      },
    });
    return new Response(body, {
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
    });
  }
}
