// What the loop's network methods do (lib/base_events.ts keeps their public
// face and docs): connect or listen with Deno, then hand the resource to a
// transport and its protocol, as CPython's base_events.create_connection /
// create_server and their Unix twins.
import type { ClientTlsOptions, CreateServerOptions, EventLoop } from "./base_events.ts";
import type { BaseProtocol } from "./protocols.ts";
import { Server } from "./servers.ts";
import type { Transport } from "./transports.ts";
import { listenersClosing, removeSocketFile, SocketTransport } from "./_transports.ts";
import { toOSError } from "./_oserror.ts";
import type { OSError } from "./exceptions.ts";

/**
 * Bring a Deno promise onto the loop: the task waits on a loop future, so
 * cancelling it works; a value that comes after a cancel goes to `orphan`.
 */
export async function onLoop<T>(
  loop: EventLoop,
  promise: Promise<T>,
  orphan: (v: T) => void,
): Promise<T> {
  const fut = loop.createFuture<T>();
  promise.then(
    (v) => {
      if (fut.done() || loop.isClosed()) orphan(v);
      else loop._callSoonIO(() => fut.done() ? orphan(v) : fut.setResult(v), undefined);
    },
    (e) => {
      if (!fut.done() && !loop.isClosed()) {
        loop._callSoonIO(() => fut.done() || fut.setException(e), undefined);
      }
    },
  );
  return await fut;
}

/** Connect (TCP, TLS or Unix) and wire the connection to a new protocol. */
export async function connect<P extends BaseProtocol>(
  loop: EventLoop,
  protocolFactory: () => P,
  options: Deno.ConnectOptions | Deno.UnixConnectOptions,
  ssl: ClientTlsOptions | undefined,
  where: string,
): Promise<[Transport, P]> {
  checkFactory(protocolFactory);
  if (listenersClosing.size > 0) await onLoop(loop, Promise.all(listenersClosing), () => {});
  let pending: Promise<Deno.Conn>;
  if (ssl) {
    const tls = ssl === true ? {} : ssl;
    const tcp = options as Deno.ConnectOptions;
    pending = Deno.connectTls({
      hostname: tls.hostname ?? tcp.hostname,
      port: tcp.port,
      caCerts: tls.caCerts,
    }).then(async (c) => {
      // Handshake now, so that certificate errors surface here.
      try {
        await c.handshake();
      } catch (err) {
        c.close();
        throw err;
      }
      return c;
    });
  } else {
    pending = Deno.connect(options as Deno.ConnectOptions);
  }
  let conn: Deno.Conn;
  try {
    loop._waitingForIO("connect");
    conn = await onLoop(loop, pending, (c) => c.close());
  } catch (err) {
    // As CPython: a refused TCP connect names the address; a Unix one that
    // finds no socket file is the OS's FileNotFoundError.
    const tcp = "hostname" in options && err instanceof Deno.errors.ConnectionRefused;
    throw toOSError(err, tcp ? { message: `Connect call failed ${where}` } : {});
  }
  let protocol: P;
  try {
    protocol = protocolFactory();
  } catch (err) {
    conn.close();
    throw err;
  }
  const transport = new SocketTransport(loop, conn, protocol, { tls: Boolean(ssl) });
  // As CPython: the call returns once connectionMade has run.
  const made = loop.createFuture<void>();
  transport._start(true, () => made.done() || made.setResult());
  try {
    await made;
  } catch (err) {
    transport.close();
    throw err;
  }
  return [transport, protocol];
}

/** Listen on TCP (or TLS) and serve each connection with a new protocol. */
export async function listenTcp(
  loop: EventLoop,
  protocolFactory: () => BaseProtocol,
  host: string | null,
  port: number,
  options: CreateServerOptions,
): Promise<Server> {
  checkFactory(protocolFactory);
  const hostname = host ?? "0.0.0.0";
  let listener: Deno.Listener;
  try {
    listener = options.ssl
      ? Deno.listenTls({ hostname, port, cert: options.ssl.cert, key: options.ssl.key })
      : Deno.listen({ hostname, port, reusePort: options.reusePort });
  } catch (err) {
    throw bindError(err, `('${hostname}', ${port})`);
  }
  const server = new Server(loop, [listener], protocolFactory, { tls: Boolean(options.ssl) });
  if (options.startServing ?? true) await server.startServing();
  return server;
}

/** Listen on the Unix socket `path` (a stale socket file there is removed first). */
export async function listenUnix(
  loop: EventLoop,
  protocolFactory: () => BaseProtocol,
  path: string,
  options: { startServing?: boolean },
): Promise<Server> {
  checkFactory(protocolFactory);
  removeSocketFile(path);
  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ transport: "unix", path });
  } catch (err) {
    throw toOSError(err);
  }
  const server = new Server(loop, [listener], protocolFactory, { unixPath: path });
  if (options.startServing ?? true) await server.startServing();
  return server;
}

/** As CPython's create_server: the OS's error, naming the address. */
function bindError(err: unknown, address: string): unknown {
  const exc = toOSError(err) as OSError;
  if (exc.errno === undefined || exc.errno === null) return exc;
  const reason = (exc.strerror ?? "").toLowerCase();
  return toOSError(err, {
    message: `error while attempting to bind on address ${address}: ${reason}`,
  });
}

function checkFactory(protocolFactory: unknown): void {
  if (typeof protocolFactory !== "function") {
    throw new TypeError("protocolFactory must be a function returning a protocol");
  }
}
