// StreamReader buffer rules, fed by hand: what each read returns or raises.
import {
  createTask,
  getRunningLoop,
  IncompleteReadError,
  LimitOverrunError,
  LineTooLongError,
  run,
  sleep,
  StreamReader,
  VirtualClock,
} from "../../mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
/** Python's repr of bytes, for the printable ASCII used here. */
const b = (x: Uint8Array) => `b'${new TextDecoder().decode(x).replaceAll("\n", "\\n")}'`;

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    let r = new StreamReader({ limit: 5 });
    r.feedData(enc("abc\nlong line here\nxy"));
    print(`readline ${b(await r.readline())}`);
    try {
      await r.readline();
    } catch (e) {
      if (!(e instanceof LineTooLongError)) throw e;
      print(`readline error: ${e.message}`);
    }
    loop.callSoon(() => r.feedData(enc("z\n12")));
    print(`readline ${b(await r.readline())}`);
    r.feedData(enc("3456789"));
    for (const more of ["", "!"]) {
      if (more) r.feedData(enc(more));
      try {
        await r.readuntil("!");
      } catch (e) {
        if (!(e instanceof LimitOverrunError)) throw e;
        print(`readuntil error: ${e.message} ${e.consumed}`);
      }
    }
    print(`read(4) ${b(await r.read(4))}`);
    loop.callLater(0.1, () => r.feedEof());
    try {
      await r.readexactly(10);
    } catch (e) {
      if (!(e instanceof IncompleteReadError)) throw e;
      print(`readexactly error: ${e.message} ${b(e.partial)} ${e.expected}`);
    }
    print(`at_eof ${r.atEof() ? "True" : "False"}`);
    print(`read ${b(await r.read())}`);

    r = new StreamReader();
    const order: string[] = [];
    const t = createTask(async () => {
      for await (const line of r) order.push(`got ${b(line)}`);
    });
    for (const chunk of ["one\ntw", "o\n", "three"]) {
      await sleep(0);
      order.push(`feed ${b(enc(chunk))}`);
      r.feedData(enc(chunk));
    }
    r.feedEof();
    await t;
    print(order.join("\n"));
  }, { clock: new VirtualClock() });
}
