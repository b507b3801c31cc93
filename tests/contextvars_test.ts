// Context variables (lib/contextvars.ts, lib/_context.ts): tasks copy the
// creating context, callbacks run in the context they were scheduled with,
// the loop carries nothing until a variable is set. Compared with CPython in
// tests/transcripts/ctx_*.
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { runFor, spin, withLoop } from "./_util.ts";
import {
  CallbackOptions,
  Context,
  ContextVar,
  copyContext,
  createTask,
  currentTask,
  getRunningLoop,
  LookupError,
  RuntimeError,
  sleep,
  Token,
  toThread,
} from "../mod.ts";

// First in the file on purpose: each test file runs in its own isolate, so
// no variable has been set yet and the loop carries no contexts.
Deno.test("a callback's first set() ever stays in that callback (not the top level's context)", () =>
  withLoop(async (loop) => {
    const v = new ContextVar<string>("first", { default: "default" });
    const seen: string[] = [];
    loop.callSoon(() => {
      v.set("set by the first callback");
      seen.push(v.get());
    });
    loop.callSoon(() => seen.push(v.get()));
    loop.callSoon(() => loop.createTask(() => seen.push(v.get())));
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    seen.push(v.get());
    assertEquals(seen, ["set by the first callback", "default", "default", "default"]);
  }));

Deno.test("ContextVar.get(): the value, else the argument, else the default, else LookupError", () => {
  const bare = new ContextVar<number>("bare");
  const withDefault = new ContextVar<number>("d", { default: 1 });
  const undefinedDefault = new ContextVar<number | undefined>("u", { default: undefined });
  assertThrows(() => bare.get(), LookupError, "<ContextVar name='bare'>");
  assertEquals(bare.get(5), 5);
  assertEquals(bare.get(undefined), undefined);
  assertEquals([withDefault.get(), withDefault.get(7)], [1, 7]);
  assertEquals(undefinedDefault.get(), undefined);
  copyContext().run(() => {
    bare.set(2);
    assertEquals(bare.get(5), 2);
  });
  assertThrows(() => new ContextVar(3 as unknown as string), TypeError);
  assertEquals(String(withDefault), "<ContextVar name='d' default=1>");
});

Deno.test("Context.run() of something that is not a function says so, and leaves the context unentered", () => {
  const ctx = copyContext();
  assertThrows(
    () => ctx.run(5 as unknown as () => void),
    TypeError,
    "Context.run() needs a function to run, got 5",
  );
  assertEquals(ctx.run(() => "ran"), "ran");
});

Deno.test("set() returns a Token that reset() takes once, in the same context, for the same variable", () => {
  const a = new ContextVar<string>("a");
  const b = new ContextVar<string>("b");
  new Context().run(() => {
    const t1 = a.set("x");
    assertEquals(t1.oldValue, Token.MISSING);
    assert(t1.var === a);
    const t2 = a.set("y");
    assertEquals(t2.oldValue, "x");
    a.reset(t2);
    assertEquals(a.get(), "x");
    assertThrows(() => a.reset(t2), RuntimeError, "has already been used once");
    assertThrows(() => b.reset(t1 as Token<string>), RangeError, "different ContextVar");
    assertThrows(() => new Context().run(() => a.reset(t1)), RangeError, "different Context");
    a.reset(t1);
    assertEquals(a.get("none"), "none");
    {
      using _ = a.set("scoped");
      assertEquals(a.get(), "scoped");
    }
    assertEquals(a.get("none"), "none");
  });
});

Deno.test("Context: run() keeps what fn sets, copy() shares nothing later, a context is entered once", () => {
  const v = new ContextVar<number>("v", { default: 0 });
  const ctx = new Context();
  assertEquals(ctx.run((x: number) => v.set(x) && v.get() + 1, 41), 42);
  assertEquals([ctx.get(v), ctx.has(v), ctx.size, v.get()], [41, true, 1, 0]);
  const copy = ctx.copy();
  copy.run(() => v.set(1));
  assertEquals([ctx.get(v), copy.get(v)], [41, 1]);
  assertEquals([...ctx], [[v, 41]]);
  assertEquals([...ctx.keys()], [v]);
  assertThrows(() => ctx.run(() => ctx.run(() => 0)), RuntimeError, "already entered");
  // Entered again further down, not only directly.
  assertThrows(
    () => ctx.run(() => new Context().run(() => ctx.run(() => 0))),
    RuntimeError,
    "already entered",
  );
  // An error thrown by fn leaves the caller's context current again.
  assertThrows(() =>
    ctx.run(() => {
      throw new Error("boom");
    })
  );
  assertEquals(v.get(), 0);
  assertEquals(ctx.run(() => v.get()), 41);
});

Deno.test("a task copies the context it was created in; its set() is its own", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const v = new ContextVar<string>("v", { default: "-" });
      v.set("parent");
      const child = createTask(async () => {
        const before = v.get();
        v.set("child");
        await sleep(0);
        return [before, v.get(), currentTask()!.getContext().get(v)];
      });
      v.set("parent later");
      assertEquals(await child, ["parent", "child", "child"]);
      assertEquals(v.get(), "parent later");
      assertThrows(() => currentTask()!.getContext().run(() => 0), RuntimeError);
    })
  ));

Deno.test("a task reads its context after awaiting a host promise and Promise.all of loop futures", () =>
  withLoop(async (loop) => {
    const v = new ContextVar<string>("v");
    const read = (name: string) =>
      loop.createTask(async () => {
        v.set(name);
        await new Promise((resolve) => setTimeout(resolve, 5));
        const afterHost = v.get();
        await Promise.all([sleep(0.001), sleep(0.002)]);
        return `${afterHost} ${v.get()}`;
      });
    const tasks = [read("a"), read("b")];
    assertEquals(await loop.runUntilComplete(() => Promise.all(tasks)), ["a a", "b b"]);
  }, { virtual: false }));

Deno.test("callSoon/callLater/callAt take a trailing CallbackOptions; it is not passed on", () =>
  withLoop(async (loop) => {
    const v = new ContextVar<string>("v", { default: "-" });
    const ctx = new Context();
    ctx.run(() => v.set("ctx"));
    const opts = new CallbackOptions({ context: ctx });
    const got: unknown[] = [];
    const record = (...args: unknown[]) => got.push([v.get(), ...args]);
    loop.callSoon(record, opts);
    loop.callSoon(record, 1, opts);
    loop.callSoon(record, [1, 2], opts);
    loop.callSoon(record, 1, 2, opts);
    loop.callSoon(record, { context: ctx }); // a plain object is an argument
    loop.callLater(0.01, record, "later", opts);
    loop.callAt(loop.time() + 0.02, record, "at", opts);
    loop.callSoonThreadsafe(record, "threadsafe", opts);
    const cancelled = loop.callLater(0.01, record, "cancelled", opts);
    cancelled.cancel();
    loop.callLater(0.05, () => loop.stop());
    await loop.runForever();
    assertEquals(got, [
      ["ctx"],
      ["ctx", 1],
      ["ctx", [1, 2]],
      ["ctx", 1, 2],
      ["-", { context: ctx }],
      ["ctx", "threadsafe"],
      ["ctx", "later"],
      ["ctx", "at"],
    ]);
    assertThrows(() => new CallbackOptions({ context: {} as Context }), TypeError);
  }));

Deno.test("a callback's context is a copy made when it was scheduled", () =>
  withLoop(async (loop) => {
    const v = new ContextVar<string>("v", { default: "-" });
    const seen: string[] = [];
    await loop.runUntilComplete(async () => {
      v.set("at schedule");
      const h = loop.callSoon(() => {
        seen.push(v.get());
        v.set("inside");
      });
      // Asked before it runs, its context is the one it runs in (see Handle.getContext).
      const hContext = h.getContext();
      const t = loop.callLater(0.001, () => {
        seen.push(v.get());
        v.set("timer");
      });
      v.set("changed");
      await sleep(0.01);
      seen.push(v.get());
      assertEquals(
        [hContext.get(v), h.getContext() === hContext, t.getContext().get(v)],
        ["inside", true, "timer"],
      );
    });
    assertEquals(seen, ["at schedule", "at schedule", "changed"]);
  }));

Deno.test("done callbacks run in the context they were added in; removeDoneCallback still finds them", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const v = new ContextVar<string>("v", { default: "-" });
      const fut = loop.createFuture<number>();
      const seen: string[] = [];
      v.set("adder");
      const cb = () => seen.push(`cb ${v.get()}`);
      const removed = () => seen.push("removed ran");
      fut.addDoneCallback(cb);
      fut.addDoneCallback(removed);
      const given = new Context();
      given.run(() => v.set("given"));
      fut.addDoneCallback(cb, { context: given });
      assertEquals(fut.removeDoneCallback(removed), 1);
      fut.then((x) => seen.push(`then ${x} ${v.get()}`));
      v.set("setter");
      fut.setResult(1);
      await sleep(0);
      await sleep(0);
      assertEquals(seen, ["cb adder", "cb given", "then 1 adder"]);
    })
  ));

Deno.test("traced and debug loops run callbacks in their contexts too", async () => {
  for (const mode of ["traced", "debug"]) {
    await withLoop(async (loop) => {
      if (mode === "debug") loop.setDebug(true);
      const stop = mode === "traced" ? loop.addTraceListener(() => {}) : () => {};
      const v = new ContextVar<string>("v", { default: "-" });
      const seen: string[] = [];
      await loop.runUntilComplete(async () => {
        v.set("task");
        loop.callSoon(() => {
          seen.push(v.get());
          v.set("cb");
        });
        loop.callSoon(() => seen.push(v.get()));
        await sleep(0);
      });
      stop();
      assertEquals(seen, ["task", "task"], mode);
    });
  }
});

Deno.test("toThread carries cloneable values by name into the Worker; runInExecutor carries none", () =>
  withLoop(async (loop) => {
    const fn = {
      module: new URL("./fixtures/ctx_worker.ts", import.meta.url).href,
      name: "read",
    };
    const result = await loop.runUntilComplete(async () => {
      const id = new ContextVar<string>("ctx_worker.id");
      const fnVar = new ContextVar<() => void>("ctx_worker.fn");
      id.set("req-7");
      fnVar.set(() => {}); // not cloneable: that variable has its default there
      return [
        await toThread(fn),
        await getRunningLoop().runInExecutor(null, fn),
      ];
    });
    await loop.runUntilComplete(() => loop.shutdownDefaultExecutor());
    assertEquals(result, ["id=req-7 fn=none", "id=none fn=none"]);
  }, { virtual: false }));

Deno.test("a context given to createTask or Task is the task's own: what it sets lands there", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const v = new ContextVar<number>("v", { default: 0 });
      const ctx = new Context();
      const bump = async () => {
        v.set(v.get() + 1);
        await sleep(0);
      };
      await Promise.all([
        createTask(bump, { context: ctx }),
        loop.createTask(bump, { context: ctx }),
      ]);
      assertEquals([ctx.get(v), v.get()], [2, 0]);
      assertThrows(() => createTask(bump, { context: {} as Context }), TypeError);
      await spin();
    })
  ));

Deno.test("callbacks queued before the loop is traced keep their contexts; a slot's context does not outlive it", () =>
  withLoop(async (loop) => {
    const v = new ContextVar<string>("v", { default: "-" });
    const seen: string[] = [];
    const ctx = new Context();
    ctx.run(() => v.set("ctx"));
    loop.callSoon(() => seen.push(v.get()), new CallbackOptions({ context: ctx }));
    const stop = loop.addTraceListener(() => {});
    loop.callSoon(() => seen.push(v.get()));
    await runFor(loop, 0.001);
    stop();
    // The queue's slots are reused: a callback with no context sees none.
    loop.callSoon(() => seen.push(v.get()));
    loop.callSoon(() => seen.push(v.get()), new CallbackOptions({ context: ctx }));
    const cancelled = loop.callSoon(
      () => seen.push("cancelled"),
      new CallbackOptions({ context: ctx }),
    );
    cancelled.cancel();
    loop.callSoon(() => seen.push(v.get()));
    await runFor(loop, 0.001);
    assertEquals(seen, ["ctx", "-", "-", "ctx", "-"]);
  }));
