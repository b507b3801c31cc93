// Which `Context` (lib/contextvars.ts) the running code reads and writes.
//
// CPython keeps one current context per thread and asyncio swaps it around
// every callback and every task step (`Handle._run` and `Task.__step` call
// `context.run`). Here the loop carries the context itself: a handle holds
// the context it was scheduled with (`Handle._context`) and the loop enters
// it around the callback; a task holds its context (`Task._context`) and
// its code finds it through the task, which the loop already carries across
// every await in V8's continuation-preserved data (lib/_running.ts), even
// the await of a promise the loop does not own. So no `AsyncLocalStorage`
// of its own is needed, and nothing is paid per await.
//
// Free when unused: until some variable is set (`used`), every context is
// empty, so `callSoon` and `createTask` copy nothing and the loop enters
// nothing per callback. A context holds an immutable map; `set` replaces
// the map, so a copy is the same map (as CPython's HAMT makes
// `copy_context()` O(1)). What a handle or a task keeps is that map, a
// `Snapshot`: the `Context` object is made only if its code sets a variable
// or someone asks for it (`getContext()`).
import { _taskContext } from "./_running.ts";
import { Context } from "./contextvars.ts";

/** A context's values: never changed once made (`set` makes a new map). */
export type VarMap = ReadonlyMap<object, unknown>;

/** The values of an empty context. */
export const EMPTY_VARS: VarMap = new Map();

/**
 * What a handle, a task or a done-callback keeps: its own `Context`, or the
 * values of a copy not made yet.
 */
export type Held = Context | VarMap;

/**
 * True once a variable was set or a context was given to the loop: from
 * then on the loop carries contexts.
 */
export let used = false;

// The context entered by `Context.run` or by the loop around a callback;
// `null`: the running task's context, else the top level's. `SNAPSHOT`
// stands for a copy of `snapshotVars` not made yet (a callback's own).
let entered: Context | null = null;
let snapshotVars: VarMap = EMPTY_VARS;
// Stand-in for a copy not made yet; never handed out, never written.
let SNAPSHOT: Context | null = null;
// What `enter` replaced, for `leave` to restore (a stack: `Context.run`
// may run inside a callback the loop entered).
const savedEntered: (Context | null)[] = [];
const savedVars: VarMap[] = [];
// The context of code outside every task and callback (a script's top
// level, a host timer's callback): CPython's main thread context.
let root: Context | null = null;
// True while the loop runs a batch of callbacks: code that finds no context
// entered and no task is a callback, whose context is its own (empty until
// it sets a variable, which makes it, entered until the batch ends).
let inBatch = false;

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

/** The values of a held context (`null`: an empty one). */
export function varsOf(held: Held | null): VarMap {
  return held === null ? EMPTY_VARS : held instanceof Context ? held._vars : held;
}

/** The `Context` of a holder, made now if it held only a snapshot. */
export function contextIn(held: Held | null): Context {
  return held instanceof Context ? held : contextOf(held ?? EMPTY_VARS);
}

/** The values the running code reads (no allocation). */
export function currentVars(): VarMap {
  if (entered !== null) return entered === SNAPSHOT ? snapshotVars : entered._vars;
  const task = _taskContext.getStore();
  if (task !== undefined) return varsOf(task._context);
  if (inBatch) return EMPTY_VARS;
  return root === null ? EMPTY_VARS : root._vars;
}

/** The context the running code writes to, made now if it had none yet. */
export function currentContext(): Context {
  if (entered !== null) {
    if (entered === SNAPSHOT) entered = contextOf(snapshotVars);
    return entered;
  }
  const task = _taskContext.getStore();
  if (task !== undefined) {
    const held = task._context;
    return held instanceof Context ? held : task._context = contextIn(held);
  }
  if (inBatch) return entered = contextOf(EMPTY_VARS);
  return root ??= contextOf(EMPTY_VARS);
}

/** True if `context` is the one running code uses now (entering it again is an error). */
export function isCurrent(context: Context): boolean {
  if (entered !== null) return entered === context;
  const task = _taskContext.getStore();
  if (task !== undefined) return task._context === context;
  return !inBatch && root === context;
}

/** The loop begins to run callbacks (see `inBatch`). */
export function batchStarts(): void {
  inBatch = true;
}

/** The loop stops running callbacks: a context a callback made is left. */
export function batchEnds(): void {
  inBatch = false;
  entered = null;
}

/**
 * What a callback or a task scheduled now keeps, as CPython's
 * `copy_context()` in `Handle.__init__` and `Task.__init__`: the current
 * values (a copy made only when needed), or `null` while they are empty.
 */
export function capture(): VarMap | null {
  if (!used) return null;
  const vars = currentVars();
  return vars.size === 0 ? null : vars;
}

/** Enter `held` (`null`: an empty context of its own); `leave()` comes back. */
export function enter(held: Held | null): void {
  const depth = savedEntered.length;
  savedEntered[depth] = entered;
  savedVars[depth] = snapshotVars;
  if (held instanceof Context) {
    entered = held;
  } else {
    entered = SNAPSHOT ??= new Context();
    snapshotVars = held ?? EMPTY_VARS;
  }
}

/**
 * Leave the context entered last. Returns the context that code ran in,
 * if it was made (a snapshot that got written), else `null`.
 */
export function leave(): Context | null {
  const was = entered;
  entered = savedEntered.pop()!;
  snapshotVars = savedVars.pop()!;
  return was === SNAPSHOT ? null : was;
}

/**
 * Run task code that the loop does not call from a step (an eager task's
 * first step, inside `createTask`): it reads its task's context, not the
 * caller's. `leave()` comes back.
 */
export function enterTask(): void {
  savedEntered.push(entered);
  savedVars.push(snapshotVars);
  entered = null;
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
