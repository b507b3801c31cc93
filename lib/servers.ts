/**
 * The listening server that `loop.createServer` and `startServer` return,
 * as CPython's `base_events.Server`.
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { CancelledError, RuntimeError } from "./exceptions.ts";
import type { Future } from "./futures.ts";
import type { BaseProtocol } from "./protocols.ts";
import {
  addrInfo,
  type DenoTransport,
  listenersClosing,
  removeSocketFile,
  SocketTransport,
} from "./_transports.ts";

// Invariants: `#transports` holds the connections not yet lost; `#active`
// counts them plus what else holds the server open (a stream handler's
// task, as CPython 3.12+'s `_attach`/`_detach`); `waitClosed()` returns once
// the server is closed, no accept loop runs and `#active` is 0.
/**
 * A listening server: for each connection it makes a protocol with its
 * factory and a transport for it.
 *
 * Mirrors `asyncio.Server`; `await using` closes it and waits.
 */
export class Server implements AsyncDisposable {
  #loop: EventLoop;
  #listeners: Deno.Listener[];
  #protocolFactory: () => BaseProtocol;
  #tls: boolean;
  #unixPath: string | null;
  #serving = false;
  #closed = false;
  #accepting = 0;
  #active = 0;
  #transports = new Set<DenoTransport>();
  #waiters: Future<void>[] = [];
  #servingForever: Future<void> | null = null;
  #acceptLoops: Promise<void>[] = [];

  /** @ignore Made by `loop.createServer` and `loop.createUnixServer`. */
  constructor(
    loop: EventLoop,
    listeners: Deno.Listener[],
    protocolFactory: () => BaseProtocol,
    options: { tls?: boolean; unixPath?: string },
  ) {
    this.#loop = loop;
    this.#listeners = listeners;
    this.#protocolFactory = protocolFactory;
    this.#tls = options.tls ?? false;
    this.#unixPath = options.unixPath ?? null;
  }

  /** The loop this server runs on. Mirrors `Server.get_loop`. */
  getLoop(): EventLoop {
    return this.#loop;
  }

  /** True while accepting connections. Mirrors `Server.is_serving`. */
  isServing(): boolean {
    return this.#serving;
  }

  /**
   * The addresses listened on (asyncio gives socket objects; here their
   * addresses: `Deno.NetAddr` with the real `port` when 0 was asked, or
   * `Deno.UnixAddr`). Empty once closed. Mirrors `Server.sockets`.
   */
  get sockets(): Deno.Addr[] {
    return this.#closed ? [] : this.#listeners.map((l) => l.addr);
  }

  /** Start accepting connections, if not already. Mirrors `Server.start_serving`. */
  startServing(): Promise<void> {
    if (this.#closed) return Promise.reject(new RuntimeError(`server ${this} is closed`));
    if (!this.#serving) {
      this.#serving = true;
      for (const listener of this.#listeners) this.#acceptLoops.push(this.#accept(listener));
    }
    return Promise.resolve();
  }

  /**
   * Stop listening (connections already made stay open). Idempotent.
   * Mirrors `Server.close`.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#serving = false;
    for (const listener of this.#listeners) {
      try {
        listener.close();
      } catch { /* already closed */ }
    }
    // Deno lets the socket go only once the pending accept() has ended, a
    // moment later; until then the kernel still accepts (and then resets)
    // connections. CPython's close() stops them at once, so our own
    // connects wait for that moment (see listenersClosing).
    const ended = Promise.all(this.#acceptLoops).then(() => {});
    listenersClosing.add(ended);
    ended.then(() => listenersClosing.delete(ended));
    if (this.#unixPath !== null) removeSocketFile(this.#unixPath);
    if (this.#servingForever !== null && !this.#servingForever.done()) {
      this.#servingForever.cancel();
    }
    this.#wakeup();
  }

  /** Close every client connection (after their buffered data). Mirrors `Server.close_clients`. */
  closeClients(): void {
    for (const transport of [...this.#transports]) transport.close();
  }

  /** Abort every client connection at once. Mirrors `Server.abort_clients`. */
  abortClients(): void {
    for (const transport of [...this.#transports]) transport.abort();
  }

  /**
   * Wait until the server is closed and every connection is lost (and, for
   * `startServer`, every callback task is done), as asyncio 3.12+.
   * Mirrors `Server.wait_closed`.
   */
  async waitClosed(): Promise<void> {
    if (this.#isIdle()) return;
    const waiter = this.#loop.createFuture<void>();
    this.#waiters.push(waiter);
    this.#loop._waitingForIO("wait_closed");
    await waiter;
  }

  /**
   * Serve until cancelled (or until `close()`), then close and wait.
   *
   * Mirrors `Server.serve_forever`.
   * @throws {CancelledError} when it ends, as asyncio's.
   * @throws {RuntimeError} if already serving forever, or closed.
   */
  async serveForever(): Promise<void> {
    if (this.#servingForever !== null) {
      throw new RuntimeError(`server ${this} is already being awaited on serve_forever()`);
    }
    if (this.#closed) throw new RuntimeError(`server ${this} is closed`);
    await this.startServing();
    const fut = this.#loop.createFuture<void>();
    this.#servingForever = fut;
    try {
      await fut;
    } catch (err) {
      if (err instanceof CancelledError) {
        this.close();
        await this.waitClosed();
      }
      throw err;
    } finally {
      this.#servingForever = null;
    }
  }

  /** `await using server = await loop.createServer(…)`: close and wait at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.waitClosed();
  }

  /** For example `<Server sockets=(127.0.0.1:8888)>`. */
  toString(): string {
    const addrs = this.sockets.map((a) => {
      const info = addrInfo(a);
      return Array.isArray(info) ? info.slice(0, 2).join(":") : String(info);
    });
    return `<Server sockets=(${addrs.join(", ")})>`;
  }

  /** @ignore Something (a connection, a handler task) holds the server open. */
  _attach(): void {
    this.#active++;
  }

  /** @ignore It let go. */
  _detach(): void {
    this.#active--;
    this.#wakeup();
  }

  async #accept(listener: Deno.Listener): Promise<void> {
    this.#accepting++;
    try {
      for (;;) {
        const conn = await listener.accept();
        if (!this.#serving || this.#loop.isClosed()) {
          conn.close();
          break;
        }
        this.#connected(conn);
      }
    } catch (err) {
      // Closing the listener interrupts accept(): that is the normal end.
      if (!this.#closed && !this.#loop.isClosed()) {
        this.#loop.callExceptionHandler({
          message: "Error on accept()",
          exception: err,
          server: this,
        });
      }
    } finally {
      this.#accepting--;
      this.#wakeup();
    }
  }

  #connected(conn: Deno.Conn): void {
    let protocol: BaseProtocol;
    try {
      protocol = this.#protocolFactory();
    } catch (err) {
      conn.close();
      this.#loop.callExceptionHandler({
        message: "Error in the protocol factory of a server",
        exception: err,
        server: this,
      });
      return;
    }
    const transport = new SocketTransport(this.#loop, conn, protocol, { tls: this.#tls });
    transport._server = this;
    this.#transports.add(transport);
    this._attach();
    transport._onLost = (t) => {
      this.#transports.delete(t);
      this._detach();
    };
    transport._start(true);
  }

  #isIdle(): boolean {
    return this.#closed && this.#accepting === 0 && this.#active === 0;
  }

  #wakeup(): void {
    if (!this.#isIdle() || this.#loop.isClosed()) return;
    for (const waiter of this.#waiters.splice(0)) if (!waiter.done()) waiter.setResult();
  }
}
