/**
 * The REPL's commands: how each is written (`usage`) and what `help` says
 * about it. `parse.ts` reads lines against this table; `help.ts` prints it.
 * @module
 */
import { DEMOS } from "./demos.ts";

/** How a command is written and explained by `help`. */
export interface CommandSpec {
  name: string;
  /** Other spellings accepted (the camelCase twin is added automatically). */
  aliases?: string[];
  usage: string;
  summary: string;
  /** More lines for `help NAME`. */
  details?: string[];
}

const WORK_HELP = "WORK: nothing (instant), block=S (blocks the loop S seconds, as time.sleep), " +
  "sleep=S (async: Started, await sleep(S), Finished), exec=S (async: runs the process sleep S " +
  "and awaits it), popen=S (runs sleep S and waits for it, blocking the loop). exec and popen " +
  "need the real clock.";
const IDIOMS = "NAME stop schedules loop.stop (call_later 2 stop is the lecture's " +
  "loop.call_later(2, loop.stop)); create_task NAME [WORK] schedules loop.create_task of a " +
  "printer task (call_soon create_task s sleep=1 is loop.call_soon(loop.create_task, sleeper(1))).";

/** Every command, in the order `help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "call_soon",
    usage: "call_soon NAME [WORK]",
    summary: "schedule a printer callback on the ready queue (loop.call_soon)",
    details: [WORK_HELP, IDIOMS, "example: call_soon a block=0.2"],
  },
  {
    name: "call_soon_threadsafe",
    usage: "call_soon_threadsafe NAME [WORK]",
    summary: "the same, through loop.call_soon_threadsafe (also the ready queue)",
    details: [WORK_HELP, IDIOMS, "example: call_soon_threadsafe b sleep=0.2"],
  },
  {
    name: "call_later",
    usage: "call_later DELAY NAME [WORK]",
    summary: "schedule on the timer heap, due DELAY seconds from now (loop.call_later)",
    details: [
      WORK_HELP,
      IDIOMS,
      "A DELAY of 0 or less is due now (it still waits behind the ready queue), as in asyncio.",
      "example: call_later 0.1 c block=0.2",
    ],
  },
  {
    name: "call_at",
    usage: "call_at WHEN NAME [WORK]",
    summary: "schedule at loop time WHEN, or +DELTA from now (loop.call_at)",
    details: [
      WORK_HELP,
      IDIOMS,
      "A WHEN in the past is due now, as in asyncio.",
      "example: call_at +0.2 d   (as loop.call_at(loop.time() + .2, ...))",
    ],
  },
  {
    name: "create_task",
    usage: "create_task NAME [WORK]",
    summary: "create a task running the printer (loop.create_task)",
    details: [WORK_HELP, "example: create_task sleeper sleep=1"],
  },
  {
    name: "run",
    usage: "run [S]",
    summary: "run the loop: S seconds (as call_later(S, loop.stop)), or until nothing is left",
    details: [
      "Ctrl-C (or typing stop) during a run stops the loop after the current iteration. On the " +
      "real clock Ctrl-C also ends a blocking printer at once (and any other that blocks in that " +
      "iteration): it says Interrupted. (In Python, Ctrl-C raises KeyboardInterrupt out of " +
      "run_forever, and the rest of the iteration stays queued.)",
      "run and step count iterations the same way: those in which something ran.",
      "Without S it also waits for the setTimeout/setInterval timers of js code, so that what they " +
      "schedule runs in the run: an uncleared setInterval keeps it going (clearInterval, or Ctrl-C).",
      "Other host work (fetch, Deno APIs, globalThis.setTimeout) it cannot see, unless a task " +
      "awaits it.",
    ],
  },
  {
    name: "step",
    usage: "step",
    summary: "run one iteration of the loop and list what ran",
    details: [
      "On the virtual clock, if nothing is ready, time first jumps to the next timer.",
    ],
  },
  {
    name: "stop",
    usage: "stop",
    summary: "loop.stop(): while a run goes on, end it; else the next run does one iteration",
  },
  {
    name: "cancel",
    usage: "cancel ID",
    summary: "cancel a pending callback (handle.cancel()) or task (task.cancel()) by id",
    details: ["example: cancel 3   (or cancel #3)"],
  },
  {
    name: "why",
    usage: "why ID",
    summary: "say when a callback or task was ready, when it ran, and who held the loop meanwhile",
    details: [
      "For a timer: its deadline, when it ran and how late, and what ran in between " +
      "(due 0.1, ran 0.3, late 0.2 s: #1 hog held the loop 0.0–0.3). For a task: each step that " +
      "waited.",
    ],
  },
  {
    name: "reset",
    usage: "reset",
    summary: "drop everything and start a new loop on the same clock, at t=0",
  },
  {
    name: "queue",
    usage: "queue",
    summary: "show the ready queue in order and the timer heap in firing order",
    details: [
      "A timer shows its deadline and how far off it is (late by …, if it came due while no run " +
      "was on).",
      "Pending setTimeout/setInterval timers of js code are counted at the end (run waits for them).",
    ],
  },
  {
    name: "tasks",
    usage: "tasks",
    summary: "show the pending tasks, their state and what they wait on",
  },
  {
    name: "graph",
    usage: "graph",
    summary: "draw the pending tasks as a tree: who awaits whom, and what each waits on " +
      "(as python -m asyncio pstree)",
    details: [
      "A task that awaits another (directly, or through gather, a TaskGroup or shield) has it " +
      "drawn under it; the tasks nothing awaits are the roots, in the order they were made. Each " +
      "task shows its id and what tasks says of it.",
      "Where a suspended task's code stands needs the loop's debug mode, which the REPL leaves " +
      "off (it would warn about every blocking printer): only the running task has frames.",
    ],
  },
  {
    name: "timeline",
    usage: "timeline [last]",
    summary: "draw everything since reset as a text Gantt chart (last: the last run or steps only)",
    details: [
      "█ running (the loop is busy); · ready but waiting for the loop, from the moment it could " +
      "run (a timer's deadline, ▸, or when what a task awaited was done); ─ a task awaiting (the " +
      "loop is free); ~ a task awaiting I/O (a process, a socket); ✕ cancelled; ! raised. On the " +
      "axis, ╌ marks times when the loop was not running (between commands). A task started by a " +
      "callback shares the callback's row; a task's sleeps are drawn on its row.",
      "The chart fits the terminal's width (set width N fixes it).",
    ],
  },
  {
    name: "export",
    usage: "export FILE.json|FILE.html",
    summary: "write the session since reset: FILE.html as the browser view (see view), " +
      "FILE.json as a Chrome/Perfetto trace (ui.perfetto.dev)",
    details: [
      "The .html file is one page with everything inline (no network): the timeline's rows, the " +
      "iterations as a strip to step through (← →, or the slider), and at each iteration the " +
      "ready queue in order, the timer heap in firing order, what ran and why it was ready, the " +
      "clock, the tree of pending tasks and what was printed so far. file.html#N opens it at " +
      "iteration N.",
    ],
  },
  {
    name: "view",
    usage: "view [stop]",
    summary: "serve the browser view on 127.0.0.1 and print its URL; it follows the session " +
      "as it runs (view stop, or leaving the REPL, stops it)",
  },
  {
    name: "clock",
    usage: "clock [real|virtual]",
    summary: "show the clock, or switch clocks (starts a new loop)",
    details: [
      "The virtual clock is the default: time moves only while the loop runs (it jumps to the " +
      "next timer when nothing is ready, and block=S adds S), so the lecture's examples typed " +
      "line by line print the lecture's order and times exactly, however long the typing takes.",
      "On the real clock time runs on between commands too: seconds spent typing move the due " +
      "times, blocking really blocks, and processes and sockets (exec=S, demo subprocess, " +
      "demo server) need it.",
    ],
  },
  {
    name: "demo",
    usage: "demo NAME",
    summary: "reset, then replay a demo: " + Object.keys(DEMOS).join(", "),
    details: [
      ...Object.entries(DEMOS).map(([name, demo]) => `${name}: ${demo.summary}`),
      "subprocess and server run on the real clock, with the permissions deno task repl grants: " +
      "--allow-run=sleep,/bin/sh and --allow-net=127.0.0.1. To run other programs or reach other " +
      "hosts from js, start the REPL with wider ones: deno run --allow-run --allow-net " +
      "--allow-read --allow-write repl/main.ts.",
    ],
  },
  { name: "load", usage: "load FILE", summary: "run the commands in FILE, one per line" },
  {
    name: "js",
    usage: "js CODE",
    summary: "run JavaScript/TypeScript with loop and asyncio in scope; promises are awaited",
    details: [
      "In scope: loop (the EventLoop), asyncio (the library), console (prints here), $(ID) (the " +
      "handle or task #ID), lecture (the lecture's process and server coroutines: runScript, " +
      "startServer, client(N), closeServer).",
      "What it schedules shows in queue, run and timeline. Loop methods are bound, as Python's: " +
      "loop.callLater(2, loop.stop) and loop.callSoon(loop.createTask, f) work.",
      "What a line declares (const, let, function, class) is there for the next ones: " +
      "js const t = $(3), then js t.cancel(). The REPL's names above cannot be declared again.",
      "A line runs as if inside the loop, as python -m asyncio runs its lines: " +
      "asyncio.createTask(f), asyncio.sleep(1) and getRunningLoop() work on the REPL's loop, and " +
      "what they schedule waits for run or step. A line that awaits something of the loop's " +
      "(js await asyncio.sleep(1), js await asyncio.gather(...)) runs the loop until that is " +
      "done, as run does (recorded for timeline).",
      "loop.runForever() and loop.runUntilComplete(...) run the loop as run does: recorded for " +
      "timeline, stopped by Ctrl-C or when nothing is left; the line waits for the loop, awaited " +
      "or not.",
      "setTimeout/setInterval here are counted: run waits for them (see help run); reset clears " +
      "them; clearTimeout/clearInterval here clear only those.",
      "Code that never returns (js while (true) {}) cannot be stopped: JavaScript gives no way " +
      "to interrupt it. In a terminal, Ctrl-C says so after 2 s, and a second Ctrl-C quits the REPL.",
      'example: js loop.callLater(0.3, () => console.log("hi"))',
      "example: js loop.createTask(async () => { await asyncio.sleep(1); console.log('slept') })",
      "example: js await asyncio.gather(asyncio.sleep(1, 'a'), asyncio.sleep(2, 'b'))",
      "example: js await loop.runUntilComplete(async () => { await asyncio.sleep(1); return 'slept' })",
    ],
  },
  {
    name: "set",
    usage: "set [decimals N | width N|auto]",
    summary: "show or change settings: decimals of printed times (0-6), timeline width (20-400, " +
      "or auto: the terminal's)",
  },
  {
    name: "help",
    aliases: ["?"],
    usage: "help [COMMAND]",
    summary: "list the commands, or explain one",
  },
  { name: "exit", aliases: ["quit"], usage: "exit", summary: "leave (Ctrl-D too)" },
  {
    name: "attach",
    usage: "attach [ADDRESS] [COMMAND]",
    summary: "watch another program on the library through its monitor (ps, pstree, where, " +
      "cancel, record…), or view a recording",
    details: [
      "ADDRESS is what the program printed on stderr: asyncio monitor: HOST:PORT#TOKEN (start it " +
      "with ASYNCIO_MONITOR=127.0.0.1:0 and --allow-env, or run(main, { monitor: true })). attach " +
      "ADDRESS remembers it; then attach ps, attach where 0x3, attach cancel 0x3 … ask that program. " +
      "attach help lists the monitor's commands; each takes --json.",
      "attach record 5 run.json records its loop's events for 5 s; attach view run.json draws them " +
      "as a timeline (attach view run.json trace.json also writes a Perfetto trace, attach view " +
      "run.json page.html the browser view); export page.html after attach record writes the " +
      "recording's browser view while this session's loop has not run since reset.",
      "attach top refreshes live in the terminal until q or Ctrl-C (s changes the sort); in a script it prints one screen.",
      "usage: attach [ADDRESS] [COMMAND [ARGS]], or attach view FILE [OUT.json|OUT.html]",
    ],
  },
];
