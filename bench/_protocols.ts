// The protocol/transport layer (issue 15) the protocol benches are written
// against, until it reaches this branch. The benches import it from here so
// that `deno check bench/` passes before the layer exists; once mod.ts
// exports it, this file becomes:
//
//   export { BufferedProtocol, Protocol } from "../mod.ts";
//   export const createServer = (f, host, port) => getRunningLoop().createServer(f, host, port);
//
// Nothing here falls back to another implementation: without the layer,
// making a protocol server throws (so the bench fails loudly, not quietly).
import * as asyncio from "../mod.ts";
import type { Transport } from "../mod.ts";

export type { Transport };

/** asyncio's `Protocol`, as the benches use it. */
export interface ProtocolLike {
  connectionMade(transport: Transport): void;
  dataReceived(data: Uint8Array): void;
  eofReceived(): boolean | void;
  connectionLost(exc: unknown): void;
}

/** asyncio's `BufferedProtocol`, as the benches use it. */
export interface BufferedProtocolLike {
  connectionMade(transport: Transport): void;
  getBuffer(sizehint: number): Uint8Array;
  bufferUpdated(nbytes: number): void;
  eofReceived(): boolean | void;
  connectionLost(exc: unknown): void;
}

/** The part of asyncio's `Server` the benches use. */
export interface ProtocolServer {
  readonly sockets: readonly Deno.Addr[];
  close(): void;
  waitClosed(): Promise<void>;
  serveForever(): Promise<void>;
}

type Factory = () => ProtocolLike | BufferedProtocolLike;

const api = asyncio as unknown as Record<string, unknown>;

function missing(name: string): abstract new () => never {
  return class {
    constructor() {
      throw new Error(`${name}: the protocol/transport layer is not in mod.ts yet (issue 15)`);
    }
  } as unknown as abstract new () => never;
}

/** asyncio's `Protocol` base class (its methods do nothing). */
export const Protocol = (api.Protocol ?? missing("Protocol")) as abstract new () => ProtocolLike;

/** asyncio's `BufferedProtocol` base class. */
export const BufferedProtocol =
  (api.BufferedProtocol ?? missing("BufferedProtocol")) as abstract new () => BufferedProtocolLike;

/** `getRunningLoop().createServer(factory, host, port)`. */
export function createServer(
  factory: Factory,
  host: string,
  port: number,
): Promise<ProtocolServer> {
  const loop = asyncio.getRunningLoop() as unknown as {
    createServer?: (f: Factory, host: string, port: number) => Promise<ProtocolServer>;
  };
  if (typeof loop.createServer !== "function") {
    throw new Error(
      "loop.createServer: the protocol/transport layer is not in mod.ts yet (issue 15)",
    );
  }
  return loop.createServer(factory, host, port);
}
