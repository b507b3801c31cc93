// Name resolution for `loop.getaddrinfo` / `loop.getnameinfo`, giving the
// rows glibc's getaddrinfo() gives CPython's `socket.getaddrinfo` on Linux.
//
// Deno has no getaddrinfo of its own that honours /etc/hosts and
// nsswitch.conf: `Deno.resolveDns` asks a DNS server only. `node:dns`'s
// `lookup` does call the C library's getaddrinfo() (Deno 2.9's
// op_node_getaddrinfo, on a blocking thread), but with fixed hints
// (SOCK_STREAM, no flags; `family` is passed on) and it returns bare
// addresses. So the C library decides which addresses a *name* has, and in
// which order (`order: "verbatim"`: Deno's default sorts IPv4 first); what
// glibc computes itself from the hints (numeric hosts, the null host, one
// row per socket type, services from /etc/services, the error codes) is done
// here, as glibc's sysdeps/posix/getaddrinfo.c does it (checked case by case
// against CPython 3.11 on glibc: tests/transcripts/net_getaddrinfo_*.py).
//
// What is lost on the way through node:dns: every failed lookup reaches us
// as ENOTFOUND, so a name that fails is EAI_NONAME (-2) even where glibc
// would say EAI_AGAIN (-3, no DNS server answered); and a name's canonical
// name (AI_CANONNAME) is read from /etc/hosts, else it is the name itself
// (glibc would give a DNS CNAME's target).
import { lookup, lookupService } from "node:dns/promises";
import { gaierror, OSError } from "./exceptions.ts";

/** An address as Python's socket module gives it: `[host, port]` or `[host, port, flowinfo, scopeId]`. */
export type SockAddr = [string, number] | [string, number, number, number];

/** One getaddrinfo row: `[family, type, proto, canonname, sockaddr]`. */
export type AddrInfo = [number, number, number, string, SockAddr];

/** The hints of `loop.getaddrinfo`, as CPython's keyword arguments. */
export interface GetAddrInfoOptions {
  /** `AF_INET`, `AF_INET6` or `AF_UNSPEC` (0, the default: both). */
  family?: number;
  /** `SOCK_STREAM`, `SOCK_DGRAM`, `SOCK_RAW`, ... or 0 (every kind). */
  type?: number;
  /** `IPPROTO_TCP`, `IPPROTO_UDP`, ... or 0. */
  proto?: number;
  /** `AI_*` flags, or-ed. */
  flags?: number;
}

const AF_UNSPEC = 0, AF_INET = 2, AF_INET6 = 10;
const AI_PASSIVE = 0x1, AI_CANONNAME = 0x2, AI_NUMERICHOST = 0x4, AI_V4MAPPED = 0x8;
const AI_ALL = 0x10, AI_ADDRCONFIG = 0x20, AI_NUMERICSERV = 0x400;
// The flags glibc accepts (the rest are its IDN flags, which change nothing
// for the ASCII names and numeric hosts this module sees): others are
// EAI_BADFLAGS.
const AI_KNOWN = 0x7ff;
const NI_NUMERICHOST = 1, NI_NUMERICSERV = 2, NI_NAMEREQD = 8, NI_DGRAM = 16;
const NI_KNOWN = 0xff;

const EAI_BADFLAGS = -1, EAI_NONAME = -2, EAI_FAMILY = -6, EAI_SOCKTYPE = -7;
const EAI_SERVICE = -8, EAI_ADDRFAMILY = -9;

/**
 * The socket kinds glibc knows, in its order: a hint picks the first that
 * matches; with no hint, the `byDefault` ones each give a row. `anyProto`:
 * any protocol number goes (raw sockets); `noService`: a service cannot be
 * given (raw sockets have no ports).
 */
interface Kind {
  type: number;
  proto: number;
  name: string;
  byDefault: boolean;
  anyProto: boolean;
}
const KINDS: readonly Kind[] = [
  { type: 1, proto: 6, name: "tcp", byDefault: true, anyProto: false },
  { type: 2, proto: 17, name: "udp", byDefault: true, anyProto: false },
  { type: 6, proto: 33, name: "dccp", byDefault: false, anyProto: false },
  { type: 2, proto: 136, name: "udplite", byDefault: false, anyProto: false },
  { type: 1, proto: 132, name: "sctp", byDefault: false, anyProto: false },
  { type: 5, proto: 132, name: "sctp", byDefault: false, anyProto: false },
  { type: 3, proto: 0, name: "raw", byDefault: true, anyProto: true },
];

/** One address to give rows for. */
interface Addr {
  family: number;
  bytes: Uint8Array;
  scopeId: number;
}

/** The rows `socket.getaddrinfo(host, port, family, type, proto, flags)` gives on glibc. */
export async function getaddrinfo(
  host: string | null,
  port: string | number | null,
  options: GetAddrInfoOptions = {},
): Promise<AddrInfo[]> {
  if (host !== null && typeof host !== "string") {
    throw new TypeError(`getaddrinfo() argument 1 must be string or None, not ${typeof host}`);
  }
  if (port !== null && typeof port !== "string" && !Number.isInteger(port)) {
    throw new TypeError("getaddrinfo() argument 2 must be integer or string");
  }
  let family = intOption(options.family, "family");
  const type = intOption(options.type, "type");
  const proto = intOption(options.proto, "proto");
  const flags = intOption(options.flags, "flags");

  if ((flags & ~AI_KNOWN) !== 0) throw new gaierror(EAI_BADFLAGS);
  if ((flags & AI_CANONNAME) !== 0 && host === null) throw new gaierror(EAI_BADFLAGS);
  if (host === null && port === null) throw new gaierror(EAI_NONAME);
  if (family !== AF_UNSPEC && family !== AF_INET && family !== AF_INET6) {
    throw new gaierror(EAI_FAMILY);
  }
  if ((flags & AI_ADDRCONFIG) !== 0) family = addrconfigFamily(family);

  const kinds = pickKinds(type, proto);
  const services = await servicePorts(port === null ? null : String(port), kinds, flags);
  const addrs = await hostAddrs(host, family, flags);

  let canonname = "";
  if ((flags & AI_CANONNAME) !== 0) canonname = await canonicalName(host!);
  const rows: AddrInfo[] = [];
  for (const addr of addrs) {
    for (const [kind, kindProto, portNumber] of services) {
      const sockaddr: SockAddr = addr.family === AF_INET
        ? [formatIPv4(addr.bytes), portNumber]
        : [formatIPv6(addr.bytes), portNumber, 0, addr.scopeId];
      // As glibc: only the first row carries the canonical name.
      rows.push([addr.family, kind.type, kindProto, rows.length === 0 ? canonname : "", sockaddr]);
    }
  }
  return rows;
}

/**
 * `socket.getnameinfo(sockaddr, flags)`: `[host, service]`.
 * NI_NOFQDN is accepted and changes nothing (glibc strips only the
 * machine's own domain, which Deno does not tell).
 */
export async function getnameinfo(sockaddr: unknown, flags: number = 0): Promise<[string, string]> {
  if (
    !Array.isArray(sockaddr) || sockaddr.length < 2 || sockaddr.length > 4 ||
    typeof sockaddr[0] !== "string"
  ) {
    throw new TypeError("getnameinfo(): illegal sockaddr argument");
  }
  const [host, port, flowinfo = 0, scopeArg = 0] = sockaddr as [string, unknown, unknown, unknown];
  if (!Number.isInteger(port)) {
    throw new TypeError(`getnameinfo(): the port must be an integer, not ${String(port)}`);
  }
  if (!Number.isInteger(flowinfo) || (flowinfo as number) < 0 || (flowinfo as number) > 0xfffff) {
    throw new RangeError("getnameinfo(): flowinfo must be 0-1048575.");
  }
  if (!Number.isInteger(flags)) throw new TypeError("flags must be an integer");
  // As CPython's socket_getnameinfo: the host must be numeric, and one address.
  const rows = await getaddrinfo(host, String(port), {
    type: 2,
    flags: AI_NUMERICHOST,
  });
  if (rows.length > 1) throw new OSError("sockaddr resolved to multiple addresses");
  const [family, , , , resolved] = rows[0];
  if (family === AF_INET && sockaddr.length !== 2) {
    throw new OSError("IPv4 sockaddr must be 2 tuple");
  }
  if ((flags & ~NI_KNOWN) !== 0) throw new gaierror(EAI_BADFLAGS);
  const address = resolved[0];
  const portNumber = resolved[1];
  const scopeId = family === AF_INET6 ? (sockaddr.length === 4 ? scopeArg as number : 0) : 0;

  let name: string | null = null;
  if ((flags & NI_NUMERICHOST) === 0) {
    try {
      name = (await lookupService(address, portNumber)).hostname;
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOTFOUND") throw notCapable(err, address);
    }
    if (name === null && (flags & NI_NAMEREQD) !== 0) throw new gaierror(EAI_NONAME);
  }
  if (name === null) {
    name = address;
    if (scopeId !== 0) name += `%${await scopeName(parseIPv6(address)!, scopeId)}`;
  }
  let service = String(portNumber);
  if ((flags & NI_NUMERICSERV) === 0) {
    const table = await serviceTable();
    service = table.byPort.get(`${portNumber}/${(flags & NI_DGRAM) !== 0 ? "udp" : "tcp"}`) ??
      service;
  }
  return [name, service];
}

function intOption(value: number | undefined, name: string): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value)) throw new TypeError(`${name} must be an integer, not ${value}`);
  return value;
}

// As glibc with AI_ADDRCONFIG: only the families this machine has a
// non-loopback address of (Deno.networkInterfaces needs --allow-sys).
function addrconfigFamily(family: number): number {
  let v4 = false, v6 = false;
  for (const nic of Deno.networkInterfaces()) {
    if (nic.family === "IPv4" && nic.address !== "127.0.0.1") v4 = true;
    if (nic.family === "IPv6" && nic.address !== "::1") v6 = true;
  }
  if (family === AF_UNSPEC) return v4 === v6 ? family : v4 ? AF_INET : AF_INET6;
  if ((family === AF_INET && !v4) || (family === AF_INET6 && !v6)) {
    throw new gaierror(EAI_NONAME);
  }
  return family;
}

/** The kinds a hint selects: the first that matches, or every default one. */
function pickKinds(type: number, proto: number): Kind[] {
  if (type === 0 && proto === 0) return KINDS.filter((k) => k.byDefault);
  const kind = KINDS.find((k) =>
    (type === 0 || type === k.type) && (proto === 0 || k.anyProto || proto === k.proto)
  );
  if (kind === undefined) throw new gaierror(type !== 0 ? EAI_SOCKTYPE : EAI_SERVICE);
  return [kind.anyProto && proto !== 0 ? { ...kind, proto } : kind];
}

/** `[kind, proto, port]` for each row an address gets. */
async function servicePorts(
  service: string | null,
  kinds: Kind[],
  flags: number,
): Promise<Array<[Kind, number, number]>> {
  if (service === null) return kinds.map((k) => [k, k.proto, 0]);
  const hinted = kinds.length === 1;
  const number = numericService(service);
  if (number !== null) {
    if (hinted && kinds[0].anyProto) throw new gaierror(EAI_SERVICE);
    return kinds.map((k) => [k, k.proto, number]);
  }
  if ((flags & AI_NUMERICSERV) !== 0) throw new gaierror(EAI_NONAME);
  const table = await serviceTable();
  const found: Array<[Kind, number, number]> = [];
  for (const k of kinds) {
    if (k.anyProto) {
      if (hinted) throw new gaierror(EAI_SERVICE);
      continue;
    }
    const portNumber = table.byName.get(`${service}/${k.name}`);
    if (portNumber !== undefined) found.push([k, k.proto, portNumber]);
  }
  if (found.length === 0) throw new gaierror(EAI_SERVICE);
  return found;
}

/**
 * A service given as a number, as glibc reads it (strtoul, base 10, then
 * kept as an int: a negative or non-numeric text is a name); the port is
 * its low 16 bits, as htons() leaves it.
 */
function numericService(service: string): number | null {
  if (service === "") return 0;
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(service);
  if (m === null) return null;
  let value = BigInt(m[2]);
  if (value > 0xffffffffffffffffn) value = 0xffffffffffffffffn; // strtoul saturates
  if (m[1] === "-") value = (0x10000000000000000n - value) & 0xffffffffffffffffn;
  const asInt = Number(BigInt.asIntN(32, value));
  return asInt < 0 ? null : asInt & 0xffff;
}

/** The addresses `host` stands for, in glibc's order. */
async function hostAddrs(host: string | null, family: number, flags: number): Promise<Addr[]> {
  if (host === null) {
    // glibc's wildcard or loopback addresses, in the order it sorts them.
    const passive = (flags & AI_PASSIVE) !== 0;
    const v4Bytes = new Uint8Array(4);
    if (!passive) v4Bytes.set([127, 0, 0, 1]);
    const v4 = { family: AF_INET, bytes: v4Bytes, scopeId: 0 };
    const v6Bytes = new Uint8Array(16);
    if (!passive) v6Bytes[15] = 1;
    const v6 = { family: AF_INET6, bytes: v6Bytes, scopeId: 0 };
    const both = passive ? [v4, v6] : [v6, v4];
    return both.filter((a) => family === AF_UNSPEC || a.family === family);
  }
  const v4 = parseIPv4(host);
  if (v4 !== null) {
    if (family === AF_INET6) {
      if ((flags & AI_V4MAPPED) === 0) throw new gaierror(EAI_ADDRFAMILY);
      return [{ family: AF_INET6, bytes: mapped(v4), scopeId: 0 }];
    }
    return [{ family: AF_INET, bytes: v4, scopeId: 0 }];
  }
  const percent = host.indexOf("%");
  const v6 = parseIPv6(percent < 0 ? host : host.slice(0, percent));
  if (v6 !== null) {
    if (family === AF_INET) throw new gaierror(EAI_ADDRFAMILY);
    const scopeId = percent < 0 ? 0 : await scopeIndex(v6, host.slice(percent + 1));
    if (scopeId === null) throw new gaierror(EAI_NONAME);
    return [{ family: AF_INET6, bytes: v6, scopeId }];
  }
  if ((flags & AI_NUMERICHOST) !== 0 || host === "") throw new gaierror(EAI_NONAME);

  if (family === AF_INET6 && (flags & AI_V4MAPPED) !== 0) {
    // As glibc: IPv6 answers, and the IPv4 ones mapped when there are none
    // (or always, with AI_ALL).
    const v6s = await lookupAddrs(host, 6, false);
    if (v6s.length > 0 && (flags & AI_ALL) === 0) return v6s;
    const v4s = await lookupAddrs(host, 4, v6s.length === 0);
    return [...v6s, ...v4s.map((a) => ({ family: AF_INET6, bytes: mapped(a.bytes), scopeId: 0 }))];
  }
  return await lookupAddrs(host, family === AF_INET ? 4 : family === AF_INET6 ? 6 : 0, true);
}

/** The C library's addresses for a name (see the top of this file). */
async function lookupAddrs(host: string, family: 0 | 4 | 6, required: boolean): Promise<Addr[]> {
  let found: Array<{ address: string; family: number }>;
  try {
    found = await lookup(host, { all: true, family, order: "verbatim" });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== "ENOTFOUND" && code !== "EAI_NODATA") throw notCapable(err, host);
    found = [];
  }
  if (found.length === 0 && required) throw new gaierror(EAI_NONAME);
  const addrs: Addr[] = [];
  for (const { address } of found) {
    const v4 = parseIPv4(address);
    if (v4 !== null) addrs.push({ family: AF_INET, bytes: v4, scopeId: 0 });
    else {
      const v6 = parseIPv6(address.split("%")[0]);
      if (v6 !== null) addrs.push({ family: AF_INET6, bytes: v6, scopeId: 0 });
    }
  }
  return addrs;
}

/**
 * node:dns reports Deno's refusal (no --allow-net) as a bare "EPERM": say
 * what Deno itself would say. Any other error passes as it is.
 */
function notCapable(err: unknown, host: string): unknown {
  if ((err as { code?: string }).code !== "EPERM") return err;
  return new Deno.errors.NotCapable(
    `Requires net access to "${host}" to resolve it, run again with the --allow-net flag`,
    { cause: err },
  );
}

function mapped(v4: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes[10] = bytes[11] = 0xff;
  bytes.set(v4, 12);
  return bytes;
}

/**
 * The canonical name of `host`: itself when numeric, else the first name of
 * the /etc/hosts line that lists it, else the name as given.
 */
async function canonicalName(host: string): Promise<string> {
  if (parseIPv4(host) !== null || parseIPv6(host.split("%")[0]) !== null) return host;
  let text: string;
  try {
    text = await Deno.readTextFile("/etc/hosts");
  } catch {
    return host;
  }
  const wanted = host.toLowerCase();
  for (const line of text.split("\n")) {
    const [, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (names.some((n) => n.toLowerCase() === wanted)) return names[0];
  }
  return host;
}

// ---- Services (/etc/services, as getservbyname / getservbyport) ---------

interface ServiceTable {
  /** `"http/tcp"` → 80 (aliases too). */
  byName: Map<string, number>;
  /** `"80/tcp"` → `"http"` (the first line's name). */
  byPort: Map<string, string>;
}

let services: Promise<ServiceTable> | null = null;

/** /etc/services, read once (reading it needs --allow-read=/etc/services). */
function serviceTable(): Promise<ServiceTable> {
  services ??= Deno.readTextFile("/etc/services").then((text) => {
    const table: ServiceTable = { byName: new Map(), byPort: new Map() };
    for (const line of text.split("\n")) {
      const [name, portProto, ...aliases] = line.replace(/#.*/, "").trim().split(/\s+/);
      const m = /^(\d+)\/(\w+)$/.exec(portProto ?? "");
      if (m === null) continue;
      const portNumber = Number(m[1]);
      for (const n of [name, ...aliases]) {
        if (!table.byName.has(`${n}/${m[2]}`)) table.byName.set(`${n}/${m[2]}`, portNumber);
      }
      if (!table.byPort.has(`${portNumber}/${m[2]}`)) {
        table.byPort.set(`${portNumber}/${m[2]}`, name);
      }
    }
    return table;
  }, (err) => {
    services = null;
    throw err;
  });
  return services;
}

// ---- Interfaces (if_nametoindex / if_indextoname) -----------------------
//
// Deno has neither call. An interface's index is the scope id of its
// link-local IPv6 address (Deno.networkInterfaces, with --allow-sys), or
// /sys/class/net/NAME/ifindex (which Deno 2.9 lets only --allow-all read).
// What neither shows is an unknown interface, as it is to glibc.

/** `[name, index]` of the interfaces this process may see. */
async function interfaces(): Promise<Array<[string, number]>> {
  const found = new Map<string, number>();
  try {
    for (const nic of Deno.networkInterfaces()) {
      const v6 = nic.family === "IPv6" ? parseIPv6(nic.address) : null;
      if (v6 !== null && linkLocal(v6) && nic.scopeid) found.set(nic.name, nic.scopeid);
    }
  } catch { /* no --allow-sys */ }
  try {
    for await (const nic of Deno.readDir("/sys/class/net")) {
      const index = await Deno.readTextFile(`/sys/class/net/${nic.name}/ifindex`);
      found.set(nic.name, Number(index.trim()));
    }
  } catch { /* no /sys, or not --allow-all */ }
  return [...found];
}

/** The scope id of `%scope` on `addr`, as glibc's __inet6_scopeid_pton; null if none. */
async function scopeIndex(addr: Uint8Array, scope: string): Promise<number | null> {
  if (linkLocal(addr)) {
    const index = (await interfaces()).find(([name]) => name === scope)?.[1];
    if (index !== undefined) return index;
  }
  if (/^\d+$/.test(scope) && Number(scope) <= 0xffffffff) return Number(scope);
  return null;
}

/** `%scope` for a numeric host, as glibc's getnameinfo writes it. */
async function scopeName(addr: Uint8Array, scopeId: number): Promise<string> {
  if (linkLocal(addr)) {
    const name = (await interfaces()).find(([, index]) => index === scopeId)?.[0];
    if (name !== undefined) return name;
  }
  return String(scopeId);
}

/** fe80::/10 or a link-local multicast address (ffx2::/16). */
function linkLocal(addr: Uint8Array): boolean {
  return (addr[0] === 0xfe && (addr[1] & 0xc0) === 0x80) ||
    (addr[0] === 0xff && (addr[1] & 0x0f) === 0x02);
}

// ---- Numeric addresses (inet_aton, inet_pton, inet_ntop) ---------------

/**
 * An IPv4 address as glibc's getaddrinfo reads a numeric host (inet_aton:
 * one to four parts, each decimal, octal with a leading 0 or hex with 0x;
 * the last part fills the remaining bytes: "127.1" is 127.0.0.1).
 */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    const m = /^(?:0[xX]([0-9a-fA-F]*)|(0[0-7]*)|([1-9]\d*))$/.exec(part);
    if (m === null) return null;
    const value = m[1] !== undefined
      ? parseInt(m[1] || "0", 16)
      : m[2] !== undefined
      ? parseInt(m[2], 8)
      : Number(m[3]);
    if (!Number.isSafeInteger(value)) return null;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 0xff) || last >= 2 ** (8 * (4 - values.length))) return null;
  const bytes = new Uint8Array(4);
  bytes.set(values);
  for (let i = 3, rest = last; i >= values.length; i--, rest = Math.floor(rest / 256)) {
    bytes[i] = rest % 256;
  }
  return bytes;
}

/** An IPv6 address as inet_pton reads it (an IPv4 tail allowed), or null. */
export function parseIPv6(text: string): Uint8Array | null {
  if (!text.includes(":")) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === "") return [];
    const words: number[] = [];
    const parts = half.split(":");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (i === parts.length - 1 && part.includes(".")) {
        // inet_pton's strict dotted quad: four decimal bytes, no leading zeros.
        const v4 =
          /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/
              .test(part)
            ? parseIPv4(part)
            : null;
        if (v4 === null) return null;
        words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
        words.push(parseInt(part, 16));
      } else {
        return null;
      }
    }
    return words;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === null || tail === null) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const words = [...head, ...new Array(fill).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

/** Dotted quad. */
export function formatIPv4(bytes: Uint8Array): string {
  return bytes.join(".");
}

/**
 * An IPv6 address as glibc's inet_ntop writes it: the longest run of two or
 * more zero groups (the first, on a tie) as "::", lowercase hex, and an
 * IPv4-compatible or -mapped address with a dotted-quad tail.
 */
export function formatIPv6(bytes: Uint8Array): string {
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (bestLen < 2) best = -1;
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      out += ":";
      i += bestLen - 1;
      if (i === 7) out += ":";
      continue;
    }
    if (i > 0) out += ":";
    if (i === 6 && best === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
      break;
    }
    out += words[i].toString(16);
  }
  return out;
}

/**
 * An address as Python prints it in messages: a tuple (`('127.0.0.1', 80)`,
 * `('::1', 80, 0, 0)`) or a Unix path as a string (`'/tmp/s'`).
 */
export function sockaddrRepr(addr: SockAddr | string): string {
  if (typeof addr === "string") return `'${addr}'`;
  return `(${addr.map((v) => typeof v === "string" ? `'${v}'` : String(v)).join(", ")})`;
}
