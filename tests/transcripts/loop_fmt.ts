// Helpers for the loop_* transcripts: print values as Python's print() does.

/** Python's `str()` of a printed value: True/False/None for booleans and null. */
export function py(value: unknown): string {
  if (value === true) return "True";
  if (value === false) return "False";
  if (value === null || value === undefined) return "None";
  return String(value);
}

/** Python's `print(*values)`: the values joined by spaces. */
export function line(...values: unknown[]): string {
  return values.map(py).join(" ");
}

/** Python's ValueError, so that the transcripts can print its name. */
export class ValueError extends Error {
  override name = "ValueError";
}
