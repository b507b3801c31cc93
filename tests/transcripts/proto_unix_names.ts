// createUnixServer / createUnixConnection: the client's peername is the
// path, its own (unnamed) end is ''; the server side sees the reverse.
import { getRunningLoop, Protocol, run, sleep, type Transport } from "../../mod.ts";

const py = (x: boolean) => (x ? "True" : "False");
const pyRepr = (x: unknown) => (typeof x === "string" ? `'${x}'` : String(x));

class Keep extends Protocol {
  constructor(private box: Transport[]) {
    super();
  }
  override connectionMade(transport: Transport): void {
    this.box.push(transport);
  }
}

export default async function (print: (line: string) => void): Promise<void> {
  const dir = Deno.makeTempDirSync();
  try {
    await run(async () => {
      const loop = getRunningLoop();
      const path = `${dir}/s.sock`;
      const seen: Transport[] = [];
      const server = await loop.createUnixServer(() => new Keep(seen), path);
      const [transport] = await loop.createUnixConnection(() => new Protocol(), path);
      while (seen.length === 0) await sleep(0.01);
      print(`client peername is the path: ${py(transport.getExtraInfo("peername") === path)}`);
      print(`client sockname: ${pyRepr(transport.getExtraInfo("sockname"))}`);
      print(`server sockname is the path: ${py(seen[0].getExtraInfo("sockname") === path)}`);
      print(`server peername: ${pyRepr(seen[0].getExtraInfo("peername"))}`);
      transport.close();
      seen[0].close();
      server.close();
      await server.waitClosed();
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
