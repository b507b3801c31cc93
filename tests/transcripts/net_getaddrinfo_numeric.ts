// Numeric hosts, as net_getaddrinfo_numeric.py.
import {
  AF_INET6,
  AI_NUMERICHOST,
  AI_V4MAPPED,
  getRunningLoop,
  run,
  SOCK_DGRAM,
  SOCK_STREAM,
} from "../../mod.ts";
import { dict, tup } from "./net_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const cases: Array<[string, Record<string, number>]> = [
      ["127.0.0.1", {}],
      ["127.0.0.1", { type: SOCK_STREAM }],
      ["::1", {}],
      ["::1", { type: SOCK_DGRAM }],
      ["127.1", { type: SOCK_STREAM, flags: AI_NUMERICHOST }],
      ["0x7f.0.0.1", { type: SOCK_STREAM }],
      ["fe80::1%5", { type: SOCK_STREAM }],
      ["::ffff:127.0.0.1", { type: SOCK_STREAM }],
      ["0:0:0:ab:0:0:0:1", { type: SOCK_STREAM }],
      ["127.0.0.1", { family: AF_INET6, type: SOCK_STREAM, flags: AI_V4MAPPED }],
    ];
    for (const [host, options] of cases) {
      print(`${host} ${dict(options)}`);
      for (const row of await loop.getaddrinfo(host, 443, options)) print(`  ${tup(row)}`);
    }
  });
}
