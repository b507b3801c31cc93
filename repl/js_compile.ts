/**
 * A `js` line compiled so that what it declares stays for the next line,
 * as in `deno repl` and `python -m asyncio`: `js const x = 5`, then `js x`.
 *
 * Deno transpiles the line (TypeScript works) as the body of an async
 * function in a `data:` module; the function's source text is then the
 * JavaScript, one top-level statement per line at two spaces (swc's
 * layout, which a test pins). Top-level `const`, `let`, `function` and
 * `class` become `var` assignments, and the body runs inside
 * `with (scope)`, where `scope` (a `JsScope`) claims every name: so an
 * assignment lands in the scope (never on the host's globals, which it
 * reads through) and a later line, or a closure made by this one, reads it
 * from there, live. `const` therefore
 * stays assignable across lines (as `deno repl` lets you redeclare it).
 *
 * (Not the inspector's `Runtime.evaluate({ replMode: true })`: it runs
 * JavaScript only, in the global scope, where `console` and the counted
 * `setTimeout` of the js scope could not be given without replacing the
 * REPL's own globals.)
 * @module
 */
import { errorLine, Rejected } from "./errors.ts";

/** What a line gives: its value, and whether it is a js timer to be shown only as one. */
export interface LineValue {
  value: unknown;
  timer?: boolean;
}

/** A compiled line: run it with the scope (a `JsScope`'s proxy). */
export interface CompiledLine {
  run(scope: object): Promise<LineValue>;
  /** Simple names it declares at the top level (made in the scope before it runs). */
  declares: string[];
}

// deno-lint-ignore no-explicit-any
const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => any;

const INDENT = "  ";
const DECLARATION = /^ {2}(?:const|let|var) /;
const BLOCK_DECLARATION = /^ {2}(?:async )?(function\*?|class) ([\w$]+)/;
const SIMPLE_NAME = /^ {2}(?:const|let|var|(?:async )?function\*?|class) ([\w$]+)/;
const BARE_NAMES = /^ {2}(?:let|var) ([\w$]+(?:, [\w$]+)*);$/;
const TIMER_CALL = /^ {2}set(Timeout|Interval)\(/;
const DECLARES = /^\s*(?:async\s+)?(?:function|class)\b/;

/**
 * Compile a `js` line: first as an expression (its value is printed), else
 * as statements.
 * @throws {Rejected} if it is neither (the transpiler's message).
 */
export async function compileLine(code: string): Promise<CompiledLine> {
  // `class P {}` and `function f() {}` are expressions too, but meant as declarations.
  if (!DECLARES.test(code)) {
    try {
      const body = await transpile(`return { value: (\n${code}\n) };`);
      return { run: inScope(body), declares: [] };
    } catch {
      // Not an expression: statements.
    }
  }
  let body: string;
  try {
    body = await transpile(code);
  } catch (err) {
    throw new Rejected(`js: ${errorLine(err).replace(/^TypeError: /, "")}`);
  }
  const lines = body.split("\n");
  const declares = lines.flatMap((line) => SIMPLE_NAME.exec(line)?.[1] ?? []);
  try {
    return { run: inScope(persist(lines, true).join("\n")), declares };
  } catch {
    // The timer's statement ends in a comment: the line without that nicety.
    return { run: inScope(persist(lines, false).join("\n")), declares };
  }
}

/** The JavaScript of `body`, transpiled by Deno as an async function's body (two-space indent). */
async function transpile(body: string): Promise<string> {
  const source = `export default async function line() {\n${body}\n}`;
  const url = `data:application/typescript;base64,${base64(source)}`;
  const text = String((await import(url)).default);
  return text.slice(text.indexOf("{\n") + 2, text.lastIndexOf("\n}"));
}

/** A function of the scope that runs `body` inside `with (scope)`. */
function inScope(body: string): (scope: object) => Promise<LineValue> {
  const fn = new AsyncFunction("scope", `with (scope) {\n${body}\nreturn { value: undefined };\n}`);
  return (scope) => fn(scope);
}

/**
 * The top-level declarations as `var` assignments (functions first, as
 * they were hoisted), and a last statement that calls `setTimeout` or
 * `setInterval` returning the timer (the REPL then says what run does with
 * it, as for the call alone).
 */
function persist(lines: string[], timer: boolean): string[] {
  const hoisted: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const bare = BARE_NAMES.exec(line);
    const block = BLOCK_DECLARATION.exec(line);
    if (bare !== null) {
      // `let a;` must still make `a` (undefined), which a `var` alone would not in the scope.
      rest.push(INDENT + bare[1].split(", ").map((name) => `${name} = void 0`).join(", ") + ";");
    } else if (DECLARATION.test(line)) {
      rest.push(line.replace(DECLARATION, `${INDENT}var `));
    } else if (block !== null) {
      // One line (`function f() {}`), or up to its closing brace at the same indent.
      let end = i;
      if (!line.endsWith("}")) { while (end + 1 < lines.length && lines[++end] !== `${INDENT}}`); }
      const text = lines.slice(i, end + 1);
      text[0] = `${INDENT}var ${block[2]} = ${line.slice(INDENT.length)}`;
      text[text.length - 1] += ";";
      (block[1] === "class" ? rest : hoisted).push(...text);
      i = end;
    } else {
      rest.push(line);
    }
  }
  const last = rest.findLastIndex((line) => /^ {2}[^\s})\]]/.test(line));
  if (timer && last >= 0 && TIMER_CALL.test(rest[last])) {
    const statement = rest.slice(last).join("\n").replace(/;\s*$/, "");
    rest.splice(last, Infinity, `${INDENT}return { value: (${statement.trim()}), timer: true };`);
  }
  return [...hoisted, ...rest];
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
