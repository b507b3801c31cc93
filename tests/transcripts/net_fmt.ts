// Helpers for the net_* and thread_* transcripts: values as Python prints
// them (a row or an address is a tuple; bytes as b'...').

/** Python's repr of a value: arrays as tuples, strings quoted, Uint8Array as bytes. */
export function tup(value: unknown): string {
  if (value instanceof Uint8Array) return bytes(value);
  if (Array.isArray(value)) {
    return value.length === 1 ? `(${tup(value[0])},)` : `(${value.map(tup).join(", ")})`;
  }
  if (typeof value === "string") return `'${value}'`;
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  return String(value);
}

/** Python's repr of a list. */
export function list(values: readonly unknown[]): string {
  return `[${values.map(tup).join(", ")}]`;
}

/** Python's repr of a dict of numbers, `{'type': 1}`. */
export function dict(values: Record<string, number>): string {
  return `{${Object.entries(values).map(([k, v]) => `'${k}': ${v}`).join(", ")}}`;
}

/** Python's repr of bytes (ASCII text; newlines escaped). */
export function bytes(data: Uint8Array): string {
  const text = new TextDecoder().decode(data).replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
  return `b'${text.replaceAll("'", "\\'")}'`;
}
