// TaskGroup (lib/taskgroups.ts): waits for its tasks; one failure cancels the
// rest and the body; errors come out together in an ExceptionGroup; parent
// cancellation propagates. Compared with CPython in
// tests/transcripts/task_taskgroup_*.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { withLoop } from "./_util.ts";
import {
  CancelledError,
  createTask,
  currentTask,
  ExceptionGroup,
  KeyboardInterrupt,
  RuntimeError,
  sleep,
  type Task,
  TaskGroup,
} from "../mod.ts";

const fail = async (delay: number, msg: string): Promise<never> => {
  await sleep(delay);
  throw new Error(msg);
};

Deno.test("TaskGroup.run() waits for every task and returns the body's value", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      let a!: Task<string>;
      const value = await TaskGroup.run((tg) => {
        a = tg.createTask(() => sleep(2, "a"), { name: "A" });
        tg.createTask(() => sleep(1));
        return "body";
      });
      assertEquals([value, a.result(), a.getName(), loop.time()], ["body", "a", "A", 2]);
    })
  ));

Deno.test("`await using` a TaskGroup (Python's `async with TaskGroup()`) fails at the declaration, saying what to write", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      let entered = false;
      const err = await assertRejects(async () => {
        // The type checker refuses this line too: it is what a user without one meets.
        await using _tg = new TaskGroup() as unknown as AsyncDisposable;
        entered = true;
      }, TypeError);
      assert(err.message.startsWith("a TaskGroup does not work with `await using`"), err.message);
      assert(err.message.endsWith("write await TaskGroup.run(async (tg) => { … })"), err.message);
      assert(!entered, "the block ran");
    })
  ));

Deno.test("TaskGroup.run() of something that is not a function is a TypeError, not an ExceptionGroup around one", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      await assertRejects(
        () => TaskGroup.run(5 as never),
        TypeError,
        "TaskGroup.run() needs a function (tg) => …, got 5",
      );
    })
  ));

Deno.test("a failing task cancels the others and the body; errors in an ExceptionGroup", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const log: string[] = [];
      let other!: Task<void>;
      const err = await assertRejects(
        () =>
          TaskGroup.run(async (tg) => {
            other = tg.createTask(() => sleep(10));
            tg.createTask(() => fail(1, "first"));
            tg.createTask(async () => {
              try {
                await sleep(10);
              } catch {
                throw new Error("cleanup");
              }
            });
            try {
              await sleep(10);
            } catch (e) {
              log.push(`body got ${(e as Error).name}`);
              throw e;
            }
          }),
        ExceptionGroup,
      );
      assertEquals(err.message, "unhandled errors in a TaskGroup (2 sub-exceptions)");
      assertEquals(err.exceptions.map((e) => (e as Error).message), ["first", "cleanup"]);
      assertEquals(err.errors, err.exceptions);
      assertEquals(log, ["body got CancelledError"]);
      assert(other.cancelled());
      assertEquals(loop.time(), 1);
      assertEquals(currentTask()!.cancelling(), 0, "the group took back its cancel");
    })
  ));

Deno.test("the body throwing while tasks run: they are cancelled and awaited", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const log: string[] = [];
      const err = await assertRejects(
        () =>
          TaskGroup.run(async (tg) => {
            tg.createTask(async () => {
              try {
                await sleep(10);
              } finally {
                await sleep(1);
                log.push(`child cleaned up at ${loop.time()}`);
              }
            });
            await sleep(1);
            throw new RangeError("body failed");
          }),
        ExceptionGroup,
      );
      assert(err.exceptions[0] instanceof RangeError);
      assertEquals(log, ["child cleaned up at 2"]);
      assertEquals(loop.time(), 2);
    })
  ));

Deno.test("a cancelled parent cancels the group's tasks; CancelledError propagates", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      let child!: Task<void>;
      const parent = createTask(() =>
        TaskGroup.run(async (tg) => {
          child = tg.createTask(() => sleep(10));
          await sleep(10);
        })
      );
      await sleep(1);
      parent.cancel();
      await assertRejects(() => parent, CancelledError);
      assert(child.cancelled() && parent.cancelled());

      // Cancelled while waiting in the exit for its tasks.
      const waiting = createTask(() =>
        TaskGroup.run((tg) => {
          child = tg.createTask(() => sleep(10));
        })
      );
      await sleep(1);
      waiting.cancel();
      await assertRejects(() => waiting, CancelledError);
      assert(child.cancelled() && waiting.cancelled());
    })
  ));

Deno.test("the group waits for a task that ignores its cancel", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      let stubborn!: Task<string>;
      await assertRejects(
        () =>
          TaskGroup.run((tg) => {
            stubborn = tg.createTask(async () => {
              try {
                await sleep(10);
              } catch {
                // ignored
              }
              await sleep(5);
              return "finished anyway";
            });
            tg.createTask(() => fail(1, "x"));
          }),
        ExceptionGroup,
      );
      assertEquals([stubborn.result(), loop.time()], ["finished anyway", 6]);
    })
  ));

Deno.test("errors win over an outside cancel, which is requested again (CPython 3.13)", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const log: string[] = [];
      const parent = createTask(async () => {
        try {
          await TaskGroup.run((tg) => {
            tg.createTask(async () => {
              try {
                await sleep(10);
              } catch {
                throw new Error("failed on cancel");
              }
            });
          });
        } catch (e) {
          log.push(`${(e as Error).name}; cancelling ${currentTask()!.cancelling()}`);
        }
        await sleep(1); // the outside cancel is delivered here
        log.push("not reached");
      });
      await sleep(1);
      parent.cancel();
      await assertRejects(() => parent, CancelledError);
      assertEquals(log, ["ExceptionGroup; cancelling 1"]);
    })
  ));

Deno.test("createTask() before the group runs, after it finished, while it shuts down", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const tg = new TaskGroup();
      assertThrows(() => tg.createTask(() => sleep(0)), RuntimeError, "has not been entered");
      let refused = "";
      await assertRejects(
        () =>
          tg.run(async (tg) => {
            tg.createTask(() => fail(0, "x"));
            try {
              await sleep(1);
            } catch (e) {
              try {
                tg.createTask(() => sleep(0));
              } catch (e2) {
                refused = (e2 as Error).message;
              }
              throw e;
            }
          }),
        ExceptionGroup,
      );
      assert(refused.endsWith("is shutting down"), refused);
      assertThrows(
        () => tg.createTask(() => sleep(0)),
        RuntimeError,
        "TaskGroup <TaskGroup cancelling> is finished",
      );
      await assertRejects(() => tg.run(() => {}), RuntimeError, "has already been entered");
    })
  ));

Deno.test("a task may add tasks to its group while the group waits", () =>
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const log: string[] = [];
      await TaskGroup.run((tg) => {
        tg.createTask(async () => {
          await sleep(1);
          tg.createTask(async () => {
            await sleep(1);
            log.push(`grandchild at ${loop.time()}`);
          });
        });
      });
      assertEquals(log, ["grandchild at 2"]);
    })
  ));

Deno.test("TaskGroup outside a task is a RuntimeError; toString() mirrors asyncio's repr", () =>
  withLoop(async (loop) => {
    await assertRejects(() => TaskGroup.run(() => {}), RuntimeError, "no running event loop");
    await loop.runUntilComplete(async () => {
      let err: unknown;
      loop.callSoon(() => TaskGroup.run(() => {}).catch((e) => (err = e)));
      await sleep(0);
      await sleep(0);
      assert(
        err instanceof RuntimeError && err.message.endsWith("cannot determine the parent task"),
      );
      const tg = new TaskGroup();
      assertEquals(String(tg), "<TaskGroup>");
      await tg.run((tg) => {
        tg.createTask(() => sleep(1));
        assertEquals(String(tg), "<TaskGroup tasks=1 entered>");
      });
    });
  }));

Deno.test("TaskGroup: a task's KeyboardInterrupt comes out as it is, not in an ExceptionGroup", () =>
  // As CPython's _base_error (KeyboardInterrupt and SystemExit are not
  // wrapped); the sibling is cancelled first. tests/cpython_structure_test.ts
  // has the body's case.
  withLoop((loop) =>
    loop.runUntilComplete(async () => {
      const log: string[] = [];
      const err = await assertRejects(
        () =>
          TaskGroup.run((tg) => {
            tg.createTask(async () => {
              await sleep(0.1);
              throw new KeyboardInterrupt("child-ki");
            });
            tg.createTask(async () => {
              try {
                await sleep(10);
              } catch (e) {
                log.push("other cancelled");
                throw e;
              }
            });
          }),
        KeyboardInterrupt,
      );
      assertEquals(err.message, "child-ki");
      assertEquals(log, ["other cancelled"]);
      assertEquals(currentTask()!.cancelling(), 0);
    })
  ));
