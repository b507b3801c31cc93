// The worker of `CtrlC` (ctrl_c.ts): it listens for SIGINT, which it hears
// even while the main thread is blocked. Cells of the shared array: [0]
// Ctrl-Cs heard, [1] Ctrl-Cs the main thread has taken, [2] 1 while this
// worker listens. Messages in: { cells, watch } (listen; `watch`: say so if
// the main thread does not take a Ctrl-C), or "listen" (again). Out: "sigint".
import { wrap } from "./render.ts";

const scope = self as unknown as {
  onmessage:
    | ((event: MessageEvent<{ cells: SharedArrayBuffer; watch: boolean } | string>) => void)
    | null;
  postMessage(message: unknown): void;
};

// How long the main thread has to take a Ctrl-C before it counts as stuck.
const STUCK_MS = 2000;
const STUCK = "^C: the REPL is running JavaScript that does not return (js while (true) {}?), " +
  "which nothing can interrupt; press Ctrl-C again to quit the REPL";

let cells: Int32Array | null = null;
let watch = false;

function onSigint(): void {
  const heard = Atomics.add(cells!, 0, 1) + 1;
  // Wakes a blocking printer waiting on this cell (Atomics.wait), at once.
  Atomics.notify(cells!, 0);
  scope.postMessage("sigint");
  if (watch) setTimeout(() => checkTaken(heard), STUCK_MS);
}

function checkTaken(heard: number): void {
  if (Atomics.load(cells!, 1) >= heard || Atomics.load(cells!, 2) === 0) return;
  // Not taken: stop listening, so that the next Ctrl-C has Deno's default
  // effect (the process ends), with the terminal as the shell expects it.
  Deno.removeSignalListener("SIGINT", onSigint);
  Atomics.store(cells!, 2, 0);
  try {
    if (Deno.stdin.isTerminal()) Deno.stdin.setRaw(false);
  } catch { /* not ours to fix */ }
  let columns: number | null = null;
  try {
    columns = Deno.consoleSize().columns;
  } catch { /* not a terminal: one line */ }
  const text = `\r\n${wrap(STUCK, columns, "  ").join("\r\n")}\r\n`;
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}

scope.onmessage = (event) => {
  if (typeof event.data !== "string") {
    cells = new Int32Array(event.data.cells);
    watch = event.data.watch;
  }
  if (cells === null || Atomics.load(cells, 2) === 1) return;
  Deno.addSignalListener("SIGINT", onSigint);
  Atomics.store(cells, 2, 1);
  Atomics.notify(cells, 2);
};
