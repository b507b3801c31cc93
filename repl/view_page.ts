/**
 * The browser view's page: one self-contained HTML file (its CSS, its
 * script and the data inline; nothing fetched), which `export FILE.html`
 * writes and `view` serves (then with `data-live`, so that the page also
 * listens for the REPL's changes).
 * @module
 */
import type { ViewData } from "./view_data.ts";

const HERE = new URL("./view/", import.meta.url);
let parts: { css: string; js: string } | null = null;

/** The page's CSS and script, read once (the REPL may read files: --allow-read). */
async function pageParts(): Promise<{ css: string; js: string }> {
  parts ??= {
    css: await Deno.readTextFile(new URL("page.css", HERE)),
    js: await Deno.readTextFile(new URL("page.js", HERE)),
  };
  return parts;
}

/** JSON text safe inside a `<script>` element: no `</script>` nor `<!--` (a `<` is only ever in a string). */
function scriptSafe(json: string): string {
  return json.replace(/</g, "\\u003c");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The whole page for `data`; `live` for the page the `view` command serves. */
export async function pageHtml(data: ViewData, live = false): Promise<string> {
  const { css, js } = await pageParts();
  return `<!doctype html>
<html lang="en"${live ? ' data-live="1"' : ""}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`asyncio REPL · ${data.title}`)}</title>
<style>
${css}</style>
</head>
<body>
<header>
  <h1 id="title">asyncio REPL</h1>
  <span class="meta" id="meta"></span>
  <span id="live" hidden>live</span>
</header>
<div class="legend">
  <span class="run"><b>█</b> running (loop busy)</span>
  <span class="wait"><b>·</b> ready, waiting for the loop</span>
  <span class="await"><b>─</b> awaiting (loop free)</span>
  <span class="io"><b>~</b> awaiting I/O</span>
  <span class="due"><b>▸</b> due time</span>
  <span class="bad"><b>✕</b> cancelled <b>!</b> raised</span>
  <span>← → step through the iterations; hover a bar for its handle or task</span>
</div>
<section class="chart" id="chart">
  <svg id="axis"></svg>
  <div id="rows"><div id="spacer"></div><svg id="layer"></svg></div>
  <svg id="fans"></svg>
  <svg id="strip"></svg>
  <div class="controls">
    <button id="first" title="first iteration (Home)">|◀</button>
    <button id="prev" title="previous iteration (←)">◀</button>
    <input id="slider" type="range" min="0" max="0" value="0" aria-label="iteration">
    <button id="next" title="next iteration (→)">▶</button>
    <button id="last" title="last iteration (End)">▶|</button>
    <span id="where"></span>
  </div>
</section>
<div class="panels">
  <div class="panel"><h2>Ready queue at its start (runs in this order)</h2><ol id="ready"></ol></div>
  <div class="panel"><h2>Timer heap (in firing order)</h2><ul id="heap"></ul></div>
  <div class="panel"><h2>What ran, and why it was ready</h2><ul id="ran"></ul></div>
  <div class="panel"><h2>Pending tasks (who awaits whom)</h2><pre id="tree"></pre></div>
  <div class="panel"><h2>Printed so far</h2><pre id="output"></pre></div>
</div>
<div id="tip"></div>
<script id="data" type="application/json">${scriptSafe(JSON.stringify(data))}</script>
<script>
${js}</script>
</body>
</html>
`;
}
