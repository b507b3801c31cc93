// Functions bench/threadsafe.ts runs on Workers.
import { type Transfer, transfer } from "../mod.ts";

/** Its argument. */
export function noop<T>(x: T): T {
  return x;
}

/** Touch the buffer and send it back, moved. */
export function touch(bytes: Uint8Array): Transfer<Uint8Array> {
  bytes[0]++;
  return transfer(bytes);
}

/** Touch the buffer and send it back, copied. */
export function touchCopy(bytes: Uint8Array): Uint8Array {
  bytes[0]++;
  return bytes;
}
