// Trace events (lib/trace.ts): what the loop reports, and in what order.
import { assert, assertEquals } from "./_assert.ts";
import { hostDelay, withLoop } from "./_util.ts";
import {
  blockingSleep,
  createSubprocessExec,
  ensureFuture,
  openConnection,
  sleep,
  startServer,
  type TraceEvent,
  Tracer,
} from "../mod.ts";

/** Events as short strings: kind, and what matters for the order. */
function describe(e: TraceEvent): string {
  switch (e.kind) {
    case "iteration":
      return `iteration ${e.iteration} ready=${e.ready} @${e.time}`;
    case "idle":
      return `idle until=${e.until} @${e.time}`;
    case "task":
      return `task ${e.task.getName()} ${e.phase} @${e.time}`;
    case "io":
      return `io ${e.what} ${e.task?.getName() ?? "-"}`;
    default:
      return `${e.kind} ${e.handle.describe()} @${e.time}`;
  }
}

Deno.test("trace: a small run produces this exact sequence of events", () =>
  withLoop(async (loop) => {
    const events: string[] = [];
    const remove = loop.addTraceListener((e) => events.push(describe(e)));
    function soon(): void {}
    function timer(): void {}
    function never(): void {}
    function stop(): void {
      loop.stop();
    }
    loop.callSoon(soon);
    loop.callLater(1, timer);
    loop.callLater(2, never).cancel();
    loop.callLater(1.5, stop);
    await loop.runForever();
    remove();
    assertEquals(events, [
      "schedule soon() @0",
      "schedule timer() @0",
      "schedule never() @0",
      "cancel never() @0",
      "schedule stop() @0",
      "iteration 1 ready=1 @0",
      "start soon() @0",
      "finish soon() @0",
      "due timer() @1",
      "iteration 2 ready=1 @1",
      "start timer() @1",
      "finish timer() @1",
      "due stop() @1.5",
      "iteration 3 ready=1 @1.5",
      "start stop() @1.5",
      "finish stop() @1.5",
    ]);
  }));

Deno.test("trace: a task's step finishes when the task suspends; tasks report created and done", () =>
  withLoop(async (loop) => {
    const events: string[] = [];
    const remove = loop.addTraceListener((e) => events.push(describe(e)));
    const fut = loop.createFuture();
    loop.createTask(async () => {
      await fut;
      loop.stop();
    }, { name: "sleeper" });
    loop.callLater(1, function wake() {
      fut.setResult(null);
    });
    await loop.runForever();
    remove();
    assertEquals(events, [
      "task sleeper created @0",
      "schedule sleeper.step() @0",
      "schedule wake() @0",
      "iteration 1 ready=1 @0",
      "start sleeper.step() @0",
      "finish sleeper.step() @0",
      "due wake() @1",
      "iteration 2 ready=1 @1",
      "start wake() @1",
      "schedule sleeper.step() @1",
      "finish wake() @1",
      "iteration 3 ready=1 @1",
      "start sleeper.step() @1",
      "task sleeper done @1",
      "finish sleeper.step() @1",
    ]);
  }));

Deno.test("trace: at an iteration event, readyHandles() is that iteration's batch in order, due timers last", () =>
  withLoop(async (loop) => {
    const batches: string[][] = [];
    const heaps: string[][] = [];
    loop.addTraceListener((e) => {
      if (e.kind !== "iteration") return;
      batches.push(loop.readyHandles().map((h) => h.describe()));
      heaps.push(loop.scheduledHandles().map((h) => h.describe()));
    });
    function a(): void {
      loop.callSoon(c);
    }
    function b(): void {}
    function c(): void {}
    function due(): void {}
    function later(): void {
      loop.stop();
    }
    loop.callLater(0, due); // due at once on the virtual clock, yet behind the ready queue
    loop.callLater(1, later);
    loop.callSoon(a);
    loop.callSoon(b);
    await loop.runForever();
    assertEquals(batches.slice(0, 2), [["a()", "b()", "due()"], ["c()"]]);
    assertEquals(heaps.slice(0, 2), [["later()"], ["later()"]]);
  }));

Deno.test("trace: the idle event says until when the loop waits", () =>
  withLoop(async (loop) => {
    const idle: Array<number | null> = [];
    const remove = loop.addTraceListener((e) => {
      if (e.kind === "idle") idle.push(e.until);
    });
    // A real-clock loop waits for its timer (a virtual one jumps, silently).
    const stop = loop.callLater(0.02, () => loop.stop());
    await loop.runForever();
    remove();
    assert(idle.length >= 1, "the loop went idle");
    assert(idle.every((until) => until === stop.when()), String(idle));
  }, { virtual: false }));

Deno.test("trace: removing the last listener turns tracing off", () =>
  withLoop((loop) => {
    assertEquals(loop._trace, null);
    const a = loop.addTraceListener(() => {});
    const b = loop.addTraceListener(() => {});
    assert(loop._trace !== null);
    a();
    assert(loop._trace !== null);
    b();
    assertEquals(loop._trace, null, "nobody listens: the hot path pays nothing");
  }));

Deno.test("trace: a throwing listener is reported and skipped; the others still hear", () =>
  withLoop(async (loop) => {
    const heard: string[] = [];
    const original = console.error;
    const printed: string[] = [];
    console.error = (...args: unknown[]) => printed.push(args.map(String).join(" "));
    try {
      loop.addTraceListener(() => {
        throw new Error("bad listener");
      });
      loop.addTraceListener((e) => heard.push(e.kind));
      loop.callSoon(() => {});
      loop.stop();
      await loop.runForever();
    } finally {
      console.error = original;
    }
    assertEquals(heard, ["schedule", "iteration", "start", "finish"]);
    assertEquals(printed.length, 4);
    assert(printed[0].includes("bad listener"));
    assertEquals(loop.readyHandles(), []);
  }));

Deno.test("Tracer: add() returns the function that removes that listener", () => {
  const tracer = new Tracer();
  const heard: number[] = [];
  const off1 = tracer.add(() => heard.push(1));
  tracer.add(() => heard.push(2));
  assertEquals(tracer.size, 2);
  tracer.emit({ kind: "idle", time: 0, until: null });
  off1();
  assertEquals(tracer.size, 1);
  tracer.emit({ kind: "idle", time: 0, until: null });
  assertEquals(heard, [1, 2, 2]);
});

Deno.test("trace: addTraceListener() wants a function", () =>
  withLoop((loop) => {
    let threw = false;
    try {
      loop.addTraceListener(42 as never);
    } catch (e) {
      threw = e instanceof TypeError;
    }
    assert(threw);
  }));

Deno.test("trace: a task's code after a host await is a step outside the loop, at the time it ran", () =>
  withLoop(async (loop) => {
    const events: TraceEvent[] = [];
    const remove = loop.addTraceListener((e) => events.push(e));
    const task = loop.createTask(async () => {
      await hostDelay(20); // a promise the loop does not own
      blockingSleep(0.03); // outside the loop, and still the task's time
      await sleep(0); // back to a loop future: the outside step ends here
      await hostDelay(5);
      return "done";
    }, { name: "host" });
    assertEquals(await loop.runUntilComplete(task), "done");
    remove();
    const steps = events.filter((e) =>
      (e.kind === "start" || e.kind === "finish") && e.handle.task === task
    );
    const shape = steps.map((e) => e.kind + (e.kind === "start" && e.outside ? " outside" : ""));
    assertEquals(shape, [
      "start",
      "finish",
      "start outside",
      "finish",
      "start",
      "finish",
      "start outside",
      "finish",
    ]);
    const [outStart, outFinish] = [steps[2], steps[3]];
    assert(
      outStart.time - steps[1].time >= 0.015,
      "the outside step starts when the host timer fired",
    );
    assert(outFinish.time - outStart.time >= 0.025, "and lasts as long as its code ran");
  }, { virtual: false }));

Deno.test("trace: an outside step that awaits outside again ends when the microtasks drain", () =>
  withLoop(async (loop) => {
    const events: string[] = [];
    const remove = loop.addTraceListener((e) => {
      if ((e.kind === "start" || e.kind === "finish") && e.handle.task !== null) {
        events.push(e.kind + (e.kind === "start" && e.outside ? " outside" : ""));
      }
    });
    const task = loop.createTask(async () => {
      await hostDelay(5);
      await Promise.resolve(); // still the same step: nothing to wait for
      await hostDelay(5); // outside again: the step ends
      return 1;
    });
    await loop.runUntilComplete(task);
    remove();
    // The last outside step ends when the task settles.
    assertEquals(events, ["start", "finish", "start outside", "finish", "start outside", "finish"]);
  }, { virtual: false }));

Deno.test("trace: awaiting ensureFuture(promise) instead resumes the task in a step of the loop", () =>
  withLoop(async (loop) => {
    const kinds: string[] = [];
    const remove = loop.addTraceListener((e) => {
      if (e.kind === "start" && e.handle.task !== null) kinds.push(e.outside ? "outside" : "step");
    });
    const task = loop.createTask(async () => {
      await ensureFuture(hostDelay(5));
      return 1;
    });
    await loop.runUntilComplete(task);
    remove();
    assertEquals(kinds.filter((k) => k === "outside"), []);
  }, { virtual: false }));

Deno.test("trace: code about to await I/O says which call and which task waits; I/O completions are marked io", () =>
  withLoop(async (loop) => {
    const events: string[] = [];
    let completions = 0;
    loop.addTraceListener((e) => {
      if (e.kind === "io") events.push(describe(e));
      // What the library delivers (a connect, data, an exit) is marked as I/O, not a user callback.
      if (e.kind === "schedule" && e.io) completions++;
    });
    await loop.runUntilComplete(async () => {
      const server = await startServer(
        async (reader, writer) => {
          await reader.readline();
          writer.close();
        },
        "127.0.0.1",
        0,
      );
      const port = (server.sockets[0] as Deno.NetAddr).port;
      const [reader, writer] = await openConnection("127.0.0.1", port);
      writer.write("hi\n");
      await writer.drain(); // not paused: no wait, no event
      await reader.read();
      writer.close();
      await writer.waitClosed();
      server.close();
      await server.waitClosed();
      const child = await createSubprocessExec("true");
      await child.wait();
    });
    const main = events[0].split(" ")[2];
    assertEquals(events.filter((e) => e.endsWith(` ${main}`)), [
      `io getaddrinfo ${main}`, // startServer's host
      `io getaddrinfo ${main}`, // openConnection's host
      `io connect ${main}`,
      `io read ${main}`,
      `io wait_closed ${main}`,
      `io wait ${main}`,
    ]);
    assert(completions >= 3, `${completions} I/O completions`);
    // The server's handler, a task of its own, waited for the line.
    assert(
      events.some((e) => /^io readuntil Task-\d+$/.test(e) && !e.endsWith(main)),
      events.join(),
    );
  }, { virtual: false }));
