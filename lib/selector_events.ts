/**
 * `loop.addReader` / `addWriter` and their removers, as the readiness part
 * of CPython's `asyncio/selector_events.py`: a callback runs as a loop
 * handle while its file object is ready, level-triggered (once per loop
 * iteration for as long as it stays ready, as with epoll). Readiness is
 * derived as `selectors.ts` explains; read a raw Deno reader through
 * `streamReaderFor(raw)`.
 *
 * As in Python, a callback should consume what made it ready before it
 * returns: `reader.readline()` takes a buffered line inside the call, even
 * though its promise settles later. EOF stays readable, so a callback that
 * sees `reader.atEof()` should remove itself at once; one that awaits
 * first may be called again meanwhile.
 * @module
 */
import type { EventLoop } from "./base_events.ts";
import { Handle } from "./events.ts";
import { RuntimeError } from "./exceptions.ts";
import {
  type _Readiness,
  _readinessOf,
  EVENT_READ,
  EVENT_WRITE,
  type FileObject,
} from "./selectors.ts";

/** One watched object on one loop: the handle for each event, if any. */
class Watch {
  handles: [Handle | null, Handle | null] = [null, null];
  /** Per event: a run of the handle is queued (with its re-check behind it). */
  queued = [false, false];
  unlisten: () => void;
  source: _Readiness;
  loop: EventLoop;

  constructor(loop: EventLoop, source: _Readiness) {
    this.loop = loop;
    this.source = source;
    this.unlisten = source.listen(() => {
      this.poll(0);
      this.poll(1);
    });
  }

  /**
   * If the event's handle is set, not queued, and the object is ready,
   * queue the handle and, right behind it, a re-check (which queues it again
   * next iteration if it is still ready: level-triggered).
   */
  poll(which: 0 | 1): void {
    const handle = this.handles[which];
    if (handle === null || this.queued[which] || this.loop.isClosed()) return;
    if (this.source.ready(which === 0 ? EVENT_READ : EVENT_WRITE) === 0) return;
    this.queued[which] = true;
    this.loop._enqueue(handle);
    this.loop._enqueue(new Handle(this.#recheck, which, this.loop));
  }

  #recheck = (which: 0 | 1): void => {
    this.queued[which] = false;
    this.poll(which);
  };
}

const loops = new WeakMap<EventLoop, Map<_Readiness, Watch>>();

function watchesOf(loop: EventLoop): Map<_Readiness, Watch> {
  let watches = loops.get(loop);
  if (watches === undefined) {
    const made = new Map<_Readiness, Watch>();
    // As CPython's close(), which closes the loop's selector.
    loop._closeHooks.push(() => {
      for (const watch of made.values()) watch.unlisten();
      made.clear();
    });
    loops.set(loop, made);
    watches = made;
  }
  return watches;
}

/** @ignore The body of `loop.addReader` (which = 0) and `loop.addWriter` (1). */
export function _addWatch(
  loop: EventLoop,
  which: 0 | 1,
  fileobj: FileObject,
  callback: (...args: never[]) => unknown,
  args: unknown[],
): void {
  if (typeof callback !== "function") {
    const method = which === 0 ? "addReader" : "addWriter";
    throw new TypeError(`a callable object was expected by ${method}(), got ${callback}`);
  }
  if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
  const source = _readinessOf(fileobj);
  if (which === 0 && source.reader === null) throw new TypeError(`${fileobj} cannot be read`);
  const watches = watchesOf(loop);
  let watch = watches.get(source);
  if (watch === undefined) {
    watch = new Watch(loop, source);
    watches.set(source, watch);
  }
  // As CPython: a new callback replaces (and cancels) the old one.
  watch.handles[which]?.cancel();
  watch.handles[which] = new Handle(callback, args, loop);
  watch.poll(which);
}

/** @ignore The body of `loop.removeReader` (which = 0) and `loop.removeWriter` (1). */
export function _removeWatch(loop: EventLoop, which: 0 | 1, fileobj: FileObject): boolean {
  const watches = loops.get(loop);
  const source = _readinessOf(fileobj);
  const watch = watches?.get(source);
  const handle = watch?.handles[which] ?? null;
  if (handle === null) return false;
  handle.cancel();
  watch!.handles[which] = null;
  if (watch!.handles[1 - which] === null) {
    watch!.unlisten();
    watches!.delete(source);
  }
  return true;
}
