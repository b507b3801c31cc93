// The browser view (section 1 of issue 18): `export FILE.html` writes one
// self-contained page, `view` serves it live. Each page is opened in
// headless Chromium and its DOM read: rows, iterations, and the queue,
// heap, tree and output shown at an iteration. Skipped, loudly, where
// Chromium is missing (tests/_chromium.ts).
import { assert, assertEquals } from "./_assert.ts";
import {
  CHROMIUM,
  dumpDom,
  items,
  openPage,
  rootData,
  screenshot,
  text,
  until,
} from "./_chromium.ts";
import { open } from "./_repl.ts";

const ignore = CHROMIUM === null;

/** Run `lines`, export the view, and return the file's path (in `dir`). */
async function exported(dir: string, name: string, ...lines: string[]): Promise<string> {
  const repl = open();
  const file = `${dir}/${name}.html`;
  const out = await repl.type(...lines, `export ${file}`);
  await repl.session.close();
  assert(out.at(-1)!.startsWith("export: wrote the browser view of"), out.join("\n"));
  return file;
}

/** The page's DOM (without its inline data, which holds the same words). */
async function dom(url: string): Promise<string> {
  const text = await dumpDom(url);
  return text.replace(/<script id="data"[\s\S]*?<\/script>/, "");
}

/** The text of the element with `id` (a `pre`: its lines). */
function textOf(page: string, id: string): string {
  return text(new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</pre>`).exec(page)?.[1] ?? "");
}

Deno.test("export FILE.html: one page with everything inline, nothing fetched", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = await exported(dir, "blocking", "demo printers-blocking");
    const html = await Deno.readTextFile(file);
    assert(html.startsWith("<!doctype html>"));
    // No file or address to fetch: no src=, no href=, no link element, no url().
    assert(!/\s(src|href)=|<link|url\((?!#)/i.test(html), "the page refers to something outside");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "the exported page of demo printers-blocking: 5 rows, 3 iterations, the queues at each",
  ignore,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const url = `file://${await exported(dir, "blocking", "demo printers-blocking")}`;
      const first = await dom(`${url}#1`);
      assertEquals([rootData(first, "rows"), rootData(first, "frames")], ["5", "3"]);
      assertEquals(rootData(first, "picked"), "1");
      assertEquals(items(first, "ready"), [
        "#3 call_soon block=0.2",
        "#4 call_soon_threadsafe block=0.2",
      ]);
      assertEquals(items(first, "heap"), [
        "t=0.100 (+0.100)  #2 call_later block=0.2",
        "t=0.200 (+0.200)  #1 call_at block=0.2",
        "t=1.000 (+1.000)  #5 stop",
      ]);
      // The timers' lateness, as why says it: both waited behind the blocking pair.
      const second = await dom(`${url}#2`);
      assertEquals(items(second, "ready"), ["#2 call_later block=0.2", "#1 call_at block=0.2"]);
      assertEquals(items(second, "heap"), ["t=1.000 (+0.600)  #5 stop"]);
      assertEquals(items(second, "ran"), [
        "#2 call_later  0.400–0.600  its time came: due at t=0.100, moved from the heap; " +
        "ran 0.300 s late",
        "#1 call_at  0.600–0.800  its time came: due at t=0.200, moved from the heap; " +
        "ran 0.400 s late",
      ]);
      assertEquals(textOf(second, "output").split("\n"), [
        "Started call_soon at 0.0",
        "Finished call_soon at 0.2",
        "Started call_soon_threadsafe at 0.2",
        "Finished call_soon_threadsafe at 0.4",
        "Started call_later at 0.4",
        "Finished call_later at 0.6",
        "Started call_at at 0.6",
        "Finished call_at at 0.8",
      ]);
      // One row per handle, in the order they first ran, as the terminal's timeline.
      const labels = [...first.matchAll(/<text class="label"[^>]*>([^<]*)<\/text>/g)].map((m) =>
        m[1]
      );
      assertEquals(labels, [
        "#3 call_soon",
        "#4 call_soon_threadsafe",
        "#2 call_later",
        "#1 call_at",
        "#5 stop",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "the exported page of demo printers-async: tasks' first steps, then the timers, and the tree",
  ignore,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const url = `file://${await exported(dir, "async", "demo printers-async")}`;
      const second = await dom(`${url}#2`);
      assertEquals([rootData(second, "rows"), rootData(second, "frames")], ["5", "11"]);
      assertEquals(items(second, "ready"), [
        "#6 call_soon sleep=0.2",
        "#7 call_soon_threadsafe sleep=0.2",
      ]);
      assertEquals(items(second, "ran"), [
        "#6 call_soon  0.000–0.000  its first step (created by #3 call_soon)",
        "#7 call_soon_threadsafe  0.000–0.000  its first step (created by #4 call_soon_threadsafe)",
      ]);
      assertEquals(textOf(second, "tree").split("\n"), [
        "└── (T) #6 call_soon: ready",
        "└── (T) #7 call_soon_threadsafe: ready",
      ]);
      // At 0.1 the first timer is due; the two tasks sleep.
      const third = await dom(`${url}#3`);
      assertEquals(items(third, "ready"), ["#2 call_later sleep=0.2"]);
      assertEquals(textOf(third, "tree").split("\n"), [
        "└── (T) #6 call_soon: awaiting #8 sleep(0.2)",
        "└── (T) #7 call_soon_threadsafe: awaiting #9 sleep(0.2)",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "the exported page: arrow keys and the slider step through the iterations; hovering a bar says what it is",
  ignore,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const url = `file://${await exported(dir, "blocking", "demo printers-blocking")}`;
      const page = await openPage(url);
      try {
        const picked = () => page.evaluate("document.documentElement.dataset.picked");
        await until(picked, (v) => v === "1", "the page");
        const key = (key: string) =>
          page.evaluate(`document.dispatchEvent(new KeyboardEvent("keydown", { key: "${key}" }))`);
        await key("ArrowRight");
        assertEquals(await picked(), "2");
        await key("ArrowRight");
        await key("ArrowRight"); // past the last: stays there
        assertEquals(await picked(), "3");
        await key("Home");
        assertEquals(await picked(), "1");
        await page.evaluate(`(() => {
          const slider = document.getElementById("slider");
          slider.value = "1";
          slider.dispatchEvent(new Event("input"));
        })()`);
        assertEquals(await picked(), "2");
        // call_later's running bar: its id and label, what it was doing when, and its repr.
        const tip = await page.evaluate(`(() => {
          const bar = [...document.querySelectorAll("g.row")]
            .find((g) => g.dataset.head === "2").querySelector("rect.r");
          bar.dispatchEvent(new MouseEvent("mousemove", { bubbles: true, clientX: 5, clientY: 5 }));
          return document.getElementById("tip").textContent;
        })()`);
        assertEquals(String(tip).split("\n"), [
          "#2 call_later block=0.2 (timer)",
          "running 0.400 → 0.600 (0.200 s)",
          "<TimerHandle when=0.1 printer('call_later')>",
        ]);
      } finally {
        await page.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "the exported page of 10,000 timers: a few megabytes, opens in seconds, draws only the rows in sight",
  ignore,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const file = await exported(
        dir,
        "big",
        "js for (let i = 0; i < 10000; i++) loop.callLater(i / 1000, function tick() {})",
        "run",
      );
      const bytes = (await Deno.stat(file)).size;
      const page = await dom(`file://${file}#5000`);
      assertEquals([rootData(page, "rows"), rootData(page, "frames")], ["10000", "10000"]);
      const openMs = Number(rootData(page, "open-ms"));
      console.log(`10,000 timers: ${Math.round(bytes / 1024)} KB, open in ${openMs} ms`);
      assert(bytes < 5_000_000, `${bytes} bytes`);
      assert(openMs < 10_000, `${openMs} ms`);
      assert(page.match(/<g class="row/g)!.length < 200, "rows out of sight are drawn");
      // Iteration 5000 ran #5000; the heap lists the first 200 of the rest, in firing order.
      assertEquals(items(page, "ready"), ["#5000 tick()"]);
      const heap = items(page, "heap");
      assertEquals(heap.slice(0, 2), [
        "t=5.000 (+0.001)  #5001 tick()",
        "t=5.001 (+0.002)  #5002 tick()",
      ]);
      assertEquals(heap.at(-1), "… and 4800 more");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a screenshot of the exported page is a picture of the whole view",
  ignore,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const file = await exported(dir, "sleepers", "demo sleepers");
      await screenshot(`file://${file}#2`, `${dir}/shot.png`, 1000, 700);
      const png = await Deno.readFile(`${dir}/shot.png`);
      assertEquals([...png.slice(1, 4)].map((b) => String.fromCharCode(b)).join(""), "PNG");
      const view = new DataView(png.buffer);
      assertEquals([view.getUint32(16), view.getUint32(20)], [1000, 700]);
      assert(png.length > 20_000, "an empty page");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "view serves the live page on 127.0.0.1; it follows runs; it stops with the REPL",
  ignore,
  fn: async () => {
    const repl = open();
    const said = await repl.type("view");
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(said[0])?.[0];
    assert(url !== undefined, said[0]);
    assertEquals(await repl.type("view"), [
      `view: still serving the browser view at ${url} (it follows the session as it runs; ` +
      "view stop, or leaving the REPL, stops it)",
    ]);
    // Nothing has run: the page says so.
    const before = await dom(url);
    assertEquals([rootData(before, "live"), rootData(before, "frames")], ["1", "0"]);
    const page = await openPage(url);
    try {
      const read = (name: string) => page.evaluate(`document.documentElement.dataset.${name}`);
      await until(() => read("ready"), (v) => v === "1", "the live page");
      await repl.type("demo printers-blocking");
      // The page heard of it (server-sent events) and fetched the new data.
      await until(() => read("frames"), (v) => v === "3", "3 iterations");
      assertEquals(await read("rows"), "5");
      assertEquals(await read("picked"), "3"); // a live page follows the last iteration
      await repl.type("reset", "call_soon x", "run");
      await until(() => read("frames"), (v) => v === "1", "the new loop's one iteration");
      const ready = await page.evaluate(
        `[...document.querySelectorAll("#ready li")].map((li) => li.textContent)`,
      );
      assertEquals(ready, ["#1 x"]);
      await repl.session.close();
      await until(
        () => page.evaluate(`document.getElementById("live").textContent`),
        (v) => String(v).startsWith("the REPL is gone"),
        "the page to notice",
      );
    } finally {
      await page.close();
    }
    let refused = false;
    await fetch(url).catch(() => (refused = true));
    assert(refused, "the server still answers after the REPL closed");
  },
});

Deno.test("view stop stops serving; view stop again says it is not served", async () => {
  const repl = open();
  const [started] = await repl.type("view");
  const url = /http:\/\/\S+\//.exec(started)![0];
  // The server keeps no process alive (it is unref'd): this timer does, while it is asked.
  const alive = setInterval(() => {}, 1000);
  try {
    assertEquals((await fetch(`${url}data.json`).then((r) => r.json())).frames, []);
  } finally {
    clearInterval(alive);
  }
  assertEquals(await repl.type("view stop", "view stop", "view now"), [
    "view: stopped serving the browser view",
    "error: view stop: the view is not being served",
    "error: view: expected stop or nothing, got 'now'; usage: view [stop]",
  ]);
  await repl.session.close();
});
