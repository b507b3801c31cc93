// UDP endpoints (loop.createDatagramEndpoint over node:dgram) on 127.0.0.1,
// port 0. Each test waits for every endpoint's connectionLost, so the ops
// and resources sanitizers see node:dgram's sockets closed.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { dec, enc, inRealLoop, within } from "./_util.ts";
import {
  DatagramProtocol,
  type DatagramTransport,
  type EventLoop,
  type Future,
  OSError,
  RuntimeError,
  sleep,
} from "../mod.ts";

type Addr = [string, number];

/** Logs what it is told; `lost` settles at connectionLost. */
class Recorder extends DatagramProtocol {
  log: string[] = [];
  transport: DatagramTransport | null = null;
  received: Array<[Uint8Array, Addr]> = [];
  errors: unknown[] = [];
  lost: Future<unknown>;
  #loop: EventLoop;
  #waiter: Future<void> | null = null;

  constructor(loop: EventLoop) {
    super();
    this.#loop = loop;
    this.lost = loop.createFuture();
  }
  override connectionMade(transport: DatagramTransport) {
    this.transport = transport;
    this.log.push("made");
  }
  override datagramReceived(data: Uint8Array, addr: Addr) {
    this.log.push(`datagram ${data.length}`);
    this.received.push([data, addr]);
    this.#wake();
  }
  override errorReceived(exc: unknown) {
    this.log.push(`error ${(exc as { code?: string }).code}`);
    this.errors.push(exc);
    this.#wake();
  }
  override connectionLost(exc: unknown) {
    this.log.push(`lost ${exc}`);
    this.lost.setResult(exc);
  }
  /** Wait until `n` datagrams (or errors, with `errors`) have come. */
  async until(n: number, errors = false): Promise<void> {
    while ((errors ? this.errors : this.received).length < n) {
      this.#waiter = this.#loop.createFuture();
      await this.#waiter;
    }
  }
  #wake() {
    if (this.#waiter !== null && !this.#waiter.done()) this.#waiter.setResult();
  }
}

class Echo extends Recorder {
  override datagramReceived(data: Uint8Array, addr: Addr) {
    super.datagramReceived(data, addr);
    this.transport!.sendto(data, addr);
  }
}

async function endpoint<P extends Recorder>(
  loop: EventLoop,
  make: (loop: EventLoop) => P,
  options: { localAddr?: Addr; remoteAddr?: Addr },
): Promise<[DatagramTransport, P]> {
  return await loop.createDatagramEndpoint(() => make(loop), options);
}

/** A `Recorder` endpoint on 127.0.0.1 (the OS picks the port), and its address. */
async function recorderAt(loop: EventLoop): Promise<[DatagramTransport, Recorder, Addr]> {
  const [transport, recorder] = await endpoint(loop, (l) => new Recorder(l), {
    localAddr: ["127.0.0.1", 0],
  });
  return [transport, recorder, transport.getExtraInfo("sockname") as Addr];
}

async function closeAll(...protocols: Recorder[]): Promise<void> {
  for (const p of protocols) p.transport!.close();
  for (const p of protocols) await p.lost;
}

Deno.test("datagram: an echo server answers a connected client, in order", () =>
  inRealLoop(async (loop) => {
    await within(5, async () => {
      const [st, server] = await endpoint(loop, (l) => new Echo(l), {
        localAddr: ["127.0.0.1", 0],
      });
      const sockname = st.getExtraInfo("sockname") as Addr;
      assertEquals(sockname[0], "127.0.0.1");
      assert(sockname[1] > 0);
      assertEquals(st.getExtraInfo("peername"), null);
      assert(st.getExtraInfo("socket") !== null);
      const [ct, client] = await endpoint(loop, (l) => new Recorder(l), {
        remoteAddr: sockname,
      });
      assertEquals(ct.getExtraInfo("peername"), sockname);
      for (const word of ["one", "two", "", "three"]) ct.sendto(enc(word));
      assert(ct.getWriteBufferSize() > 0, "queued until sent");
      await client.until(4);
      assertEquals(client.received.map(([d]) => dec(d)), ["one", "two", "", "three"]);
      assertEquals(client.received[0][1], sockname);
      const clientPort = (ct.getExtraInfo("sockname") as Addr)[1];
      assertEquals(server.received.map(([, a]) => a), Array(4).fill(["127.0.0.1", clientPort]));
      assertEquals(ct.getWriteBufferSize(), 0);
      await closeAll(client, server);
      assertEquals(server.log, [
        "made",
        "datagram 3",
        "datagram 3",
        "datagram 0",
        "datagram 5",
        "lost null",
      ]);
      assertEquals(client.log.at(-1), "lost null");
    });
  }));

Deno.test("datagram: with remoteAddr, sendto takes no address or that one; without, one is needed", () =>
  inRealLoop(async (loop) => {
    await within(5, async () => {
      const [st, server, addr] = await recorderAt(loop);
      const [ct, client] = await endpoint(loop, (l) => new Recorder(l), { remoteAddr: addr });
      // CPython's ValueError, with its message.
      assertThrows(
        () => ct.sendto(enc("x"), ["127.0.0.1", 9999]),
        RangeError,
        `Invalid address: must be None or ('127.0.0.1', ${addr[1]})`,
      );
      ct.sendto(enc("a"), null);
      ct.sendto(enc("b"), [addr[0], addr[1]]);
      assertThrows(() => st.sendto(enc("x")), TypeError, "Invalid address");
      assertThrows(() => st.sendto(enc("x"), ["127.0.0.1", 70000]), TypeError, "addr must be");
      assertThrows(() => ct.sendto("x" as unknown as Uint8Array), TypeError, "Uint8Array");
      await server.until(2);
      assertEquals(server.received.map(([d]) => dec(d)), ["a", "b"]);
      await closeAll(client, server);
    });
  }));

Deno.test("datagram: a datagram over 65,507 bytes goes to errorReceived (EMSGSIZE), as CPython", () =>
  inRealLoop(async (loop) => {
    await within(5, async () => {
      const [, server, addr] = await recorderAt(loop);
      const [ct, client] = await endpoint(loop, (l) => new Recorder(l), { remoteAddr: addr });
      ct.sendto(new Uint8Array(65_508));
      ct.sendto(enc("after"));
      await client.until(1, true);
      // As CPython: OSError 90 (EMSGSIZE).
      assert(client.errors[0] instanceof OSError);
      assertEquals([client.errors[0].errno, client.errors[0].code], [90, "EMSGSIZE"]);
      // The endpoint stays open and goes on sending.
      await server.until(1);
      assertEquals(dec(server.received[0][0]), "after");
      assertEquals(ct.isClosing(), false);
      await closeAll(client, server);
    });
  }));

Deno.test("datagram: a 65,507-byte datagram arrives whole, in one datagramReceived", () =>
  inRealLoop(async (loop) => {
    await within(5, async () => {
      const [, server, addr] = await recorderAt(loop);
      const [ct, client] = await endpoint(loop, (l) => new Recorder(l), {
        localAddr: ["127.0.0.1", 0],
      });
      const big = new Uint8Array(65_507).map((_, i) => i % 251);
      ct.sendto(big, addr);
      ct.sendto(enc("small"), addr);
      await server.until(2);
      assertEquals(server.log.slice(1), ["datagram 65507", "datagram 5"]);
      assertEquals(server.received[0][0], big);
      await closeAll(client, server);
    });
  }));

Deno.test("datagram: binding a port in use rejects the call", () =>
  inRealLoop(async (loop) => {
    await within(5, async () => {
      const [, server, addr] = await recorderAt(loop);
      let made = 0;
      const err = await assertRejects(() =>
        loop.createDatagramEndpoint(() => {
          made++;
          return new DatagramProtocol();
        }, { localAddr: addr })
      );
      assert(err instanceof OSError);
      assertEquals([err.errno, err.code], [98, "EADDRINUSE"]);
      assertEquals(made, 0, "no protocol is made");
      await closeAll(server);
    });
  }));

Deno.test("datagram: bad options throw at the call", () =>
  inRealLoop(async (loop) => {
    const make = () => new DatagramProtocol();
    await assertRejects(() => loop.createDatagramEndpoint(make, {}), RangeError, "family");
    await assertRejects(
      () => loop.createDatagramEndpoint(make, { family: 3 }),
      RangeError,
      "family",
    );
    await assertRejects(
      () => loop.createDatagramEndpoint(make, { localAddr: ["127.0.0.1"] as unknown as Addr }),
      TypeError,
      "localAddr",
    );
  }));

Deno.test("datagram: close() sends what is queued, then connectionLost(null) once; sendto after it is dropped", () =>
  inRealLoop(async (loop) => {
    await within(5, async () => {
      const [, server, addr] = await recorderAt(loop);
      const [ct, client] = await endpoint(loop, (l) => new Recorder(l), { remoteAddr: addr });
      ct.sendto(enc("1"));
      ct.sendto(enc("2"));
      ct.close();
      assert(ct.isClosing());
      ct.sendto(enc("dropped"));
      ct.close();
      await client.lost;
      await server.until(2);
      assertEquals(server.received.map(([d]) => dec(d)), ["1", "2"]);
      assertEquals(client.log, ["made", "lost null"]);
      await closeAll(server);
    });
  }));

Deno.test("datagram: abort() drops what is queued; close() after it changes nothing", () =>
  inRealLoop(async (loop) => {
    await within(5, async () => {
      const [, server, addr] = await recorderAt(loop);
      const [ct, client] = await endpoint(loop, (l) => new Recorder(l), { remoteAddr: addr });
      for (let i = 0; i < 5; i++) ct.sendto(new Uint8Array(1000));
      ct.abort();
      assertEquals(ct.getWriteBufferSize(), 0);
      ct.close();
      ct.abort();
      await client.lost;
      assertEquals(client.log, ["made", "lost null"]);
      // At most the datagram in flight when abort() came got out.
      await sleep(0.1);
      assert(server.received.length <= 1, `${server.received.length} datagrams got out`);
      await closeAll(server);
    });
  }));

Deno.test("datagram: a datagram that comes after close() is not delivered", () =>
  inRealLoop(async (loop) => {
    await within(5, async () => {
      const [st, server, addr] = await recorderAt(loop);
      const [ct, client] = await endpoint(loop, (l) => new Recorder(l), {
        remoteAddr: addr,
      });
      ct.sendto(enc("late"));
      st.close();
      await server.lost;
      await closeAll(client);
      assertEquals(server.log, ["made", "lost null"]);
    });
  }));

Deno.test("datagram: setProtocol switches who hears; a throwing datagramReceived is reported and the endpoint goes on", () =>
  inRealLoop(async (loop, errors) => {
    await within(5, async () => {
      const [st, first] = await endpoint(loop, (l) => new Recorder(l), {
        localAddr: ["127.0.0.1", 0],
      });
      class Throws extends Recorder {
        override datagramReceived(data: Uint8Array, addr: Addr) {
          super.datagramReceived(data, addr);
          if (dec(data) === "boom") throw new RuntimeError("boom");
        }
      }
      const second = new Throws(loop);
      second.transport = st;
      st.setProtocol(second);
      assertEquals(st.getProtocol(), second);
      const [ct, client] = await endpoint(loop, (l) => new Recorder(l), {
        remoteAddr: st.getExtraInfo("sockname") as Addr,
      });
      ct.sendto(enc("boom"));
      ct.sendto(enc("fine"));
      await second.until(2);
      assertEquals(first.received.length, 0);
      assertEquals(errors.map((e) => e.message), [
        "Exception in callback protocol.datagramReceived()",
      ]);
      assertEquals(st.isClosing(), false);
      await closeAll(client, second);
      assertEquals(first.log, ["made"]);
    });
  }, 1));
