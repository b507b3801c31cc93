// Python hands out bound methods: `loop.call_later(2, loop.stop)` stops
// that loop. A JavaScript method read off an object forgets its object, so
// `loop.callLater(2, loop.stop)` would call `stop` with no `this`.
//
// `bindOnRead(proto, plain)` makes each public method of `proto` (but those
// named in `plain`) a getter that, on the first read from an instance,
// stores the method bound to it as the instance's own property; later reads
// find that property and no getter. Methods whose name starts with `_` are
// internal and stay as they are.
//
// Why some stay plain: a bound function is a different function per
// instance, so where a program has several loops a call site such as
// `loop.callSoon(f)` sees several targets, V8 stops inlining the call, and
// `callSoon` has to build its `arguments` object. bench/callsoon.ts's chain
// measured 7-9 % slower with `callSoon` bound; a method that stays on the
// prototype is one target for every loop.

const converted = new WeakSet<object>();

/** The object on `target`'s prototype chain that holds `name` itself. */
function holderOf(target: object, name: string): object | null {
  for (let o: object | null = target; o !== null; o = Object.getPrototypeOf(o)) {
    if (Object.hasOwn(o, name)) return o;
  }
  return null;
}

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
    Object.defineProperty(proto, name, {
      configurable: true,
      enumerable: false,
      get(this: object) {
        // Read through `super.name` by a subclass that overrides it: a plain call follows.
        if (holderOf(this, name) !== proto) return method;
        const bound = method.bind(this);
        Object.defineProperty(bound, "name", { value: `${owner}.${name}` });
        Object.defineProperty(this, name, { value: bound, writable: true, configurable: true });
        return bound;
      },
      // Assigning a method (a test's stub) replaces it on that instance only.
      set(this: object, value: unknown) {
        Object.defineProperty(this, name, { value, writable: true, configurable: true });
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
