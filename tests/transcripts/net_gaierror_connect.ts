// A name that does not resolve, as net_gaierror_connect.py.
import {
  AF_INET6,
  gaierror,
  getRunningLoop,
  openConnection,
  OSError,
  Protocol,
  run,
  startServer,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    try {
      await openConnection("no-such-host.invalid", 80);
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      print(line("open_connection:", e.name, e.errno, e.strerror));
      print(line("  str:", e.message, "| gaierror:", e instanceof gaierror));
    }
    try {
      await loop.createConnection(() => new Protocol(), "localhost", 80, { family: AF_INET6 });
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      print(line("AF_INET6 localhost:", e.name, e.errno, e.message));
    }
    try {
      await startServer(() => {}, "no-such-host.invalid", 0);
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      print(line("start_server:", e.name, e.errno, e.message));
    }
  });
}
