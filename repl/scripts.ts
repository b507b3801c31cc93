/**
 * `load FILE` and `demo NAME`: lines run one by one as if typed, until the
 * end, `exit`, or Ctrl-C (which stops them after the current line).
 * @module
 */
import { DEMOS } from "./demos.ts";
import { errorLine, Rejected } from "./errors.ts";
import { count, plural } from "./render.ts";
import type { Session } from "./session.ts";

const MAX_LOAD_DEPTH = 8;
// While a long file loads, give Deno a turn (keyboard, signals) this often, in ms.
const HOST_SLICE_MS = 50;

/** Runs files and demos for a session. */
export class Scripts {
  #session: Session;
  // The files being loaded, innermost last.
  #loading: string[] = [];
  /** How deep `load` and `demo` are nested. */
  #depth = 0;
  #interrupted = false;

  constructor(session: Session) {
    this.#session = session;
  }

  /** Ctrl-C: a load or demo in progress stops after the current line; false if none runs. */
  interrupt(): boolean {
    if (this.#depth === 0) return false;
    this.#interrupted = true;
    return true;
  }

  /** `demo NAME`: a new loop (on the real clock if the demo needs it), then its lines, echoed. */
  async demo(name: string): Promise<void> {
    const session = this.#session;
    session.checkNotRunning("demo");
    const demo = DEMOS[name];
    session.newLoop(demo.real ? "real" : session.clock);
    const why = demo.real ? ": processes and sockets take real time" : "";
    session.say(session.style.dim(
      `demo ${name}: ${demo.summary} (on a new ${session.clock}-clock loop${why})`,
    ));
    const done = await this.#lines(demo.lines, (line) => {
      session.print(session.style.dim(`> ${line}`));
      return `demo ${name}: `;
    });
    if (done < demo.lines.length) session.say(session.style.dim(`— demo ${name}: interrupted`));
  }

  /** `load FILE`: its lines, each bad one named by file and line. */
  async load(name: string): Promise<void> {
    const session = this.#session;
    if (this.#depth >= MAX_LOAD_DEPTH) {
      throw new Rejected(`load: files nested more than ${MAX_LOAD_DEPTH} deep`);
    }
    // A relative path in a loaded file is relative to that file, so files
    // that load each other can move together.
    const here = this.#loading.at(-1);
    const file = here !== undefined && !name.startsWith("/")
      ? `${here.slice(0, here.lastIndexOf("/") + 1)}${name}`
      : name;
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (err) {
      throw new Rejected(`load: cannot read ${file}: ${errorLine(err)}`);
    }
    const lines = text.split(/\r?\n/);
    if (lines.at(-1) === "") lines.pop();
    let rejected = 0;
    this.#loading.push(file);
    let done: number;
    try {
      done = await this.#lines(lines, (_line, i) => `${file}:${i + 1}: `, () => rejected++);
    } finally {
      this.#loading.pop();
    }
    const interrupted = done < lines.length ? `interrupted after ${plural(done, "line")} of ` : "";
    session.say(session.style.dim(
      `— load ${file}: ${interrupted}${plural(lines.length, "line")}, ${count(rejected)} rejected`,
    ));
  }

  /**
   * Run `lines` one by one until the end, `exit`, or Ctrl-C. `before` runs
   * before each line and returns the error prefix.
   * @returns how many lines ran.
   */
  async #lines(
    lines: string[],
    before: (line: string, index: number) => string,
    onRejected: () => void = () => {},
  ): Promise<number> {
    const session = this.#session;
    if (this.#depth === 0) this.#interrupted = false;
    this.#depth++;
    try {
      let yieldAt = performance.now() + HOST_SLICE_MS;
      for (let i = 0; i < lines.length; i++) {
        if (session.exited || this.#interrupted) return i;
        if (!(await session.exec(lines[i], before(lines[i], i)))) onRejected();
        if ((i & 255) === 255 && performance.now() >= yieldAt) {
          // Let Deno read the keyboard (and signals), so Ctrl-C can stop a long file.
          await new Promise((resolve) => setTimeout(resolve, 0));
          yieldAt = performance.now() + HOST_SLICE_MS;
        }
      }
      return lines.length;
    } finally {
      this.#depth--;
    }
  }
}
