// Which `Context` (lib/contextvars.ts) the running code reads and writes.
//
// CPython keeps one current context per thread and asyncio swaps it around
// every callback and every task step (`Handle._run` and `Task.__step` call
// `context.run`). Here the loop carries the context itself: a handle holds
// the context it was scheduled with (`Handle._context`) and the loop enters
// it around the callback; a task holds its context (`Task._context`) and
// its code finds it through the task, which `AsyncLocalStorage` already
// carries across every await (lib/_running.ts), even the await of a
// promise the loop does not own. So no second `AsyncLocalStorage` is
// needed, and nothing is paid per await.
//
// Free when unused: until some variable is set (`used`), every context is
// empty, so `callSoon` and `createTask` copy nothing and the loop enters
// nothing. A context holds an immutable map; `set` replaces the map, so a
// copy is the same map in a new `Context` (as CPython's HAMT makes
// `copy_context()` O(1)).
import { _taskContext } from "./_running.ts";
import { Context } from "./contextvars.ts";

/** A context's values: never changed once made (`set` makes a new map). */
export type VarMap = ReadonlyMap<object, unknown>;

/** The values of an empty context. */
export const EMPTY_VARS: VarMap = new Map();

/** True once a variable was set or a context was given to the loop: from then on the loop carries contexts. */
export let used = false;

/**
 * The context entered by `Context.run` or by the loop around a callback;
 * `null`: the running task's context, else the root one.
 */
let entered: Context | null = null;
// The context of code outside every task and callback (a script's top
// level, a host timer's callback): CPython's main thread context.
let root: Context | null = null;
// The context a callback scheduled with none runs in: empty, and replaced
// by a new one the moment the callback sets a variable (so that it is its
// own, as CPython's copy made at `call_soon` would be).
let fresh: Context | null = null;

/** The loop is to carry contexts from now on. */
export function markUsed(): void {
  used = true;
}

/** A context holding `vars`. */
export function contextOf(vars: VarMap): Context {
  const context = new Context();
  context._vars = vars;
  return context;
}

/** The values the running code reads (no allocation). */
export function currentVars(): VarMap {
  if (entered !== null) return entered._vars;
  const task = _taskContext.getStore();
  if (task !== undefined) return task._context === null ? EMPTY_VARS : task._context._vars;
  return root === null ? EMPTY_VARS : root._vars;
}

/** The context the running code writes to, made now if it had none yet. */
export function currentContext(): Context {
  if (entered !== null) {
    if (entered === fresh) entered = contextOf(EMPTY_VARS);
    return entered;
  }
  const task = _taskContext.getStore();
  if (task !== undefined) return task._context ??= contextOf(EMPTY_VARS);
  return root ??= contextOf(EMPTY_VARS);
}

/** True if `context` is the one running code uses now (entering it again is an error). */
export function isCurrent(context: Context): boolean {
  if (entered !== null) return entered === context;
  const task = _taskContext.getStore();
  return task !== undefined ? task._context === context : root === context;
}

/**
 * What a callback or a task scheduled now keeps, as CPython's
 * `copy_context()` in `Handle.__init__` and `Task.__init__`: a copy of the
 * current context, or `null` while it is empty (the callback then runs in
 * an empty context of its own).
 */
export function capture(): Context | null {
  if (!used) return null;
  const vars = currentVars();
  return vars.size === 0 ? null : contextOf(vars);
}

/** Enter `context` (null: a fresh empty one); returns what to give `leave`. */
export function enter(context: Context | null): Context | null {
  const saved = entered;
  entered = context ?? (fresh ??= contextOf(EMPTY_VARS));
  return saved;
}

/** Leave the context entered last; `saved` is what `enter` returned. */
export function leave(saved: Context | null): void {
  entered = saved;
}

/**
 * Make `context` the top level's (in a Worker, for one job at a time);
 * returns the one it replaces.
 */
export function swapRoot(context: Context | null): Context | null {
  const saved = root;
  root = context;
  return saved;
}

/**
 * Run task code that the loop does not call from a step (an eager task's
 * first step, inside `createTask`): it reads its task's context, not the
 * caller's.
 */
export function enterTask(): Context | null {
  const saved = entered;
  entered = null;
  return saved;
}
