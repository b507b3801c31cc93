// Ports as service names or text, as net_getaddrinfo_service.py.
import {
  AI_NUMERICSERV,
  gaierror,
  getRunningLoop,
  run,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
} from "../../mod.ts";
import { dict, list, tup } from "./net_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const cases: Array<[string | number | null, Record<string, number>]> = [
      ["http", {}],
      ["http", { type: SOCK_STREAM }],
      ["domain", {}],
      ["www", {}],
      ["8080", { type: SOCK_STREAM }],
      [" 80", { type: SOCK_STREAM }],
      [70000, { type: SOCK_STREAM }],
      [null, {}],
      ["http", { type: SOCK_DGRAM }],
      ["http", { flags: AI_NUMERICSERV }],
      ["no-such-service", {}],
      ["HTTP", {}],
      [80, { type: SOCK_RAW }],
    ];
    for (const [port, options] of cases) {
      try {
        print(
          `${tup(port)} ${dict(options)} ${
            list(await loop.getaddrinfo("127.0.0.1", port, options))
          }`,
        );
      } catch (e) {
        if (!(e instanceof gaierror)) throw e;
        print(`${tup(port)} ${dict(options)} ${e.name} ${e.errno} ${e.message}`);
      }
    }
  });
}
