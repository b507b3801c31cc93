// The Worker of bench/threadsafe.ts's flood: given a loopPort, it waits for
// a count, then calls callSoonThreadsafe that many times.
import { callSoonThreadsafe } from "../mod.ts";

const TICK = { module: new URL("./_threadsafe_tick.ts", import.meta.url).href, name: "tick" };

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<MessagePort | number>) => void) | null;
  postMessage(message: unknown): void;
};

let port: MessagePort;
scope.onmessage = (event) => {
  if (event.data instanceof MessagePort) {
    port = event.data;
    scope.postMessage("ready");
    return;
  }
  for (let i = 0; i < event.data; i++) callSoonThreadsafe(port, TICK);
};
