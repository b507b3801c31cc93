// Small helpers shared by lib/ files; not part of the public API.

/** A short `repr()`-like rendering of a callback argument. */
export function shortRepr(value: unknown): string {
  if (typeof value === "string") {
    const s = value.length > 40 ? value.slice(0, 37) + "..." : value;
    return `'${s.replaceAll("'", "\\'")}'`;
  }
  if (typeof value === "function") return value.name || "<function>";
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") {
    const s = safeString(value);
    if (s !== "[object Object]") return s;
    try {
      return value.constructor?.name ?? "Object";
    } catch {
      return "Object";
    }
  }
  return String(value);
}

/**
 * `String(value)`, or `[object Object]` when that throws (an object without
 * a prototype, a throwing `toString`): reporting an error must not raise one.
 */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return "[object Object]";
  }
}

/** True for a value with a `then` method. */
export function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}

/** The `at …` lines of a stack, as they are. */
export function stackFrames(stack: string): string[] {
  return stack.split("\n").filter((line) => line.trimStart().startsWith("at "));
}

/** The first frame of `stack` outside this library: where the user called from. */
export function firstFrame(stack: string): string {
  const frames = stackFrames(stack);
  const frame = (frames.find((l) => !l.includes("/lib/")) ?? frames[0] ?? "?").trim();
  // `at fn (file:line:col)` or `at file:line:col`: keep the place, as asyncio's `file.py:12`.
  return frame.match(/\((.*)\)$/)?.[1] ?? frame.replace(/^at (async )?/, "");
}
