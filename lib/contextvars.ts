/**
 * Context variables, as Python's `contextvars` and as asyncio uses them:
 * every task runs in a copy of the context it was created in, every
 * callback in the context it was scheduled with.
 * @module
 */
import { LookupError, RuntimeError } from "./exceptions.ts";
import {
  contextOf,
  currentContext,
  currentVars,
  EMPTY_VARS,
  enter,
  isCurrent,
  leave,
  markUsed,
  swapRoot,
  type VarMap,
} from "./_context.ts";
import { shortRepr } from "./_util.ts";

/** Options of `new ContextVar()`. */
export interface ContextVarOptions<T> {
  /** What `get()` returns where the variable has no value (else it throws `LookupError`). */
  default?: T;
}

// Every variable by name, for the Workers of `toThread` (see `_carry`):
// a Worker has its own copy of each module, so a variable crosses by name.
const byName = new Map<string, WeakRef<ContextVar<unknown>>[]>();

/**
 * A variable whose value depends on the context the code runs in: a task
 * sees the values set before it was created, and what it sets is seen by
 * its own code (and the tasks and callbacks it starts) only.
 *
 * Create them once, at the top of a module, as Python advises: a context
 * keeps every variable it holds a value for.
 *
 * Mirrors `contextvars.ContextVar`.
 *
 * @example
 * ```ts
 * import { ContextVar, createTask, run, sleep } from "@asyncio/deno";
 * const requestId = new ContextVar<string>("requestId", { default: "-" });
 * await run(async () => {
 *   requestId.set("main");
 *   const child = createTask(async () => {
 *     await sleep(0);
 *     requestId.set("child"); // the parent does not see this
 *     return requestId.get();
 *   });
 *   console.assert((await child) === "child" && requestId.get() === "main");
 * });
 * console.assert(requestId.get() === "-");
 * ```
 */
export class ContextVar<T> {
  #name: string;
  #hasDefault: boolean;
  #default: T | undefined;

  /**
   * A variable named `name` (the name is for display, and for carrying the
   * value into a Worker: see `toThread`).
   * @throws {TypeError} if `name` is not a string.
   */
  constructor(name: string, options: ContextVarOptions<T> = {}) {
    if (typeof name !== "string") throw new TypeError("context variable name must be a str");
    this.#name = name;
    this.#hasDefault = "default" in options;
    this.#default = options.default;
    const refs = byName.get(name)?.filter((ref) => ref.deref() !== undefined) ?? [];
    refs.push(new WeakRef(this as ContextVar<unknown>));
    byName.set(name, refs);
  }

  /** The name given to the constructor. Mirrors `ContextVar.name`. */
  get name(): string {
    return this.#name;
  }

  /**
   * The value in the current context; where it has none, `defaultValue` if
   * given, else the variable's default.
   * Mirrors `ContextVar.get`.
   * @throws {LookupError} if there is no value and no default.
   */
  get(): T;
  /** As above, with `defaultValue` in place of the variable's default. */
  get<D>(defaultValue: D): T | D;
  get<D>(defaultValue?: D): T | D {
    const vars = currentVars();
    const value = vars.get(this);
    if (value !== undefined || vars.has(this)) return value as T;
    if (arguments.length > 0) return defaultValue as D;
    if (this.#hasDefault) return this.#default as T;
    throw new LookupError(this.toString());
  }

  /**
   * Give the variable `value` in the current context.
   * Mirrors `ContextVar.set`.
   * @returns a `Token` that `reset()` takes to restore the previous value;
   *   `using _ = v.set(x)` restores it at the end of the block.
   */
  set(value: T): Token<T> {
    const context = currentContext();
    const vars = context._vars;
    const old = vars.has(this) ? vars.get(this) : Token.MISSING;
    const next = new Map(vars);
    next.set(this, value);
    context._vars = next;
    markUsed();
    return new Token(this, context, old as T | typeof Token.MISSING);
  }

  /**
   * Restore the value the variable had before the `set()` that returned
   * `token` (no value, if it had none).
   * Mirrors `ContextVar.reset`.
   * @throws {RuntimeError} if `token` was used already.
   * @throws {RangeError} if `token` is another variable's, or was made in
   *   another context (Python's `ValueError`).
   */
  reset(token: Token<T>): void {
    if (!(token instanceof Token)) {
      throw new TypeError(`expected an instance of Token, got ${shortRepr(token)}`);
    }
    if (token._used) throw new RuntimeError(`${token} has already been used once`);
    if (token.var !== this) throw new RangeError(`${token} was created by a different ContextVar`);
    const context = currentContext();
    if (token._context !== context) {
      throw new RangeError(`${token} was created in a different Context`);
    }
    const next = new Map(context._vars);
    if (token.oldValue === Token.MISSING) next.delete(this);
    else next.set(this, token.oldValue);
    context._vars = next.size === 0 ? EMPTY_VARS : next;
    token._used = true;
  }

  /** For example `<ContextVar name='user' default=None>` (Python's, less the address). */
  toString(): string {
    const shown = this.#hasDefault ? ` default=${shortRepr(this.#default)}` : "";
    return `<ContextVar name=${shortRepr(this.#name)}${shown}>`;
  }

  /** @ignore What `console.log` shows. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }
}

/**
 * What `ContextVar.set()` returns: pass it to `reset()` to restore the
 * previous value, or let `using` do it.
 *
 * Mirrors `contextvars.Token` (with 3.14's context-manager form as `using`).
 *
 * @example
 * ```ts
 * import { ContextVar } from "@asyncio/deno";
 * const level = new ContextVar("level", { default: 0 });
 * {
 *   using _token = level.set(1);
 *   console.assert(level.get() === 1);
 * }
 * console.assert(level.get() === 0);
 * ```
 */
export class Token<T> implements Disposable {
  /** The `oldValue` of a token whose variable had no value before. Mirrors `Token.MISSING`. */
  static readonly MISSING: unique symbol = Symbol("Token.MISSING");
  /** The variable whose `set()` made this token. Mirrors `Token.var`. */
  readonly var: ContextVar<T>;
  /** Its value before that `set()`, or `Token.MISSING`. Mirrors `Token.old_value`. */
  readonly oldValue: T | typeof Token.MISSING;
  /** @ignore The context the value was set in. */
  _context: Context;
  /** @ignore */
  _used = false;

  /** Made by `ContextVar.set()`. */
  constructor(variable: ContextVar<T>, context: Context, oldValue: T | typeof Token.MISSING) {
    this.var = variable;
    this._context = context;
    this.oldValue = oldValue;
  }

  /** `using _ = v.set(x)`: reset the variable at the end of the block. */
  [Symbol.dispose](): void {
    this.var.reset(this);
  }

  /** For example `<Token used var=<ContextVar name='user'>>` (Python's, less the address). */
  toString(): string {
    return `<Token${this._used ? " used" : ""} var=${this.var}>`;
  }
}

/**
 * A mapping of context variables to values: what a task or a callback runs
 * in. `new Context()` is empty; `copyContext()` copies the current one.
 * Iterating it gives `[variable, value]` pairs, as a `Map` does.
 *
 * Mirrors `contextvars.Context`.
 *
 * @example
 * ```ts
 * import { ContextVar, copyContext } from "@asyncio/deno";
 * const user = new ContextVar<string>("user", { default: "nobody" });
 * const ctx = copyContext();
 * ctx.run(() => user.set("ada"));
 * console.assert(ctx.get(user) === "ada" && user.get() === "nobody");
 * ```
 */
export class Context implements Iterable<[ContextVar<unknown>, unknown]> {
  /** @ignore The values (a map never changed in place: see lib/_context.ts). */
  _vars: VarMap = EMPTY_VARS;
  #entered = false;

  /** An empty context. Mirrors `contextvars.Context()`. */
  constructor() {}

  /**
   * Call `fn(...args)` in this context: what it sets stays here, and the
   * caller's context is back once it returns. An async `fn` runs here up to
   * its first `await`; after that it continues in the context of the task
   * that runs it (a coroutine started inside `ctx.run` in Python would not
   * even have begun).
   * Mirrors `Context.run`.
   * @throws {RuntimeError} if this context is already entered (by an
   *   enclosing `run`, or as the running task's or callback's context).
   */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
    if (typeof fn !== "function") {
      throw new TypeError(`Context.run() needs a function to run, got ${shortRepr(fn)}`);
    }
    if (this.#entered || isCurrent(this)) {
      throw new RuntimeError(`cannot enter context: ${this} is already entered`);
    }
    this.#entered = true;
    enter(this);
    try {
      return fn(...args);
    } finally {
      leave();
      this.#entered = false;
    }
  }

  /** A shallow copy. Mirrors `Context.copy`. */
  copy(): Context {
    return contextOf(this._vars);
  }

  /** The value of `variable` here, else `defaultValue`. Mirrors `Context.get`. */
  get<T, D = undefined>(variable: ContextVar<T>, defaultValue?: D): T | D {
    const vars = this._vars;
    return vars.has(variable) ? vars.get(variable) as T : defaultValue as D;
  }

  /** True if `variable` has a value here. Mirrors `var in ctx`. */
  has(variable: ContextVar<unknown>): boolean {
    return this._vars.has(variable);
  }

  /** How many variables have a value here. Mirrors `len(ctx)`. */
  get size(): number {
    return this._vars.size;
  }

  /** The variables that have a value here. Mirrors `Context.keys`. */
  keys(): IterableIterator<ContextVar<unknown>> {
    return this._vars.keys() as IterableIterator<ContextVar<unknown>>;
  }

  /** Their values. Mirrors `Context.values`. */
  values(): IterableIterator<unknown> {
    return this._vars.values();
  }

  /** `[variable, value]` pairs. Mirrors `Context.items`. */
  entries(): IterableIterator<[ContextVar<unknown>, unknown]> {
    return this._vars.entries() as IterableIterator<[ContextVar<unknown>, unknown]>;
  }

  /** Same as `entries()`. */
  [Symbol.iterator](): IterableIterator<[ContextVar<unknown>, unknown]> {
    return this.entries();
  }

  /** For example `<Context vars=2>`. */
  toString(): string {
    return `<Context vars=${this._vars.size}>`;
  }

  /** @ignore What `console.log` shows. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }
}

/**
 * A copy of the current context: the running task's, or the running
 * callback's, or (outside both) the top level's.
 * Mirrors `contextvars.copy_context`.
 */
export function copyContext(): Context {
  return contextOf(currentVars());
}

/**
 * The trailing options of `loop.callSoon`, `callLater`, `callAt` and
 * `callSoonThreadsafe`: `context`, the context the callback runs in
 * (instead of a copy of the current one).
 *
 * Why a class and not a plain `{ context }`: those methods pass every
 * argument after the callback on to it, so a plain object last could be a
 * real argument. An instance of this class never is: the loop takes it off
 * the arguments.
 *
 * Mirrors the keyword-only `context=` of `loop.call_soon` and friends.
 *
 * @example
 * ```ts
 * import { CallbackOptions, ContextVar, copyContext, run, getRunningLoop } from "@asyncio/deno";
 * const tag = new ContextVar("tag", { default: "none" });
 * await run(async () => {
 *   const ctx = copyContext();
 *   ctx.run(() => tag.set("in ctx"));
 *   const seen = getRunningLoop().createFuture<string>();
 *   const inCtx = new CallbackOptions({ context: ctx });
 *   getRunningLoop().callSoon((f) => f.setResult(tag.get()), seen, inCtx);
 *   console.assert((await seen) === "in ctx");
 * });
 * ```
 */
export class CallbackOptions {
  /** The context to run the callback in; `undefined`: a copy of the current one. */
  readonly context: Context | undefined;

  /** Options for one scheduling call. */
  constructor(options: { context?: Context } = {}) {
    const context = options.context;
    if (context !== undefined && !(context instanceof Context)) {
      throw new TypeError(`context must be a Context, got ${shortRepr(context)}`);
    }
    this.context = context;
    if (context !== undefined) markUsed();
  }
}

/**
 * @ignore The current context's values that a Worker can receive (those
 * that survive a structured clone), by variable name, for `toThread`.
 */
export function _carryContext(): [string, unknown][] | null {
  const vars = currentVars();
  if (vars.size === 0) return null;
  const carried: [string, unknown][] = [];
  for (const [variable, value] of vars) {
    try {
      carried.push([(variable as ContextVar<unknown>).name, structuredClone(value)]);
    } catch {
      // Not cloneable (a function, a socket): the Worker sees the default.
    }
  }
  return carried;
}

/**
 * @ignore In a Worker (which runs one job at a time): await `fn(...args)`
 * with `carried` as the top-level context, each value given to every
 * variable of this Worker with that name.
 */
export async function _runCarried(
  carried: [string, unknown][],
  fn: (...args: unknown[]) => unknown,
  args: unknown[],
): Promise<unknown> {
  const vars = new Map<object, unknown>();
  for (const [name, value] of carried) {
    for (const ref of byName.get(name) ?? []) {
      const variable = ref.deref();
      if (variable !== undefined) vars.set(variable, value);
    }
  }
  if (vars.size > 0) markUsed();
  const saved = swapRoot(contextOf(vars));
  try {
    return await fn(...args);
  } finally {
    swapRoot(saved);
  }
}
