/**
 * Signals on the loop, as the signal part of CPython's
 * `asyncio/unix_events.py`: `loop.addSignalHandler` runs a callback as a
 * loop handle each time the process receives a signal, on top of
 * `Deno.addSignalListener`. Also the hook with which `run()` turns the
 * first Ctrl-C into cancelling the main task.
 *
 * While a handler is set, Deno does not apply the signal's default action
 * (for SIGINT: end the process), and the process stays alive (as a
 * CPython loop waits on its signal wake-up pipe); `removeSignalHandler` and
 * `loop.close()` give both back.
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { Handle } from "./events.ts";
import { KeyboardInterrupt, RuntimeError } from "./exceptions.ts";
import type { Task } from "./tasks.ts";
import { signalName } from "./_subprocess.ts";
import { toOSError } from "./_oserror.ts";

interface SignalEntry {
  handle: Handle;
  listener: () => void;
}

interface LoopSignals {
  handlers: Map<Deno.Signal, SignalEntry>;
  /** A ref'd host timer, held while there are handlers (see `_addSignalHandler`). */
  keepAlive: ReturnType<typeof setInterval> | null;
  /** `run()`'s SIGINT hook, while one is installed. */
  sigint: _SigintInterrupt | null;
}

const loops = new WeakMap<EventLoop, LoopSignals>();

function stateOf(loop: EventLoop): LoopSignals {
  let state = loops.get(loop);
  if (state === undefined) {
    const made: LoopSignals = { handlers: new Map(), keepAlive: null, sigint: null };
    // As CPython's unix loop close(): the handlers go with the loop.
    loop._closeHooks.push(() => {
      for (const sig of [...made.handlers.keys()]) _removeSignalHandler(loop, sig);
    });
    loops.set(loop, made);
    state = made;
  }
  return state;
}

function checkSignal(sig: unknown): asserts sig is Deno.Signal {
  if (typeof sig !== "string") throw new TypeError(`sig must be a signal name, got ${sig}`);
  signalName(sig as Deno.Signal); // an unknown name is a TypeError, checked before all else
}

/** @ignore The body of `loop.addSignalHandler`. */
export function _addSignalHandler(
  loop: EventLoop,
  sig: Deno.Signal,
  callback: (...args: never[]) => unknown,
  args: unknown[],
): void {
  checkSignal(sig);
  if (typeof callback !== "function") {
    throw new TypeError(`a callable object was expected by addSignalHandler(), got ${callback}`);
  }
  if (callback.constructor.name === "AsyncFunction") {
    throw new TypeError("coroutines cannot be used with add_signal_handler()");
  }
  if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
  const state = stateOf(loop);
  const known = state.handlers.get(sig);
  if (known !== undefined) {
    // As CPython, where the loop looks the handler up when it runs: a
    // signal already queued runs the new handler, so the queued handle
    // takes the new callback.
    known.handle._callback = callback;
    known.handle._args = args;
    return;
  }
  const handle = new Handle(callback, args, loop);
  const entry: SignalEntry = {
    handle,
    // A host callback: queue the handle (this wakes an idle loop).
    listener: () => {
      if (!loop.isClosed()) loop._enqueue(entry.handle);
    },
  };
  try {
    Deno.addSignalListener(sig, entry.listener);
  } catch (error) {
    if (String(error).includes("not allowed")) {
      throw new RuntimeError(`sig ${sig} cannot be caught`);
    }
    throw toOSError(error);
  }
  state.handlers.set(sig, entry);
  // Deno does not count a signal listener as pending work, so a loop that
  // waits only for signals would let the process end under it; CPython's
  // loop waits on its signal wake-up pipe. Hold the process while handlers
  // exist.
  state.keepAlive ??= setInterval(() => {}, 2 ** 31 - 1);
  // As signal.signal() in CPython, a handler of ours replaces run()'s.
  if (sig === "SIGINT") state.sigint?.dispose();
}

/** @ignore The body of `loop.removeSignalHandler`. */
export function _removeSignalHandler(loop: EventLoop, sig: Deno.Signal): boolean {
  checkSignal(sig);
  const state = loops.get(loop);
  const entry = state?.handlers.get(sig);
  if (entry === undefined) return false;
  entry.handle.cancel(); // a signal already queued must not run it
  state!.handlers.delete(sig);
  Deno.removeSignalListener(sig, entry.listener);
  if (state!.handlers.size === 0 && state!.keepAlive !== null) {
    clearInterval(state!.keepAlive);
    state!.keepAlive = null;
  }
  return true;
}

/**
 * @ignore What `Runner.run` installs around its main task, as CPython
 * 3.11's `Runner._on_sigint`: the first SIGINT cancels the main task; a
 * second one (or one after the task is done) stops the loop, and `run()`
 * throws `KeyboardInterrupt`. Once this is disposed, SIGINT has its default
 * action again (the process ends).
 */
export class _SigintInterrupt {
  #loop: EventLoop;
  #task: Task<unknown>;
  #count = 0;
  #installed = false;

  constructor(loop: EventLoop, task: Task<unknown>) {
    this.#loop = loop;
    this.#task = task;
    try {
      Deno.addSignalListener("SIGINT", this.#onSigint);
      this.#installed = true;
      stateOf(loop).sigint = this;
    } catch {
      // No SIGINT here (a platform or a Worker without it): plain run().
    }
  }

  #onSigint = (): void => {
    this.#count++;
    if (this.#count === 1 && !this.#task.done()) {
      this.#loop.callSoonThreadsafe(() => this.#task.cancel());
      return;
    }
    this.dispose();
    this.#loop.stop();
  };

  /** The error `run()` throws in place of `error`, as CPython's Runner.run. */
  translate(error: unknown): unknown {
    if (this.#count >= 2) return new KeyboardInterrupt();
    if (this.#count > 0 && this.#task.cancelled() && this.#task.uncancel() === 0) {
      return new KeyboardInterrupt();
    }
    return error;
  }

  /** Give SIGINT back its default action. Idempotent. */
  dispose(): void {
    if (!this.#installed) return;
    this.#installed = false;
    Deno.removeSignalListener("SIGINT", this.#onSigint);
    const state = loops.get(this.#loop);
    if (state?.sigint === this) state.sigint = null;
  }
}
