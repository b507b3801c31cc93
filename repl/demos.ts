/**
 * The REPL's demos: short command scripts that replay the seed's
 * experiments. `demo NAME` resets the loop, then echoes and runs each line.
 * @module
 */

/** One demo: what it shows and the commands it types. */
export interface Demo {
  /** One line saying what the demo shows. */
  summary: string;
  /** The commands, run in order as if typed. */
  lines: string[];
}

/** Every demo, by name (the order `help demo` lists them in). */
export const DEMOS: Readonly<Record<string, Demo>> = {
  "printers-blocking": {
    summary:
      "the seed's blocking printers: time.sleep(0.2) blocks the loop, so they run one by one",
    lines: [
      "call_at +0.2 call_at block=0.2",
      "call_later 0.1 call_later block=0.2",
      "call_soon call_soon block=0.2",
      "call_soon_threadsafe call_soon_threadsafe block=0.2",
      "run 1",
      "timeline",
    ],
  },
  "printers-async": {
    summary: "the seed's async printers: await sleep(0.2) frees the loop, so they interleave",
    lines: [
      "call_at +0.2 call_at sleep=0.2",
      "call_later 0.1 call_later sleep=0.2",
      "call_soon call_soon sleep=0.2",
      "call_soon_threadsafe call_soon_threadsafe sleep=0.2",
      "run 1",
      "timeline",
    ],
  },
  sleepers: {
    summary: "the seed's first example: three sleeper tasks (1, 3, 2 s) finish in 3 s, not 6",
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
};
