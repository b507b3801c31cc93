// The REPL in a real pseudo-terminal (tmux, on a private socket): typing,
// Tab completion, arrow-up history across sessions, output arriving while a
// line is typed, Ctrl-C during a run, NO_COLOR, Ctrl-D. Skipped, with a
// message, where tmux is not installed.
import { assert, assertEquals } from "./_assert.ts";

const root = new URL("..", import.meta.url).pathname;
const socket = `asyncio-repl-test-${Deno.pid}`;

function hasTmux(): boolean {
  try {
    return new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}
const TMUX = hasTmux();
if (!TMUX) console.log("repl_pty_test: tmux is not installed; skipping the pseudo-terminal tests");

async function tmux(...args: string[]): Promise<string> {
  const out = await new Deno.Command("tmux", {
    args: ["-L", socket, ...args],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return new TextDecoder().decode(out.stdout);
}

/** The screen's text (with colour escapes if `escapes`), trailing blank lines dropped. */
async function screen(escapes = false): Promise<string> {
  const text = await tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", "repl");
  return text.replace(/\n+$/, "");
}

/** Poll the screen until `test` holds; fails with the screen after `ms`. */
async function waitFor(
  test: (screen: string) => boolean,
  what: string,
  ms = 15_000,
): Promise<string> {
  const deadline = Date.now() + ms;
  let text = "";
  while (Date.now() < deadline) {
    text = await screen();
    if (test(text)) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; the screen:\n${text}`);
}

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

async function start(env: Record<string, string>, args = "--virtual"): Promise<void> {
  await tmux(
    "new-session",
    "-d",
    "-s",
    "repl",
    "-x",
    "110",
    "-y",
    "40",
    await taskCommand(env, args),
  );
  await waitFor((s) => s.includes("t=0.000 ready=0 timers=0 tasks=0>"), "the first prompt");
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
      let text = await waitFor((s) => s.includes("✕ cancelled"), "the demo's timeline");
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
        (s) => /— interrupted at t=[\d.]+: .*1 timer/.test(s),
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
