// Python hands out bound methods: `loop.call_later(2, loop.stop)` stops
// that loop. A JavaScript method read off an object forgets its object, so
// `loop.callLater(2, loop.stop)` would call `stop` with no `this`.
//
// `bindOnRead(proto, plain)` makes each public method of `proto` (but those
// named in `plain`) a getter that returns the method bound to the instance
// it is read from, made on the first read and kept in the instance's
// `_bound` field (which the class declares, so that the instance's shape
// never changes: an own property added later would give it a new hidden
// class, and the loop's hot code, seeing two, would slow down). A read
// through `super.name` gets the base method bound to the same instance,
// which is what a super call runs. Methods whose name starts with `_` are
// internal and stay as they are.
//
// Why some stay plain: a bound function is a different function per
// instance, so where a program has several loops a call site such as
// `loop.callSoon(f)` sees several targets, V8 stops inlining the call, and
// `callSoon` has to build its `arguments` object. bench/callsoon.ts's chain
// measured 7-9 % slower with `callSoon` bound; a method that stays on the
// prototype is one target for every loop.

/** What `bindOnRead` needs of an instance: a field for its bound methods. */
export interface BoundCache {
  _bound: Record<string, unknown> | null;
}

const converted = new WeakSet<object>();

/**
 * Turn the public methods of `proto`, but those in `plain`, into getters
 * that bind on first read (once per prototype). The bound function is named
 * `Class.method`, as asyncio's repr names a bound method
 * (`<TimerHandle when=2 EventLoop.stop()>`).
 */
export function bindOnRead(proto: object, plain: ReadonlySet<string>): void {
  if (converted.has(proto)) return;
  converted.add(proto);
  const owner = (proto.constructor as { name: string }).name;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const method = Object.getOwnPropertyDescriptor(proto, name)!.value;
    if (name === "constructor" || name.startsWith("_") || plain.has(name)) continue;
    if (typeof method !== "function") continue; // a getter
    const key = `${owner}.${name}`;
    Object.defineProperty(proto, name, {
      configurable: true,
      enumerable: false,
      get(this: BoundCache) {
        const cache = this._bound ??= {};
        let bound = cache[key];
        if (bound === undefined) {
          bound = method.bind(this);
          Object.defineProperty(bound, "name", { value: key });
          cache[key] = bound;
        }
        return bound;
      },
      // Assigning a method (a test's stub) replaces it on that instance only.
      set(this: BoundCache, value: unknown) {
        (this._bound ??= {})[key] = value;
      },
    });
  }
}

/**
 * As `bindOnRead` for the methods that the classes from `cls` up to (not
 * including) `base` define (their overrides), once per class.
 */
export function bindSubclassMethods(
  cls: { prototype: object },
  base: object,
  plain: ReadonlySet<string>,
): void {
  for (let p: object = cls.prototype; p !== base && p !== null; p = Object.getPrototypeOf(p)) {
    bindOnRead(p, plain);
  }
}
