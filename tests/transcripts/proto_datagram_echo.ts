// A UDP echo: callbacks on each endpoint, datagrams in order, the address
// rule of a connected endpoint's sendto, close and connectionLost.
// CPython's ValueError is a RangeError here (CONTRIBUTING).
import {
  DatagramProtocol,
  type DatagramTransport,
  type Future,
  getRunningLoop,
  run,
} from "../../mod.ts";

const dec = (x: Uint8Array) => new TextDecoder().decode(x);
const enc = (s: string) => new TextEncoder().encode(s);
type Addr = [string, number];

class Echo extends DatagramProtocol {
  transport!: DatagramTransport;
  lost: Future<void> = getRunningLoop().createFuture();
  constructor(readonly log: string[]) {
    super();
  }
  override connectionMade(transport: DatagramTransport) {
    this.transport = transport;
    this.log.push("connection_made");
  }
  override datagramReceived(data: Uint8Array, addr: Addr) {
    const kind = Array.isArray(addr) && addr.length === 2 ? "tuple" : typeof addr;
    this.log.push(`datagram_received b'${dec(data)}' from a ${kind}`);
    if (this.transport.getExtraInfo("peername") === null) {
      this.transport.sendto(enc(dec(data).toUpperCase()), addr);
    } else if (dec(data) === "THREE") {
      this.transport.close();
    }
  }
  override connectionLost(exc: unknown) {
    this.log.push(`connection_lost ${exc === null ? "None" : exc}`);
    this.lost.setResult();
  }
}

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const serverLog: string[] = [];
    const clientLog: string[] = [];
    const [st, server] = await loop.createDatagramEndpoint(() => new Echo(serverLog), {
      localAddr: ["127.0.0.1", 0],
    });
    const [host, port] = st.getExtraInfo("sockname") as Addr;
    const [ct, client] = await loop.createDatagramEndpoint(() => new Echo(clientLog), {
      remoteAddr: [host, port],
    });
    const peer = ct.getExtraInfo("peername") as Addr;
    print(`peername is the server: ${peer[0] === host && peer[1] === port ? "True" : "False"}`);
    try {
      ct.sendto(enc("x"), [host, port + 1]);
    } catch (exc) {
      if (!(exc instanceof RangeError)) throw exc;
      print(`ValueError: ${exc.message.replace(String(port), "PORT")}`);
    }
    for (const word of ["one", "two", "three"]) ct.sendto(enc(word));
    await client.lost;
    st.close();
    await server.lost;
    print(["server:", ...serverLog].join("\n  "));
    print(["client:", ...clientLog].join("\n  "));
  });
}
