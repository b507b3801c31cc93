// The pictures of the browser view in docs/: each demo replayed in a REPL
// session, exported (export FILE.html) and photographed by headless
// Chromium at an iteration that shows its lesson. `deno task screenshots`.
import { Session } from "../repl/session.ts";
import { CHROMIUM, screenshot } from "../tests/_chromium.ts";

/** Each demo, and the iteration its picture shows. */
const SHOTS: Record<string, number> = {
  "printers-blocking": 2, // the timers, due long ago, run late
  "printers-async": 5, // the tasks await; the heap holds their sleeps
  sleepers: 2, // sleeper(1)'s timer runs; the others still sleep
  "cancel-task": 2, // the canceller runs at 0.5
  subprocess: 4, // the exec tasks' processes run at once (~ awaiting I/O)
  server: 29, // three clients and their handlers, reading and sleeping
};

if (CHROMIUM === null) {
  console.error("screenshots: chromium is not installed (apt-get install chromium)");
  Deno.exit(1);
}
const dir = await Deno.makeTempDir();
try {
  for (const [demo, iteration] of Object.entries(SHOTS)) {
    const session = new Session({ write: () => {} });
    await session.exec(`demo ${demo}`);
    const file = `${dir}/${demo}.html`;
    await session.exec(`export ${file}`);
    await session.close();
    const png = new URL(`view-${demo}.png`, import.meta.url).pathname;
    await screenshot(`file://${file}#${iteration}`, png, 1280, 860);
    console.log(`wrote ${png}`);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
