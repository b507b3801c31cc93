// A null host, as net_getaddrinfo_passive.py.
import {
  AF_INET,
  AF_INET6,
  AI_CANONNAME,
  AI_PASSIVE,
  gaierror,
  getRunningLoop,
  run,
  SOCK_STREAM,
} from "../../mod.ts";
import { tup } from "./net_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    for (
      const [label, options] of [
        ["null host", { type: SOCK_STREAM }],
        ["AI_PASSIVE", { type: SOCK_STREAM, flags: AI_PASSIVE }],
        ["AI_PASSIVE, no type", { flags: AI_PASSIVE }],
        ["AI_PASSIVE AF_INET6", { family: AF_INET6, flags: AI_PASSIVE, type: SOCK_STREAM }],
        ["AF_INET", { family: AF_INET, type: SOCK_STREAM }],
      ] as const
    ) {
      print(label);
      for (const row of await loop.getaddrinfo(null, 8000, options)) print(`  ${tup(row)}`);
    }
    for (
      const [label, port, flags] of [["both null", null, 0], [
        "canonname",
        80,
        AI_CANONNAME,
      ]] as const
    ) {
      try {
        await loop.getaddrinfo(null, port, { flags });
      } catch (e) {
        if (!(e instanceof gaierror)) throw e;
        print(`${label} ${e.name} ${e.errno} ${e.message}`);
      }
    }
  });
}
