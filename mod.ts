/**
 * asyncio for Deno: Python's event loop, futures, tasks and friends, in
 * TypeScript, with times in seconds and asyncio's names in lowerCamelCase.
 *
 * @example
 * ```ts
 * import { createTask, run, sleep } from "@asyncio/deno";
 *
 * async function sleeper(delay: number) {
 *   await sleep(delay);
 *   console.log(`Finished sleeper with delay: ${delay}`);
 * }
 *
 * await run(async () => {
 *   const tasks = [0.03, 0.01, 0.02].map((d) => createTask(() => sleeper(d)));
 *   for (const task of tasks) await task;
 * });
 * ```
 * @module
 */
export * from "./lib/exceptions.ts";
export * from "./lib/clock.ts";
export * from "./lib/trace.ts";
export * from "./lib/events.ts";
export * from "./lib/base_events.ts";
export * from "./lib/futures.ts";
export * from "./lib/tasks.ts";
export * from "./lib/contextvars.ts";
export * from "./lib/combinators.ts";
export * from "./lib/timeouts.ts";
export * from "./lib/taskgroups.ts";
export * from "./lib/runners.ts";
export * from "./lib/locks.ts";
export * from "./lib/queues.ts";
export * from "./lib/protocols.ts";
export * from "./lib/transports.ts";
export * from "./lib/servers.ts";
export * from "./lib/socket.ts";
export * from "./lib/streams.ts";
export * from "./lib/subprocess.ts";
export * from "./lib/selectors.ts";
export * from "./lib/selector_events.ts";
export * from "./lib/unix_events.ts";
export * from "./lib/threads.ts";
export * from "./lib/graph.ts";
export * from "./lib/monitor.ts";
