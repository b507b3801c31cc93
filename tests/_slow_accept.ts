// A race detector for the tests, not loaded by `deno task test`: every
// listener made with Deno.listen or Deno.listenTls (TCP, TLS, Unix) hands
// out each connection SLOW_ACCEPT_MS (default 40) ms after the kernel had
// it, as a loaded machine may. A test that looks at a server's side, or
// closes the server, as soon as its client's connect resolves fails under
// it; it should wait for what it needs (`until` in _util.ts). Run:
//
//   deno test --preload tests/_preload.ts --preload tests/_slow_accept.ts \
//     --sanitize-ops --sanitize-resources -A tests/
//
// A listener closed while a connection waits to be handed out closes that
// connection, as close() drops one still in the kernel's backlog; waiting
// accept()s then reject as Deno's do, once the real accept has ended (the
// library waits for that before it lets the port go). A test with its own
// time limit on an accept ("rule 10") fails past ~100 ms of delay by design.
const DELAY = Number(Deno.env.get("SLOW_ACCEPT_MS") ?? "40");

const closedError = () => new Deno.errors.BadResource("Listener has been closed");

function slow<L extends Deno.Listener>(listener: L): L {
  const realAccept = listener.accept.bind(listener);
  const realClose = listener.close.bind(listener);
  const ready: Deno.Conn[] = []; // due, in the order they came
  const timers = new Map<ReturnType<typeof setTimeout>, Deno.Conn>();
  const waiters: { resolve: (c: Deno.Conn) => void; reject: (e: unknown) => void }[] = [];
  let started = false;
  let closed = false;
  let failure: unknown = null;
  const flush = () => {
    while (waiters.length > 0 && ready.length > 0) waiters.shift()!.resolve(ready.shift()!);
    if (failure !== null) { for (const w of waiters.splice(0)) w.reject(failure); }
  };
  // Accepts in the background from the first accept() on, so that the
  // delay adds latency without slowing the rate of accepts.
  const pump = async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await realAccept();
      } catch (err) {
        failure = closed ? closedError() : err;
        if (timers.size === 0) flush(); // else once those are handed out
        return;
      }
      if (closed) {
        conn.close();
        continue;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        ready.push(conn);
        flush();
      }, DELAY);
      timers.set(timer, conn);
    }
  };
  Object.assign(listener, {
    accept(): Promise<Deno.Conn> {
      if (closed) return Promise.reject(closedError());
      if (!started) {
        started = true;
        void pump();
      }
      return new Promise<Deno.Conn>((resolve, reject) => {
        waiters.push({ resolve, reject });
        flush();
      });
    },
    close(): void {
      if (!closed) {
        closed = true;
        for (const [timer, conn] of timers) {
          clearTimeout(timer);
          conn.close();
        }
        timers.clear();
        for (const conn of ready.splice(0)) conn.close();
        if (!started) failure = closedError();
      }
      realClose();
    },
  });
  return listener;
}

const realListen = Deno.listen as (...args: unknown[]) => Deno.Listener;
const realListenTls = Deno.listenTls as (...args: unknown[]) => Deno.Listener;
Object.assign(Deno, {
  listen: (...args: unknown[]) => slow(realListen(...args)),
  listenTls: (...args: unknown[]) => slow(realListenTls(...args)),
});
