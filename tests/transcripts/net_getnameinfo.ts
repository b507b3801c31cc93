// loop.getnameinfo, as net_getnameinfo.py.
import {
  getRunningLoop,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  OSError,
  run,
  type SockAddr,
} from "../../mod.ts";
import { line } from "./loop_fmt.ts";
import { tup } from "./net_fmt.ts";

export default async function (print: (line: string) => void): Promise<void> {
  await run(async () => {
    const loop = getRunningLoop();
    const cases: Array<[SockAddr, number]> = [
      [["127.0.0.1", 80], 0],
      [["127.0.0.1", 80], NI_NUMERICHOST],
      [["127.0.0.1", 80], NI_NUMERICSERV],
      [["127.0.0.1", 80], NI_NUMERICHOST | NI_NUMERICSERV],
      [["127.0.0.1", 53], NI_DGRAM],
      [["127.0.0.1", 9999], 0],
      [["127.0.0.2", 22], 0],
      [["127.0.0.2", 22], NI_NAMEREQD],
      [["::1", 443, 0, 0], NI_NUMERICHOST],
      [["fe80::1", 80, 0, 99], NI_NUMERICHOST],
      [["localhost", 80], 0],
      [["127.0.0.1", 80, 0, 0], 0],
    ];
    for (const [sockaddr, flags] of cases) {
      try {
        print(`${tup(sockaddr)} ${flags} ${tup(await loop.getnameinfo(sockaddr, flags))}`);
      } catch (e) {
        if (!(e instanceof OSError)) throw e;
        print(`${tup(sockaddr)} ${flags} ${line(e.name, e.errno, e.message)}`);
      }
    }
  });
}
