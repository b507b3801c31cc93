/**
 * The REPL's demos: short command scripts that replay the lecture's
 * experiments ("Async I/O — multithreading without threads"). `demo NAME`
 * resets the loop, then echoes and runs each line.
 * @module
 */

/** One demo: what it shows and the commands it types. */
export interface Demo {
  /** One line saying what the demo shows. */
  summary: string;
  /** The commands, run in order as if typed. */
  lines: string[];
  /** Its processes and sockets take real time: it runs on the real clock. */
  real?: boolean;
}

/** Every demo, by name (the order `help demo` lists them in). */
export const DEMOS: Readonly<Record<string, Demo>> = {
  "printers-blocking": {
    summary:
      "the lecture's blocking printers: time.sleep(0.2) blocks the loop, so they run one by one, " +
      "and the timers run late",
    lines: [
      "call_at +0.2 call_at block=0.2",
      "call_later 0.1 call_later block=0.2",
      "call_soon call_soon block=0.2",
      "call_soon_threadsafe call_soon_threadsafe block=0.2",
      "call_later 1 stop",
      "run",
      "timeline",
      "why 2",
    ],
  },
  "printers-async": {
    summary: "the lecture's async printers: await sleep(0.2) frees the loop, so they interleave",
    lines: [
      "call_at +0.2 call_at sleep=0.2",
      "call_later 0.1 call_later sleep=0.2",
      "call_soon call_soon sleep=0.2",
      "call_soon_threadsafe call_soon_threadsafe sleep=0.2",
      "call_later 1 stop",
      "run",
      "timeline",
    ],
  },
  sleepers: {
    summary: "the lecture's first example: three sleeper tasks (1, 3, 2 s) finish in 3 s, not 6",
    lines: [
      "create_task sleeper(1) sleep=1",
      "create_task sleeper(3) sleep=3",
      "create_task sleeper(2) sleep=2",
      "run",
      "timeline",
    ],
  },
  "cancel-task": {
    summary: "a task cancelled mid-sleep: its await raises CancelledError at 0.5 s",
    lines: [
      "create_task sleeper sleep=1",
      "js loop.callLater(0.5, function canceller() { $(1).cancel(); })",
      "queue",
      "run",
      "timeline",
    ],
  },
  subprocess: {
    summary: "the lecture's Process section: sleep 0.1 three times in a row (each blocks the " +
      "loop), then five at once (awaited), then a python3 fed through a pipe",
    real: true,
    lines: [
      "call_soon sleep popen=0.1",
      "call_soon sleep popen=0.1",
      "call_soon sleep popen=0.1",
      "run",
      "create_task sleep exec=0.1",
      "create_task sleep exec=0.1",
      "create_task sleep exec=0.1",
      "create_task sleep exec=0.1",
      "create_task sleep exec=0.1",
      "call_later 0.5 stop",
      "run",
      "js loop.createTask(lecture.runScript)",
      "run",
      "timeline",
    ],
  },
  server: {
    summary: "the lecture's Servers section: a server on 127.0.0.1 that sends each client N " +
      "lines, and three clients that read one a second",
    real: true,
    lines: [
      "js await loop.runUntilComplete(lecture.startServer)",
      "js loop.callLater(0.4, loop.createTask, lecture.client(3))",
      "js loop.callLater(2, loop.createTask, lecture.client(2))",
      "js loop.callLater(2.5, loop.createTask, lecture.client(1))",
      "call_later 5 stop",
      "run",
      "js await loop.runUntilComplete(lecture.closeServer)",
      "timeline",
    ],
  },
};
