// loop.getaddrinfo("localhost", ...), as net_getaddrinfo_localhost.py.
import {
  AF_INET,
  AF_INET6,
  AI_CANONNAME,
  gaierror,
  getRunningLoop,
  IPPROTO_UDP,
  run,
  SOCK_DGRAM,
  SOCK_STREAM,
} from "../../mod.ts";
import { tup } from "./net_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    for (
      const [label, options] of [
        ["no hints", {}],
        ["SOCK_STREAM", { type: SOCK_STREAM }],
        ["IPPROTO_UDP", { proto: IPPROTO_UDP }],
        ["AI_CANONNAME", { flags: AI_CANONNAME }],
        ["AF_INET", { family: AF_INET, type: SOCK_DGRAM }],
      ] as const
    ) {
      print(label);
      for (const row of await loop.getaddrinfo("localhost", 8080, options)) print(`  ${tup(row)}`);
    }
    try {
      await loop.getaddrinfo("localhost", 8080, { family: AF_INET6 });
    } catch (e) {
      if (!(e instanceof gaierror)) throw e;
      print(`AF_INET6: ${e.name} ${e.errno} ${e.message}`);
    }
  });
}
