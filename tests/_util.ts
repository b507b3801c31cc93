// Fixtures shared by the tests.
import { assertEquals } from "./_assert.ts";
import {
  CancelledError,
  EventLoop,
  type ExceptionContext,
  getRunningLoop,
  type Queue,
  sleep,
  type Task,
  VirtualClock,
} from "../mod.ts";

/** A loop on a virtual clock (or the real one) that records what reaches its exception handler. */
export function makeLoop(options: { virtual?: boolean } = {}): {
  loop: EventLoop;
  errors: ExceptionContext[];
} {
  const loop = new EventLoop({
    clock: options.virtual === false ? undefined : new VirtualClock(),
  });
  const errors: ExceptionContext[] = [];
  loop.setExceptionHandler((_loop, context) => errors.push(context));
  return { loop, errors };
}

/**
 * Run `body` with a fresh loop (virtual clock unless told otherwise); the
 * test fails on any exception-handler call it did not expect, and the loop
 * is closed afterwards.
 */
export async function withLoop(
  body: (loop: EventLoop, errors: ExceptionContext[]) => Promise<void> | void,
  options: { virtual?: boolean; expectErrors?: number } = {},
): Promise<void> {
  const { loop, errors } = makeLoop(options);
  try {
    await body(loop, errors);
  } finally {
    if (!loop.isRunning()) loop.close();
  }
  assertEquals(
    errors.length,
    options.expectErrors ?? 0,
    `unexpected exception handler calls: ${errors.map((e) => e.message).join("; ")}`,
  );
}

/** Run `main` as a task on a fresh virtual-clock loop (see withLoop). */
export function inLoop(main: (loop: EventLoop) => Promise<void>): Promise<void> {
  return withLoop(async (loop) => {
    await loop.runUntilComplete(() => main(loop));
  });
}

/** Let the loop run `n` iterations. */
export async function spin(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await sleep(0);
}

/** Await `task`; true if it ended cancelled. */
export async function cancelled(task: Task<unknown>): Promise<boolean> {
  try {
    await task;
  } catch (err) {
    if (err instanceof CancelledError) return true;
    throw err;
  }
  return false;
}

/** Run `body` as a task on a fresh real-clock loop; exactly `expectErrors` exception-handler calls allowed. */
export function inRealLoop(
  body: (loop: EventLoop, errors: ExceptionContext[]) => Promise<void>,
  expectErrors = 0,
): Promise<void> {
  return withLoop(
    (loop, errors) => loop.runUntilComplete(() => body(loop, errors)),
    { virtual: false, expectErrors },
  );
}

/** Run `fn` as a task, cancelled after `seconds` (so a hang fails instead of stalling). */
export async function within<T>(seconds: number, fn: () => PromiseLike<T>): Promise<T> {
  const loop = getRunningLoop();
  const task = loop.createTask(fn);
  const timer = loop.callLater(seconds, () => task.cancel(`timed out after ${seconds} s`));
  try {
    return await task;
  } finally {
    timer.cancel();
  }
}

/**
 * Wait until `ready()` holds, looking every 5 ms, at most `seconds`. For
 * what a real socket's other end does in its own time: a loaded machine
 * may take more than tens of ms to accept, and a server that closes drops
 * a connection it has not accepted yet.
 */
export async function until(ready: () => boolean, seconds = 10): Promise<void> {
  await within(seconds, async () => {
    while (!ready()) await sleep(0.005);
  });
}

/** Run one iteration of `loop`. */
export async function once(loop: EventLoop): Promise<void> {
  loop.stop();
  await loop.runForever();
}

/** Run `loop` until `stop()` after `seconds` of loop time. */
export async function runFor(loop: EventLoop, seconds: number): Promise<void> {
  loop.callLater(seconds, () => loop.stop());
  await loop.runForever();
}

/** Swap `console[method]` for a recorder while `body` runs; returns the lines it got. */
export async function capture(
  method: "error" | "warn",
  body: () => Promise<void> | void,
): Promise<string[]> {
  const original = console[method];
  const lines: string[] = [];
  console[method] = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    await body();
  } finally {
    console[method] = original;
  }
  return lines;
}

/** Wait `ms` of real time on Deno's own event loop (not the loop under test). */
export const hostDelay = (ms: number): Promise<void> =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/** UTF-8 bytes of `s`. */
export const enc = (s: string) => new TextEncoder().encode(s);

/** `b` decoded as UTF-8. */
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** `data` decoded as UTF-8; null stays null (a pipe that was not captured). */
export const text = (data: Uint8Array | null): string | null => data === null ? null : dec(data);

/** The port of a TCP server's first socket. */
export function portOf(server: { sockets: readonly Deno.Addr[] }): number {
  return (server.sockets[0] as Deno.NetAddr).port;
}

/** Take every item `q` holds now, without waiting. */
export function drain<T>(q: Queue<T>): T[] {
  const items: T[] = [];
  while (!q.empty()) items.push(q.getNowait());
  return items;
}

/** True if `command args…` runs and succeeds here (a tool a test needs: tmux, chromium…). */
export function hasTool(command: string, ...args: string[]): boolean {
  try {
    return new Deno.Command(command, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false; // not installed
  }
}

/** A CA and a leaf certificate for 127.0.0.1 / localhost signed by it, or null without openssl. */
export function makeCertificates(dir: string): { cert: string; key: string; ca: string } | null {
  Deno.writeTextFileSync(`${dir}/ext.cnf`, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const steps = [
    ["req", "-x509", ...ec, "-days", "1", "-subj", "/CN=ca", "-keyout", "ca.key", "-out", "ca.pem"],
    ["req", ...ec, "-subj", "/CN=localhost", "-keyout", "key.pem", "-out", "leaf.csr"],
    ["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"]
      .concat(["-days", "1", "-extfile", "ext.cnf", "-out", "cert.pem"]),
  ];
  const made = steps.every((args) =>
    new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "null" }).outputSync()
      .success
  );
  if (!made) return null;
  const read = (name: string) => Deno.readTextFileSync(`${dir}/${name}`);
  return { cert: read("cert.pem"), key: read("key.pem"), ca: read("ca.pem") };
}
