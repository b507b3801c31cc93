// The running loop lives in a leaf module so that futures, tasks and the
// loop can all reach it without importing one another at evaluation time.
import type { EventLoop } from "./base_events.ts";

let running: EventLoop | null = null;

export function _getRunningLoopOrNull(): EventLoop | null {
  return running;
}

export function _setRunningLoop(loop: EventLoop | null): void {
  running = loop;
}

// The task whose code is running, carried across awaits by V8's
// continuation-preserved context, so that a future knows which task awaits
// it even after the task has awaited promises the loop does not own.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Task } from "./tasks.ts";

export const _taskContext: AsyncLocalStorage<Task<unknown>> = new AsyncLocalStorage();
