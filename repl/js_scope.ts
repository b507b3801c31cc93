/**
 * The scope `js` lines run in (inside `with`, see `js_compile.ts`): the
 * REPL's names, read afresh at each use (so `loop` is the new loop after a
 * `reset`), and what lines declared, kept for the session.
 * @module
 */
import { Rejected } from "./errors.ts";

/** The REPL's names in the js scope, each read through its function when used. */
export type Builtins = Readonly<Record<string, () => unknown>>;

/** The variables of `js` lines, and the proxy that `with` reads them through. */
export class JsScope {
  /** What the compiled lines run `with`. */
  readonly proxy: object;
  readonly #builtins: Builtins;
  readonly #vars = new Map<string, unknown>();

  constructor(builtins: Builtins) {
    this.#builtins = builtins;
    const vars = this.#vars;
    const own = (key: string | symbol): key is string =>
      typeof key === "string" && (Object.hasOwn(builtins, key) || vars.has(key));
    this.proxy = new Proxy(Object.create(null), {
      // Every name is the scope's, so that an assignment (a declaration made
      // `var`, or `Map = 1`) lands here and never on the host's globals,
      // which it only reads through.
      has: (_, key) => typeof key === "string",
      get: (_, key) => {
        if (typeof key !== "string") return undefined; // Symbol.unscopables
        if (own(key)) return Object.hasOwn(builtins, key) ? builtins[key]() : vars.get(key);
        if (key in globalThis) return (globalThis as Record<string, unknown>)[key];
        throw new ReferenceError(`${key} is not defined`);
      },
      set: (_, key, value) => {
        if (typeof key !== "string") return false;
        if (Object.hasOwn(builtins, key)) throw this.#taken(key);
        vars.set(key, value);
        return true;
      },
      deleteProperty: (_, key) => typeof key === "string" && vars.delete(key),
    });
  }

  /** The REPL's names, then those lines declared (in the order they first were). */
  get names(): string[] {
    return [...Object.keys(this.#builtins), ...this.#vars.keys()];
  }

  /**
   * Claim the names a line declares before it runs (a `let x;` that
   * assigns nothing still makes `x`).
   * @throws {Rejected} for one of the REPL's names.
   */
  declare(names: readonly string[]): void {
    for (const name of names) {
      if (Object.hasOwn(this.#builtins, name)) throw this.#taken(name);
      if (!this.#vars.has(name)) this.#vars.set(name, undefined);
    }
  }

  #taken(name: string): Rejected {
    return new Rejected(
      `js: ${name} is the REPL's (${Object.keys(this.#builtins).join(", ")}): choose another name`,
    );
  }
}
