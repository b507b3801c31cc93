// The REPL in a real pseudo-terminal (tmux, on a private socket): typing,
// Tab completion, arrow-up history across sessions, output arriving while a
// line is typed, Ctrl-C during a run (and during a blocking printer, and a
// js line that never returns), NO_COLOR, Ctrl-D, and text that fits 80 and
// 120 columns. Skipped, with a message, where tmux is not installed.
import { assert, assertEquals } from "./_assert.ts";
import { hasTool } from "./_util.ts";
import { Tmux } from "./_tmux.ts";

const root = new URL("..", import.meta.url).pathname;
const socket = `asyncio-repl-test-${Deno.pid}`;

const TMUX = hasTool("tmux", "-V");
if (!TMUX) {
  console.log(
    "%crepl_pty_test: tmux is not installed; SKIPPING the pseudo-terminal tests " +
      "(Ctrl-C in a terminal, wrapping at 80 and 120 columns): apt-get install tmux",
    "font-weight: bold",
  );
}

const term = new Tmux(socket);
const tmux = (...args: string[]) => term.run(...args);
/** The REPL's screen (with colour escapes if `escapes`), trailing blank lines dropped. */
const screen = (escapes = false) => term.screen("repl", escapes);

/**
 * Everything printed (the scrollback too), with the lines the terminal
 * wrapped joined again: a line longer than the terminal is one it had to
 * break, wherever it fell.
 */
async function printed(): Promise<string[]> {
  const text = await tmux("capture-pane", "-p", "-J", "-S", "-1000", "-t", "repl");
  return text.replace(/\n+$/, "").split("\n");
}

/** Poll the REPL's screen until `test` holds; fails with the screen after `ms`. */
const waitFor = (test: (screen: string) => boolean, what: string, ms?: number) =>
  term.waitFor("repl", test, what, ms);

const lastLine = (text: string) => text.split("\n").at(-1) ?? "";

/** Keys to tmux (`Enter`, `Tab`, `Up`, `C-c`, or literal text with -l). */
async function keys(...list: string[]): Promise<void> {
  for (const k of list) {
    if (/^(Enter|Tab|Up|Down|C-[a-z])$/.test(k)) await tmux("send-keys", "-t", "repl", k);
    else await tmux("send-keys", "-t", "repl", "-l", k);
    // Deno's readline inserts a tab if two Tabs come too fast: type like a person.
    await new Promise((r) => setTimeout(r, 60));
  }
}

async function taskCommand(env: Record<string, string>, args: string): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  const task = (config.tasks.repl as string).replace(/^deno /, `${Deno.execPath()} `);
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`).join(" ");
  // -u: the outer environment (CI sets NO_COLOR) must not decide the colours.
  return `cd ${root} && env -u NO_COLOR ${vars} ${task} ${args}; echo "EXIT=$?"; sleep 30`;
}

async function start(
  env: Record<string, string>,
  args = "--virtual",
  columns = 110,
): Promise<void> {
  const command = await taskCommand(env, args);
  // A server killed by the test before may still be going away: try again.
  for (let attempt = 0; attempt < 5; attempt++) {
    await tmux("new-session", "-d", "-s", "repl", "-x", String(columns), "-y", "40", command);
    if ((await tmux("list-sessions", "-F", "#{session_name}")).includes("repl")) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await waitFor((s) => / t=[\d.]+ ready=0 timers=0 tasks=0>/.test(s), "the first prompt");
}

Deno.test({
  name:
    "in a terminal: Tab completion, history across sessions, async output, Ctrl-C, colours, Ctrl-D",
  ignore: !TMUX,
  async fn() {
    const config = await Deno.makeTempDir();
    try {
      await start({ XDG_CONFIG_HOME: config, NO_COLOR: "1" });
      const prompt = "virtual t=0.000 ready=0 timers=0 tasks=0> ";

      // Tab completes a command (to the common prefix, then uniquely).
      await keys("call_so", "Tab");
      await waitFor(
        (s) => lastLine(s) === prompt + "call_soon",
        "call_so<Tab> → call_soon (the common prefix)",
      );
      await keys("_t", "Tab");
      await waitFor((s) => lastLine(s) === prompt + "call_soon_threadsafe", "call_soon_t<Tab>");
      await keys("a block=0.2", "Enter");
      await waitFor(
        (s) => s.includes("#1 call_soon_threadsafe a → ready queue (position 1)"),
        "the handle's id",
      );
      await waitFor(
        (s) => lastLine(s) === "virtual t=0.000 ready=1 timers=0 tasks=0>",
        "the prompt's counts",
      );

      // Tab completes demo names; the demo prints the seed's async transcript.
      await keys("dem", "Tab", "printers-a", "Tab");
      await waitFor((s) => lastLine(s).endsWith("> demo printers-async"), "demo name completion");
      await keys("Enter");
      let text = await waitFor((s) => s.includes("─ awaiting (loop free)"), "the demo's timeline");
      assert(text.includes("Started call_at at 0.2\nFinished call_soon at 0.2"), text);
      assert(!(await screen(true)).includes("\x1b[3"), "NO_COLOR: no colour escapes");

      // Tab completes a pending handle's id.
      await keys("call_later 5 z", "Enter");
      text = await waitFor((s) => /#(\d+) call_later z → timer heap/.test(s), "call_later's id");
      const id = /#(\d+) call_later z/.exec(text)![1];
      await keys("cancel ", "Tab");
      await waitFor((s) => lastLine(s).endsWith(`> cancel ${id}`), "id completion");
      await keys("Enter");
      await waitFor((s) => s.includes(`#${id} z: cancelled; it will not run`), "the cancel");

      // Output that arrives while a line is typed goes above it; the line survives.
      await keys("js setTimeout(() => console.log('ping'), 400) && undefined", "Enter");
      await keys("call_soon half-typed");
      text = await waitFor((s) => s.split("\n").includes("ping"), "the async output");
      await waitFor(
        (s) => lastLine(s).endsWith("> call_soon half-typed"),
        "the typed line redrawn",
      );
      assertEquals(text.split("\n").filter((l) => l === "ping").length, 1);
      await keys("C-u");

      // Arrow-up walks the history.
      await keys("Up");
      await waitFor(
        (s) => lastLine(s).endsWith("> js setTimeout(() => console.log('ping'), 400) && undefined"),
        "Up",
      );
      await keys("Up");
      await waitFor((s) => lastLine(s).endsWith(`> cancel ${id}`), "Up twice");
      await keys("C-u");

      // Ctrl-C during a run stops the run; the REPL stays.
      await keys("clock real", "Enter", "call_later 60 never", "Enter", "run", "Enter");
      await new Promise((r) => setTimeout(r, 300));
      await keys("C-c");
      text = await waitFor(
        (s) => /— interrupted at t=[\d.]+: .*\n? *.*1 timer/.test(s),
        "the interrupted run",
      );
      await waitFor(
        (s) => /^real t=[\d.]+ ready=0 timers=1 tasks=0>$/.test(lastLine(s)),
        "the prompt after Ctrl-C",
      );

      // Ctrl-D leaves with status 0.
      await keys("C-d");
      await waitFor((s) => s.includes("EXIT=0"), "exit status 0");
      await tmux("kill-session", "-t", "repl");

      const history = await Deno.readTextFile(`${config}/asyncio-deno/repl_history`);
      assertEquals(history.split("\n").slice(0, 3), [
        "call_soon_threadsafe a block=0.2",
        "demo printers-async",
        "call_later 5 z",
      ]);

      // A new session remembers the history; without NO_COLOR the prompt is coloured.
      await start({ XDG_CONFIG_HOME: config });
      await keys("Up");
      await waitFor((s) => lastLine(s).endsWith("> run"), "history from the last session");
      assert((await screen(true)).includes("\x1b[36mvirtual t=0.000"), "a coloured prompt");
      await keys("C-u", "help", "Enter");
      await waitFor(
        (s) => s.includes(`History: ${config}/asyncio-deno/repl_history`),
        "help names the history file",
      );
      await keys("exit", "Enter");
      await waitFor((s) => s.includes("EXIT=0"), "exit status 0 after exit");
    } finally {
      await tmux("kill-server");
      await Deno.remove(config, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "in a terminal of 80 and of 120 columns: the banner, help, summaries and the timeline fit, broken at spaces",
  ignore: !TMUX,
  async fn() {
    const config = await Deno.makeTempDir();
    try {
      for (const columns of [80, 120]) {
        await start({ XDG_CONFIG_HOME: config, NO_COLOR: "1" }, "", columns);
        await keys("help", "Enter");
        await waitFor((s) => s.includes("History:"), "help");
        await keys("help timeline", "Enter");
        await waitFor((s) => s.includes("set width N fixes it"), "help timeline");
        await keys("demo printers-blocking", "Enter");
        await waitFor((s) => s.includes("held the loop"), "the demo's why");
        const lines = await printed();
        const text = lines.join("\n");
        // The banner names the lecture and its printers (wherever its lines break).
        const prose = text.replace(/\s+/g, " ");
        assert(
          prose.includes(
            'the event-loop REPL of the lecture "Async I/O — multithreading without threads"',
          ),
          text,
        );
        assert(prose.includes("replay the lecture's printers"), text);
        // Nothing the terminal had to break: every line fits.
        const long = lines.filter((l) => [...l].length > columns);
        assertEquals(long, [], `lines longer than ${columns} columns`);
        // Breaks fall between words: no line ends inside one of these.
        for (const word of ["queue", "iteration", "lecture's"]) {
          assert(!lines.some((l) => l.endsWith(word.slice(0, 3)) && !l.endsWith(word)), word);
        }
        // The timeline fills the width: its axis reaches near the right edge.
        const axis = lines.find((l) => /^ +├─/.test(l))!;
        assert([...axis].length > columns - 8, `${[...axis].length} of ${columns}: ${axis}`);
        // Its row in the timeline: due at 0.1, waiting until 0.4.
        assert(lines.some((l) => /^#2 call_later +▸·+█+$/.test(l)), text);
        await tmux("kill-session", "-t", "repl");
      }
    } finally {
      await tmux("kill-server");
      await Deno.remove(config, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "in a terminal: Deno clears no line of ours (its module loads do, unless --quiet): the prompt after a js line that starts a Worker stays",
  ignore: !TMUX,
  async fn() {
    const config = await Deno.makeTempDir();
    const raw = `${config}/raw`;
    try {
      await start({ XDG_CONFIG_HOME: config, NO_COLOR: "1" });
      // Everything the REPL's process writes from here, as bytes.
      await tmux("pipe-pane", "-t", "repl", `cat > ${raw}`);
      // The Worker answers once its module has loaded, so "loaded" comes
      // after whatever Deno writes when that load ends.
      await keys(
        'js const w = new Worker("data:text/javascript,postMessage(0)", { type: "module" }); ' +
          'w.onmessage = () => { console.log("loaded"); w.terminate(); }',
        "Enter",
      );
      await waitFor((s) => s.split("\n").includes("loaded"), "the Worker's message");
      await waitFor(
        (s) => lastLine(s) === "virtual t=0.000 ready=0 timers=0 tasks=0>",
        "the prompt after it",
      );
      let bytes = "";
      for (
        const deadline = Date.now() + 5000;
        !bytes.includes("loaded") && Date.now() < deadline;
      ) {
        await new Promise((r) => setTimeout(r, 50));
        bytes = await Deno.readTextFile(raw);
      }
      assert(bytes.includes("loaded"), JSON.stringify(bytes));
      // Deno's progress bar ends each module load with this, wherever the cursor is.
      assert(!bytes.includes("\x1b[2K"), `a line cleared: ${JSON.stringify(bytes)}`);
      await keys("exit", "Enter");
      await waitFor((s) => s.includes("EXIT=0"), "exit");
    } finally {
      await tmux("kill-server");
      await Deno.remove(config, { recursive: true });
    }
  },
});

Deno.test({
  name: "in a terminal: Tab completes help topics, WORK keywords and js loop. members",
  ignore: !TMUX,
  async fn() {
    const config = await Deno.makeTempDir();
    try {
      await start({ XDG_CONFIG_HOME: config, NO_COLOR: "1" });
      await keys("help timel", "Tab");
      await waitFor((s) => lastLine(s).endsWith("> help timeline"), "help timel<Tab>");
      await keys("C-u", "call_soon a sl", "Tab");
      await waitFor((s) => lastLine(s).endsWith("> call_soon a sleep="), "sl<Tab> → sleep=");
      await keys("C-u", "js loop.callL", "Tab");
      await waitFor((s) => lastLine(s).endsWith("> js loop.callLater"), "js loop.callL<Tab>");
      await keys("C-u", "exit", "Enter");
      await waitFor((s) => s.includes("EXIT=0"), "exit");
    } finally {
      await tmux("kill-server");
      await Deno.remove(config, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "in a terminal on the real clock: Ctrl-C ends a blocking printer at once; a js line that never returns is said, a second Ctrl-C quits",
  ignore: !TMUX,
  async fn() {
    const config = await Deno.makeTempDir();
    try {
      await start({ XDG_CONFIG_HOME: config, NO_COLOR: "1" }, "--real");
      await keys("call_soon hog block=30", "Enter", "run", "Enter");
      await waitFor((s) => s.includes("Started hog at"), "the blocking printer");
      await new Promise((r) => setTimeout(r, 200));
      const sent = performance.now();
      await keys("C-c");
      const text = await waitFor((s) => s.includes("— interrupted at t="), "the interrupted run");
      const took = performance.now() - sent;
      // 30 s without the worker; a tenth of a second with it, more on two busy cores.
      assert(took < 5_000, `took ${took} ms`);
      assert(/Interrupted hog at [\d.]+ \(Ctrl-C\)/.test(text), text);
      await waitFor((s) => /^real t=[\d.]+ ready=0 timers=0 tasks=0>$/.test(lastLine(s)), "prompt");

      // JavaScript cannot be interrupted: the REPL says so, and the next Ctrl-C ends it.
      await keys("js while (true) {}", "Enter");
      await new Promise((r) => setTimeout(r, 300));
      await keys("C-c");
      await waitFor(
        (s) => s.includes("running JavaScript that does not return"),
        "the stuck message",
        10_000,
      );
      await keys("C-c");
      // The REPL ends as SIGINT ends a process: the shell running it may end with it.
      const deadline = Date.now() + 10_000;
      let ended = false;
      while (!ended && Date.now() < deadline) {
        const alive = await new Deno.Command("tmux", {
          args: ["-L", socket, "has-session", "-t", "repl"],
          stdout: "null",
          stderr: "null",
        }).output();
        ended = !alive.success || (await screen()).includes("EXIT=130");
        await new Promise((r) => setTimeout(r, 100));
      }
      assert(ended, `the REPL did not end at the second Ctrl-C:\n${await screen()}`);
    } finally {
      await tmux("kill-server");
      await Deno.remove(config, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "in a terminal: js await loop.runForever() without a stop runs until Ctrl-C; the REPL and its js variables go on",
  ignore: !TMUX,
  async fn() {
    const config = await Deno.makeTempDir();
    try {
      await start({ XDG_CONFIG_HOME: config, NO_COLOR: "1" }, "--real");
      await keys("js let ticks = 0", "Enter");
      await keys(
        "js loop.callSoon(function tick() { ticks++; loop.callLater(0.05, tick) })",
        "Enter",
      );
      await keys("js await loop.runForever()", "Enter");
      await new Promise((r) => setTimeout(r, 600));
      await keys("C-c");
      await waitFor((s) => /— interrupted at t=[\d.]+: /.test(s), "the interrupted run");
      await waitFor((s) => /^real t=[\d.]+ ready=0 timers=1 tasks=0>$/.test(lastLine(s)), "prompt");
      await keys("js ticks > 5", "Enter");
      await waitFor((s) => s.split("\n").includes("true"), "the variable, after the run");
      await keys("exit", "Enter");
      await waitFor((s) => s.includes("EXIT=0"), "exit status 0");
    } finally {
      await tmux("kill-server");
      await Deno.remove(config, { recursive: true });
    }
  },
});
