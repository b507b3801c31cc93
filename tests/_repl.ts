// Fixtures for the REPL's tests: a session driven without a terminal.
import { Session } from "../repl/session.ts";

/** A session (virtual clock unless said) whose output is collected as lines. */
export function open(options: { virtual?: boolean } = {}) {
  let text = "";
  const session = new Session({ write: (t) => (text += t), virtual: options.virtual ?? true });
  return {
    session,
    /** Run `lines`, return what they printed (and forget it). */
    async type(...lines: string[]): Promise<string[]> {
      for (const line of lines) await session.exec(line);
      const out = text.split("\n").slice(0, -1);
      text = "";
      return out;
    },
  };
}

/** Run `lines` on a fresh virtual-clock session; returns the output and the session. */
export async function drive(...lines: string[]) {
  const repl = open();
  const out = await repl.type(...lines);
  await repl.session.close();
  return { out, session: repl.session };
}

/** `interrupt()` the session after `ms` if `body` is still going (a guard against waiting for ever). */
export async function within<T>(session: Session, ms: number, body: () => Promise<T>): Promise<T> {
  const guard = setTimeout(() => session.interrupt(), ms);
  try {
    return await body();
  } finally {
    clearTimeout(guard);
  }
}
