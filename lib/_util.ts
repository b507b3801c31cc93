// Small helpers shared by lib/ files; not part of the public API.

// Python's repr() of a JavaScript value, as asyncio prints a handle's
// arguments, a future's result and an exception handler's context. The
// Python type each JavaScript value stands for: null and undefined are
// None, booleans True/False, arrays lists, Uint8Array bytes, Map and plain
// objects (prototype Object or null) dicts, Set sets, an Error its
// exception (`ValueError('bad')`); a function shows its name, another
// object its own toString() when it has one (as a class with __repr__),
// else `<Name object>` (Python's, less the address).

/** How much a repr shows; reprlib's limits, or none. */
interface ReprLimits {
  /** Sort a dict's keys and a set's items, as reprlib does (Python's repr keeps their order). */
  sort: boolean;
  level: number;
  list: number;
  dict: number;
  string: number;
  long: number;
  other: number;
}

// reprlib.Repr's defaults (maxlevel, maxlist, maxdict, maxstring, maxlong, maxother).
const REPRLIB: ReprLimits = {
  sort: true,
  level: 6,
  list: 6,
  dict: 4,
  string: 30,
  long: 40,
  other: 30,
};
const UNLIMITED: ReprLimits = {
  sort: false,
  level: Infinity,
  list: Infinity,
  dict: Infinity,
  string: Infinity,
  long: Infinity,
  other: Infinity,
};

/**
 * A value as `reprlib.repr` shows it: what asyncio prints for a handle's
 * arguments and a future's result (CPython format_helpers.py, futures.py),
 * cut in the middle past 30 characters, lists past 6 items, dicts past 4
 * (their keys sorted), nesting past 6 levels. Never throws.
 */
export function shortRepr(value: unknown): string {
  return safeRepr(value, REPRLIB);
}

/** A value as Python's `repr()` shows it, whole (a future's exception, a context's values). Never throws. */
export function pyRepr(value: unknown): string {
  return safeRepr(value, UNLIMITED);
}

function safeRepr(value: unknown, limits: ReprLimits): string {
  try {
    return reprOf(value, limits.level, limits, []);
  } catch {
    // A revoked proxy, a throwing getter: reporting must not fail.
    return "<object>";
  }
}

function reprOf(value: unknown, level: number, limits: ReprLimits, path: object[]): string {
  switch (typeof value) {
    case "string":
      return stringRepr(value, limits.string);
    case "number":
      if (Number.isNaN(value)) return "nan";
      if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
      return String(value);
    case "bigint":
      return cut(String(value), limits.long);
    case "boolean":
      return value ? "True" : "False";
    case "undefined":
      return "None";
    case "symbol":
      return cut(value.toString(), limits.other);
    case "function":
      return cut(value.name || "<anonymous>", limits.other);
  }
  if (value === null) return "None";
  const obj = value as object;
  if (path.includes(obj)) return Array.isArray(obj) ? "[...]" : "{...}";
  path.push(obj);
  try {
    return objectRepr(obj, level, limits, path);
  } finally {
    path.pop();
  }
}

function objectRepr(obj: object, level: number, limits: ReprLimits, path: object[]): string {
  const inner = (v: unknown) => reprOf(v, level - 1, limits, path);
  if (Array.isArray(obj)) return sequence("[", "]", obj, obj.length, level, limits.list, inner);
  if (obj instanceof Uint8Array) return cut(bytesRepr(obj), limits.other);
  if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) {
    // As Python's array.array('i', [1, 2]), named by the class.
    const items = Array.from(obj as unknown as ArrayLike<unknown>);
    const list = sequence("[", "]", items, items.length, level, limits.list, inner);
    return `${obj.constructor.name}(${list})`;
  }
  if (obj instanceof Error) {
    const name = typeof obj.name === "string" ? obj.name : obj.constructor.name;
    return cut(
      `${name}(${obj.message ? stringRepr(String(obj.message), Infinity) : ""})`,
      limits.other,
    );
  }
  if (obj instanceof Set) {
    if (obj.size === 0) return "set()";
    const items = sortedForRepr([...obj], limits);
    return sequence("{", "}", items, items.length, level, limits.list, inner);
  }
  const proto = Object.getPrototypeOf(obj);
  if (obj instanceof Map || proto === null || proto === Object.prototype) {
    const map = obj instanceof Map ? obj : new Map(Object.entries(obj));
    if (map.size === 0) return "{}";
    if (level <= 0) return "{...}";
    const keys = sortedForRepr([...map.keys()], limits).slice(0, limits.dict);
    const items = keys.map((k) => `${inner(k)}: ${inner(map.get(k))}`);
    if (map.size > limits.dict) items.push("...");
    return `{${items.join(", ")}}`;
  }
  const toString = (obj as { toString?: unknown }).toString;
  if (typeof toString === "function" && toString !== Object.prototype.toString) {
    try {
      return cut(String(toString.call(obj)), limits.other);
    } catch {
      // A throwing toString: shown as a class without one.
    }
  }
  return cut(`<${proto.constructor?.name ?? "object"} object>`, limits.other);
}

/** Items between brackets, as reprlib's `_repr_iterable`. */
function sequence(
  open: string,
  close: string,
  items: ArrayLike<unknown>,
  n: number,
  level: number,
  max: number,
  inner: (v: unknown) => string,
): string {
  if (n === 0) return open + close;
  if (level <= 0) return `${open}...${close}`;
  const parts: string[] = [];
  for (let i = 0; i < Math.min(n, max); i++) parts.push(inner(items[i]));
  if (n > max) parts.push("...");
  return `${open}${parts.join(", ")}${close}`;
}

/** reprlib sorts a dict's keys and a set's items when they compare (all strings or all numbers). */
function sortedForRepr(items: unknown[], limits: ReprLimits): unknown[] {
  if (!limits.sort) return items;
  if (items.every((x) => typeof x === "string")) return items.sort();
  if (items.every((x) => typeof x === "number")) {
    return items.sort((a, b) => (a as number) - (b as number));
  }
  return items;
}

/** Python's quoting: single quotes, double when the text has a single quote and no double one. */
function quoteOf(text: string): string {
  return text.includes("'") && !text.includes('"') ? '"' : "'";
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function escape(text: string, quote: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === quote) out += "\\" + quote;
    else if (ESCAPES[ch] !== undefined) out += ESCAPES[ch];
    else if (!printable(code)) out += code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
    else out += ch;
  }
  return out;
}

/** Python's `str.isprintable()` for the characters that come up: controls, NBSP, soft hyphen, lone surrogates. */
function printable(code: number): boolean {
  return !(code < 0x20 || (code >= 0x7f && code <= 0xa0) || code === 0xad ||
    (code >= 0xd800 && code <= 0xdfff));
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}

/** `repr(str)`, and reprlib's cut of a long one: `'abcdefghijkl...pqrstuvwxyz'`. */
function stringRepr(text: string, max: number): string {
  const whole = (t: string) => {
    const quote = quoteOf(t);
    return quote + escape(t, quote) + quote;
  };
  let s = whole(text.slice(0, max));
  if (s.length > max) {
    const i = Math.max(0, Math.floor((max - 3) / 2));
    const j = Math.max(0, max - 3 - i);
    s = whole(text.slice(0, i) + text.slice(text.length - j));
    s = s.slice(0, i) + "..." + s.slice(s.length - j);
  }
  return s;
}

/** `repr(bytes)`: printable ASCII as is, the rest escaped. */
function bytesRepr(data: Uint8Array): string {
  let text = "";
  for (const byte of data) text += String.fromCharCode(byte);
  const quote = quoteOf(text);
  let out = "";
  for (let k = 0; k < text.length; k++) {
    const ch = text[k], code = data[k];
    if (ch === quote) out += "\\" + quote;
    else if (ESCAPES[ch] !== undefined) out += ESCAPES[ch];
    else if (code < 0x20 || code >= 0x7f) out += `\\x${hex(code, 2)}`;
    else out += ch;
  }
  return `b${quote}${out}${quote}`;
}

/** reprlib's cut of a long repr: the start and the end around `...`. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const i = Math.max(0, Math.floor((max - 3) / 2));
  const j = Math.max(0, max - 3 - i);
  return s.slice(0, i) + "..." + s.slice(s.length - j);
}

/**
 * The error for `await using` on a class whose exit must see the block's
 * error (TaskGroup, Timeout): thrown where the declaration is, by a
 * `[Symbol.asyncDispose]` getter, instead of V8's "Symbol(Symbol.dispose)
 * is not a function" (or, worse, a disposal that cannot do the job).
 */
export function notForAwaitUsing(what: string, instead: string): TypeError {
  return new TypeError(
    `${what} does not work with \`await using\`: its exit must see the block's error, which ` +
      `[Symbol.asyncDispose] is not given; write ${instead}`,
  );
}

/** A `timeout` argument: seconds (any number but NaN) or null. */
export function checkTimeout(timeout: unknown): asserts timeout is number | null {
  if (timeout !== null && (typeof timeout !== "number" || Number.isNaN(timeout))) {
    throw new TypeError(`timeout must be a number of seconds or null, got ${shortRepr(timeout)}`);
  }
}

/** The name of `value`'s type, for an error message ("null", "string", "ArrayBuffer", …). */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  return value.constructor?.name ?? "object";
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
