/**
 * How the REPL says that something went wrong: `Rejected` for bad input
 * found while a command runs (its message is the whole error line), and
 * `errorLine` for any error as one line.
 * @module
 */

/** Bad input found while running a command (an unknown id, a missing file): its message is the line. */
export class Rejected extends Error {}

/** An error as one line: `Name: message` (its first line). */
export function errorLine(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split("\n")[0]}`;
  return String(err);
}
