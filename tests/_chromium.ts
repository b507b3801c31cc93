// Headless Chromium for the browser view's tests: the page's DOM after it
// ran (--dump-dom), a screenshot, or a page kept open and read through the
// DevTools protocol (a live page that changes). CHROMIUM is null where the
// browser is missing: the tests then say loudly that they were skipped.
import { hasTool } from "./_util.ts";

/** The browser's command, or null if none is installed. */
export const CHROMIUM: string | null = (() => {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    if (hasTool(name, "--version")) return name;
  }
  return null;
})();

if (CHROMIUM === null) {
  console.log(
    "%cthe browser view's tests: chromium is not installed; SKIPPING the tests that open the " +
      "exported and the live page (apt-get install chromium; .ci/run installs it)",
    "font-weight: bold",
  );
}

/** Flags that keep a headless Chromium off the network and quiet. */
async function flags(): Promise<string[]> {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    `--user-data-dir=${await Deno.makeTempDir({ prefix: "chromium-" })}`,
  ];
}

async function run(args: string[]): Promise<string> {
  const all = await flags();
  const profile = all.at(-1)!.slice("--user-data-dir=".length);
  try {
    const out = await new Deno.Command(CHROMIUM!, {
      args: [...all, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout);
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

/** The page's DOM once its scripts ran. */
export function dumpDom(url: string): Promise<string> {
  return run(["--dump-dom", url]);
}

/** A PNG of the page at `width` × `height` CSS pixels. */
export async function screenshot(
  url: string,
  file: string,
  width = 1280,
  height = 800,
): Promise<void> {
  await run([`--window-size=${width},${height}`, `--screenshot=${file}`, url]);
}

/** A page kept open: evaluate expressions in it until `close`. */
export interface OpenPage {
  evaluate(expression: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Open `url` in a browser driven through the DevTools protocol. */
export async function openPage(url: string): Promise<OpenPage> {
  const all = await flags();
  const profile = all.at(-1)!.slice("--user-data-dir=".length);
  const child = new Deno.Command(CHROMIUM!, {
    args: [...all, "--remote-debugging-port=0", url],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…" comes on stderr.
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let said = "";
  let port: string | undefined;
  while (port === undefined) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`chromium did not start:\n${said}`);
    said += value;
    port = /DevTools listening on ws:\/\/[\d.]+:(\d+)\//.exec(said)?.[1];
  }
  const draining = (async () => {
    while (!(await reader.read()).done);
  })();
  let target: { type: string; url: string; webSocketDebuggerUrl: string } | undefined;
  for (let i = 0; i < 100 && target === undefined; i++) {
    const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    target = list.find((t: { type: string; url: string }) => t.type === "page" && t.url === url);
    if (target === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  if (target === undefined) throw new Error(`chromium did not open ${url}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let nextId = 0;
  const waiting = new Map<
    number,
    (message: { result?: { result?: { value?: unknown } } }) => void
  >();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  };
  return {
    evaluate(expression) {
      const id = ++nextId;
      socket.send(JSON.stringify({
        id,
        method: "Runtime.evaluate",
        params: { expression, returnByValue: true },
      }));
      return new Promise((resolve) => waiting.set(id, (m) => resolve(m.result?.result?.value)));
    },
    async close() {
      const closed = new Promise((resolve) => (socket.onclose = resolve));
      socket.close();
      await closed;
      child.kill();
      await child.status;
      await draining;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** Poll `read()` in the page until `test` holds (or fail after `ms`). */
export async function until<T>(
  read: () => Promise<T>,
  test: (value: T) => boolean,
  what: string,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!test(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${value}`);
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

// Reading a page's DOM (as `dumpDom` gives it).

/** The texts of the `<li>` items inside the element with `id`. */
export function items(page: string, id: string): string[] {
  const list = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(ol|ul)>`).exec(page)?.[1] ?? "";
  return [...list.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((m) => text(m[1]));
}

/** The text of an element's HTML (tags dropped, a `div` a line). */
export function text(html: string): string {
  return html.replace(/<\/div>/g, "\n").replace(/<[^>]+>/g, "").replace(/&gt;/g, ">")
    .replace(/&lt;/g, "<").replace(/&amp;/g, "&").trimEnd();
}

/** A data attribute of the page's root element. */
export function rootData(page: string, name: string): string | undefined {
  return new RegExp(`<html[^>]* data-${name}="([^"]*)"`).exec(page)?.[1];
}
