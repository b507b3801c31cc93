// A tmux server of a test's own (`tmux -L SOCKET`), to run a program in a
// real terminal and read its screen as a person would see it.

/** A private tmux server; each call names the window (`-t`) it works on. */
export class Tmux {
  constructor(readonly socket: string) {}

  /** Run `tmux -L socket ARGS…`; its standard output. */
  async run(...args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", {
      args: ["-L", this.socket, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return new TextDecoder().decode(out.stdout);
  }

  /** The screen's text (with colour escapes if `escapes`), trailing blank lines dropped. */
  async screen(target: string, escapes = false): Promise<string> {
    const text = await this.run("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", target);
    return text.replace(/\n+$/, "");
  }

  /** Poll the screen until `test` holds; fails with the screen after `ms`. */
  async waitFor(
    target: string,
    test: (screen: string) => boolean,
    what: string,
    ms = 15_000,
  ): Promise<string> {
    const deadline = Date.now() + ms;
    let text = "";
    while (Date.now() < deadline) {
      text = await this.screen(target);
      if (test(text)) return text;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}; the screen:\n${text}`);
  }
}
