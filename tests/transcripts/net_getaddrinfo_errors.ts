// getaddrinfo's failures, as net_getaddrinfo_errors.py.
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AI_NUMERICHOST,
  gaierror,
  type GetAddrInfoOptions,
  getRunningLoop,
  OSError,
  run,
  SOCK_STREAM,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const cases: Array<[string, string, number, GetAddrInfoOptions]> = [
      ["no such host", "no-such-host.invalid", 80, {}],
      ["empty host", "", 80, {}],
      ["trailing dot", "localhost.", 80, {}],
      ["AI_NUMERICHOST", "localhost", 80, { flags: AI_NUMERICHOST }],
      ["bad family", "127.0.0.1", 80, { family: 99 }],
      ["AF_UNIX", "127.0.0.1", 80, { family: AF_UNIX }],
      ["bad type", "127.0.0.1", 80, { type: 4 }],
      ["bad flags", "127.0.0.1", 80, { flags: 0x8000 }],
      ["v6 host, AF_INET", "::1", 80, { family: AF_INET }],
      ["v4 host, AF_INET6", "127.0.0.1", 80, { family: AF_INET6 }],
      ["stream with udp", "127.0.0.1", 80, { type: SOCK_STREAM, proto: 17 }],
      ["bad scope", "fe80::1%nosuch", 80, {}],
    ];
    for (const [label, host, port, options] of cases) {
      try {
        await loop.getaddrinfo(host, port, options);
        print(`${label} resolved`);
      } catch (e) {
        if (!(e instanceof gaierror)) throw e;
        print(line(label, e.name, e.errno, e.strerror, e instanceof OSError));
        print(`  str: ${e.message}`);
      }
    }
  });
}
