// The loop's ready queue, as two parallel arrays: what to run and its
// packed arguments. An entry is a `Handle`, a `Task` (its step), or, for a
// plain `callSoon` or a future's done-callback scheduled while nobody traces
// the loop, the callback itself, so that the queue holds no object made for it: a million
// pending handles the queue kept alive cost more in V8's scavenges than all
// the rest of scheduling (the handle `callSoon` returns, if the caller drops
// it, dies young). `null` is an entry cancelled or already run.
//
// The arrays keep their size between iterations: truncating an array frees
// its backing store, and growing it again cost ~50 ns an iteration.
import type { Handle } from "./events.ts";
import type { Task } from "./tasks.ts";
import type { Held } from "./_context.ts";

export type Callback = (...args: never[]) => unknown;
/** A task in the queue is its step (queued so while nobody traces the loop). */
export type ReadyEntry = Handle | Task<unknown> | Callback | null;

// An emptied queue gives its arrays back when they have more than this many
// slots and it used less than a quarter of them (a burst is over); steady
// large batches keep theirs.
const KEEP_SLOTS = 4096;

export class ReadyQueue {
  entries: ReadyEntry[] = [];
  args: unknown[] = [];
  /**
   * Per slot, the context a callback entry runs in, once context variables
   * are in use (lib/_context.ts): written by `setContext` only then, so that
   * a loop that never uses them never touches this array (a slot without
   * one is an empty context).
   */
  contexts: (Held | undefined)[] = [];
  /** Entries in use, from slot 0 (the arrays may be longer). */
  length = 0;

  /** Append; returns the slot. */
  push(entry: ReadyEntry, args: unknown): number {
    const slot = this.length++;
    this.entries[slot] = entry;
    this.args[slot] = args;
    return slot;
  }

  /** Give the callback entry in `slot` its context. */
  setContext(slot: number, context: Held): void {
    const contexts = this.contexts;
    // Fill the slots below, so that the array stays packed.
    while (contexts.length < slot) contexts.push(undefined);
    contexts[slot] = context;
  }

  /** Forget the entry at `slot` (its callback will not run). */
  drop(slot: number): void {
    this.entries[slot] = null;
    this.args[slot] = undefined;
    if (slot < this.contexts.length) this.contexts[slot] = undefined;
  }

  /** Empty the queue; its slots must already be dropped (run), or `all`. */
  reset(all = false): void {
    const size = this.entries.length;
    if (all || (size > KEEP_SLOTS && this.length < size >>> 2)) {
      this.entries = [];
      this.args = [];
      this.contexts = [];
    }
    this.length = 0;
  }
}
