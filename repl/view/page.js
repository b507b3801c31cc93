// The browser view of a REPL session: repl/view_page.ts inlines this file,
// the data (repl/view_data.ts) and page.css into one page. A live page (the
// view command) then hears from the REPL on /events and fetches data.json.
"use strict";
(() => {
  const ROW = 22; // px per timeline row
  const LABEL = 250; // px of the label column
  const AXIS = 30;
  const FANS = 40; // the band that joins each iteration to its time
  const STRIP = 24;
  const MAX_FANS = 400; // past this, only the picked iteration's fan is drawn
  const MAX_LIST = 200; // items shown in a panel's list
  const NS = "http://www.w3.org/2000/svg";
  const KINDS = {
    r: "running",
    o: "running outside the loop (a host promise resumed it)",
    w: "ready, waiting for the loop",
    a: "awaiting (loop free)",
    i: "awaiting I/O",
  };

  /** The prepared data, the picked iteration (0-based), and whether a live page follows the last. */
  let view = null;
  let picked = 0;
  let following = false;
  let width = 0; // of the chart part (right of the labels)

  const byId = (id) => document.getElementById(id);

  function svg(tag, attrs, parent) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (parent) parent.appendChild(node);
    return node;
  }

  function html(tag, attrs, text, parent) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  const secs = (t) => t.toFixed(3);

  function prepare(d) {
    const frames = d.frames.map(([loopIteration, start, end, run, ready, ran, tree]) => ({
      loopIteration,
      start,
      end,
      run,
      ready,
      ran,
      tree: d.trees[tree],
    }));
    // Firing order: by deadline, then by when they were scheduled (ids grow so).
    const heap = d.heap.slice().sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const rows = d.rows.map(([head, slices, dues, cancelled, raised]) => ({
      head,
      slices,
      dues,
      cancelled,
      raised,
    }));
    // Which rows each entry's slices are drawn on (a task started by a callback shares its row).
    const rowOf = new Map();
    rows.forEach((row, i) => {
      rowOf.set(row.head, i);
      for (const s of row.slices) rowOf.set(s[3], i);
    });
    return { ...d, frames, heap, rows, rowOf, span: Math.max(d.end - d.start, 1e-9) };
  }

  const x = (t) => LABEL + ((t - view.start) / view.span) * width;
  const entry = (id) => view.entries[id - 1] ?? ["?", `#${id}`, "", ""];
  const name = (id) => `#${id} ${entry(id)[1]}`;
  const full = (id) => {
    const [, label, detail] = entry(id);
    return `#${id} ${label}${detail ? " " + detail : ""}`;
  };

  function load(data) {
    const started = performance.now();
    view = prepare(data);
    if (following) picked = view.frames.length - 1;
    render();
    const root = document.documentElement.dataset;
    root.rows = String(view.rows.length);
    root.frames = String(view.frames.length);
    root.renderMs = String(Math.round(performance.now() - started));
    // Since the navigation began: reading the page, its data, and the first drawing.
    root.openMs ??= String(Math.round(performance.now()));
    root.ready = "1";
  }

  function render() {
    const chart = byId("chart");
    width = Math.max(200, chart.clientWidth - LABEL - 16);
    byId("title").textContent = `asyncio REPL · ${view.title} since reset`;
    byId("meta").textContent = `${view.clock} clock · t=${secs(view.start)} → ${
      secs(view.end)
    } · ${view.rows.length} rows · ${view.frames.length} iterations`;
    drawAxis();
    drawRows();
    drawStrip();
    const slider = byId("slider");
    slider.max = String(Math.max(0, view.frames.length - 1));
    slider.disabled = view.frames.length === 0;
    pick(picked);
  }

  function ticks() {
    const raw = (view.span * 90) / width;
    const power = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    const out = [];
    for (let k = Math.ceil(view.start / step - 1e-9); k * step <= view.end + 1e-9; k++) {
      out.push([k * step, (k * step).toFixed(decimals)]);
    }
    return out;
  }

  function drawAxis() {
    const axis = byId("axis");
    axis.replaceChildren();
    axis.setAttribute("width", LABEL + width + 16);
    axis.setAttribute("height", AXIS);
    // Where the loop was not running (between commands), as ╌ on the terminal's axis.
    let from = view.start;
    for (const [s, e] of [...view.runs, [view.end, view.end]]) {
      if (s > from + 1e-9) {
        svg(
          "rect",
          { class: "gap", x: x(from), y: 8, width: x(s) - x(from), height: AXIS - 8 },
          axis,
        );
      }
      from = Math.max(from, e);
    }
    svg("text", { x: 10, y: 20, class: "dim" }, axis).textContent = "loop time (s)";
    for (const [t, text] of ticks()) {
      const g = svg("g", { class: "tick" }, axis);
      svg("line", { x1: x(t), x2: x(t), y1: AXIS - 7, y2: AXIS, stroke: "#b9b6ab" }, g);
      svg("text", { x: x(t), y: 16, "text-anchor": "middle" }, g).textContent = text;
    }
    svg("rect", { id: "axis-band", class: "band", x: 0, y: 0, width: 0, height: AXIS }, axis);
    svg("line", { id: "axis-cursor", class: "cursor", x1: 0, x2: 0, y1: 0, y2: AXIS }, axis);
  }

  /** The rows box scrolls; only the rows in sight (and a margin) are in the page. */
  function drawRows() {
    const box = byId("rows");
    box.style.height = `${Math.min(view.rows.length * ROW + 8, globalThis.innerHeight * 0.56)}px`;
    byId("spacer").style.height = `${view.rows.length * ROW + 8}px`;
    byId("rows").dataset.rows = String(view.rows.length);
    drawVisible();
  }

  function drawVisible() {
    const box = byId("rows");
    const first = Math.max(0, Math.floor(box.scrollTop / ROW) - 20);
    const last = Math.min(view.rows.length, first + Math.ceil(box.clientHeight / ROW) + 40);
    const layer = byId("layer");
    layer.replaceChildren();
    layer.setAttribute("width", LABEL + width + 16);
    layer.setAttribute("height", (last - first) * ROW + 8);
    layer.style.top = `${first * ROW}px`;
    const defs = svg("defs", {}, layer);
    const dots = svg(
      "pattern",
      { id: "dots", width: 4, height: 4, patternUnits: "userSpaceOnUse" },
      defs,
    );
    svg("circle", { cx: 2, cy: 2, r: 1, fill: "#8d939b" }, dots);
    const waves = svg("pattern", {
      id: "waves",
      width: 8,
      height: 6,
      patternUnits: "userSpaceOnUse",
    }, defs);
    svg(
      "path",
      { d: "M0 3 Q2 0 4 3 T8 3", stroke: "#3b6fd8", fill: "none", "stroke-width": 1.4 },
      waves,
    );
    svg("rect", {
      id: "rows-band",
      class: "band",
      x: 0,
      y: 0,
      width: 0,
      height: (last - first) * ROW + 8,
    }, layer);
    const ran = new Set(view.frames[picked]?.ran.map((r) => r[0]) ?? []);
    for (let i = first; i < last; i++) drawRow(layer, i, (i - first) * ROW + 4, ran);
    svg("line", {
      id: "rows-cursor",
      class: "cursor",
      x1: 0,
      x2: 0,
      y1: 0,
      y2: (last - first) * ROW + 8,
    }, layer);
    placeCursor();
  }

  function drawRow(layer, i, y, ran) {
    const row = view.rows[i];
    const hit = row.slices.some((s) => ran.has(s[3])) || ran.has(row.head);
    const g = svg(
      "g",
      { class: hit ? "row picked" : "row", transform: `translate(0 ${y})` },
      layer,
    );
    g.dataset.head = String(row.head);
    svg("rect", {
      class: "bg",
      x: 0,
      y: 0,
      width: LABEL + width + 16,
      height: ROW,
      fill: "transparent",
    }, g);
    const label = name(row.head);
    const cut = Math.floor((LABEL - 16) / 7.3);
    const text = svg("text", { class: "label", x: 10, y: 15 }, g);
    text.textContent = label.length > cut ? label.slice(0, cut - 1) + "…" : label;
    text.dataset.tip = `${full(row.head)}\n${entry(row.head)[3]}`;
    row.slices.forEach((s, k) => {
      const [kind, start, end] = s;
      const left = x(start);
      const w = Math.max(x(end) - left, kind === "r" || kind === "o" ? 2 : 0);
      if (w <= 0) return;
      const [top, h] = kind === "r" || kind === "o" ? [4, 14] : kind === "a" ? [9, 4] : [7, 8];
      const r = svg("rect", { class: kind, x: left, y: top, width: w, height: h, rx: 1.5 }, g);
      r.dataset.slice = `${i}:${k}`;
    });
    for (const due of row.dues) {
      const p = svg("path", { class: "due", d: `M${x(due) - 1} 5 l7 6 l-7 6 z` }, g);
      p.dataset.tip = `due at t=${secs(due)}`;
    }
    for (
      const [at, mark, what] of [[row.cancelled, "✕", "cancelled"], [row.raised, "!", "raised"]]
    ) {
      if (at === null) continue;
      const t = svg("text", { class: "bad", x: x(at), y: 16, "text-anchor": "middle" }, g);
      t.textContent = mark;
      t.dataset.tip = `${what} at t=${secs(at)}`;
    }
  }

  /** Each iteration a cell; a line joins it to its time on the axis. */
  function drawStrip() {
    const n = view.frames.length;
    const fans = byId("fans");
    const strip = byId("strip");
    fans.replaceChildren();
    strip.replaceChildren();
    for (const node of [fans, strip]) node.setAttribute("width", LABEL + width + 16);
    fans.setAttribute("height", FANS);
    strip.setAttribute("height", STRIP + 6);
    svg("text", { x: 10, y: 19, class: "dim" }, strip).textContent = `iterations (${n})`;
    if (n === 0) return;
    const cell = width / n;
    if (n <= MAX_FANS) {
      view.frames.forEach((f, i) => {
        const line = svg("line", {
          class: "fan",
          x1: x(f.start),
          y1: 0,
          x2: LABEL + (i + 0.5) * cell,
          y2: FANS,
        }, fans);
        line.dataset.frame = String(i);
      });
    }
    svg("line", { id: "fan-picked", class: "fan picked", x1: 0, y1: 0, x2: 0, y2: FANS }, fans);
    // Cells at least 2 px wide; where iterations are more than pixels, one per 2 px.
    const per = Math.max(1, Math.ceil(n / (width / 2)));
    for (let i = 0; i < n; i += per) {
      const group = view.frames.slice(i, i + per);
      // Busy: it held the loop a millisecond or more (a real clock's overhead is less).
      const busy = group.some((f) => f.end - f.start >= 0.001);
      const c = svg("rect", {
        class: busy ? "cell busy" : "cell",
        x: LABEL + i * cell,
        y: 2,
        width: Math.max(cell * per - (cell * per > 4 ? 1 : 0), 1),
        height: STRIP,
      }, strip);
      c.dataset.frame = String(i);
      c.dataset.tip = per === 1 ? frameTip(i) : `iterations ${i + 1}–${i + group.length}`;
      if (per === 1 && cell >= 18 + 6 * Math.log10(i + 1)) {
        const t = svg("text", {
          class: "dim",
          x: LABEL + (i + 0.5) * cell,
          y: 19,
          "text-anchor": "middle",
        }, strip);
        t.textContent = String(i + 1);
        t.dataset.frame = String(i);
      }
    }
    svg("rect", {
      id: "cell-picked",
      class: "cell picked",
      x: 0,
      y: 2,
      width: Math.max(cell, 2),
      height: STRIP,
    }, strip);
  }

  function frameTip(i) {
    const f = view.frames[i];
    return `iteration ${i + 1} (the loop's ${f.loopIteration}) at t=${
      secs(f.start)
    }: ran ${f.ran.length}`;
  }

  function placeCursor() {
    const f = view.frames[picked];
    const at = f === undefined ? -10 : x(f.start);
    const band = f === undefined ? 0 : Math.max(0, x(f.end) - at);
    for (const id of ["axis-cursor", "rows-cursor"]) {
      const line = byId(id);
      if (line) { for (const k of ["x1", "x2"]) line.setAttribute(k, at); }
    }
    for (const id of ["axis-band", "rows-band"]) {
      const rect = byId(id);
      if (rect) {
        rect.setAttribute("x", at);
        rect.setAttribute("width", band);
      }
    }
  }

  function pick(i) {
    if (view.frames.length === 0) {
      byId("where").textContent = "nothing has run yet: run or step in the REPL";
      for (const id of ["ready", "heap", "ran", "tree", "output"]) byId(id).replaceChildren();
      showOutput(0);
      return;
    }
    picked = Math.max(0, Math.min(i, view.frames.length - 1));
    following = picked === view.frames.length - 1;
    const f = view.frames[picked];
    const n = picked + 1;
    byId("slider").value = String(picked);
    byId("where").textContent = `iteration ${n} of ${view.frames.length} · t=${secs(f.start)}` +
      `${
        f.end > f.start ? ` → ${secs(f.end)}` : ""
      } · the loop's iteration ${f.loopIteration} · ${f.run}`;
    document.documentElement.dataset.picked = String(n);
    const cell = width / view.frames.length;
    const marker = byId("cell-picked");
    marker.setAttribute("x", LABEL + picked * cell);
    for (const node of byId("strip").querySelectorAll(".on")) node.classList.remove("on");
    for (const node of byId("strip").querySelectorAll(`[data-frame="${picked}"]`)) {
      node.classList.add("on");
    }
    const fan = byId("fan-picked");
    fan.setAttribute("x1", x(f.start));
    fan.setAttribute("x2", LABEL + (picked + 0.5) * cell);
    for (const line of byId("fans").querySelectorAll(".fan[data-frame]")) {
      line.classList.toggle("picked", line.dataset.frame === String(picked));
    }
    const ran = new Set(f.ran.map((r) => r[0]));
    showRow(f.ran[0]?.[0]);
    for (const g of byId("layer").querySelectorAll(".row")) {
      const row = view.rows[view.rowOf.get(Number(g.dataset.head))];
      g.classList.toggle("picked", ran.has(row.head) || row.slices.some((s) => ran.has(s[3])));
    }
    placeCursor();
    showList("ready", f.ready, (id) => full(id), "nothing: the ready queue was empty");
    const heap = view.heap.filter(([, , from, last]) => from <= n && (last === null || n <= last));
    showList(
      "heap",
      heap,
      ([id, due]) =>
        `t=${secs(due)} (${due >= f.start ? "+" : "late "}${secs(Math.abs(due - f.start))})  ${
          full(id)
        }`,
      "nothing: no timer was waiting",
    );
    const list = byId("ran");
    list.replaceChildren();
    for (const [id, start, end, why] of f.ran) {
      const li = html("li", {}, undefined, list);
      html("span", { class: "id" }, `#${id}`, li);
      li.append(` ${entry(id)[1]}  ${secs(start)}–${secs(end)}  `);
      html("span", { class: "why" }, why, li);
    }
    byId("tree").textContent = f.tree || "no task was pending";
    byId("tree").classList.toggle("none", !f.tree);
    showOutput(n);
  }

  /** Scroll the rows so that the row of entry `id` is in sight (the drawing follows the scroll). */
  function showRow(id) {
    const row = view.rowOf.get(id);
    const box = byId("rows");
    if (row === undefined) return;
    const top = row * ROW;
    if (top < box.scrollTop || top + ROW > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(0, top - 2 * ROW);
      drawVisible();
    }
  }

  function showList(id, items, text, empty) {
    const list = byId(id);
    list.replaceChildren();
    if (items.length === 0) {
      html("li", { class: "none" }, empty, list);
      return;
    }
    for (const item of items.slice(0, MAX_LIST)) html("li", {}, text(item), list);
    if (items.length > MAX_LIST) {
      html("li", { class: "none" }, `… and ${items.length - MAX_LIST} more`, list);
    }
  }

  function showOutput(n) {
    const pre = byId("output");
    pre.replaceChildren();
    const lines = view.output.filter(([frame]) => frame <= n);
    if (lines.length === 0) {
      pre.textContent = "nothing printed yet";
      return;
    }
    for (const [frame, text] of lines) html("div", frame === n ? { class: "now" } : {}, text, pre);
    pre.scrollTop = pre.scrollHeight;
  }

  function tipFor(target) {
    if (target.dataset.tip) return target.dataset.tip;
    const ref = target.dataset.slice;
    if (!ref) return null;
    const [row, k] = ref.split(":").map(Number);
    const [kind, start, end, id] = view.rows[row].slices[k];
    return `${full(id)} (${entry(id)[0]})\n${KINDS[kind]} ${secs(start)} → ${secs(end)} (${
      secs(end - start)
    } s)\n${entry(id)[3]}`;
  }

  function listen() {
    const tip = byId("tip");
    document.addEventListener("mousemove", (event) => {
      const text = event.target instanceof Element ? tipFor(event.target) : null;
      tip.style.display = text ? "block" : "none";
      if (!text) return;
      tip.textContent = text;
      tip.style.left = `${
        Math.min(event.clientX + 14, globalThis.innerWidth - tip.offsetWidth - 8)
      }px`;
      tip.style.top = `${event.clientY + 16}px`;
    });
    document.addEventListener("click", (event) => {
      const target = event.target;
      if (!(target instanceof Element) || view === null) return;
      if (target.dataset.frame) return pick(Number(target.dataset.frame));
      const ref = target.dataset.slice;
      if (ref) {
        // The iteration in which this slice's time falls.
        const [row, k] = ref.split(":").map(Number);
        const start = view.rows[row].slices[k][1];
        let i = view.frames.findIndex((f) => f.start > start + 1e-9);
        i = i < 0 ? view.frames.length - 1 : Math.max(0, i - 1);
        pick(i);
      }
    });
    document.addEventListener("keydown", (event) => {
      if (view === null || event.target instanceof HTMLInputElement) return;
      const step = { ArrowLeft: -1, ArrowRight: 1, PageUp: -10, PageDown: 10 }[event.key];
      if (step !== undefined) pick(picked + step);
      else if (event.key === "Home") pick(0);
      else if (event.key === "End") pick(view.frames.length - 1);
      else return;
      event.preventDefault();
    });
    byId("slider").addEventListener("input", (event) => pick(Number(event.target.value)));
    byId("first").addEventListener("click", () => pick(0));
    byId("prev").addEventListener("click", () => pick(picked - 1));
    byId("next").addEventListener("click", () => pick(picked + 1));
    byId("last").addEventListener("click", () => pick(view.frames.length - 1));
    byId("rows").addEventListener("scroll", () => requestAnimationFrame(drawVisible));
    globalThis.addEventListener("resize", () => view && render());
  }

  /** A live page: redraw when the REPL says its session changed; say when it went away. */
  function live() {
    const badge = byId("live");
    badge.hidden = false;
    const events = new EventSource("events");
    const refresh = async () => {
      const response = await fetch("data.json");
      load(await response.json());
      document.documentElement.dataset.updates = String(
        Number(document.documentElement.dataset.updates ?? 0) + 1,
      );
    };
    events.onmessage = refresh;
    events.onopen = () => {
      badge.textContent = "live";
      badge.classList.remove("off");
      // What changed between the page's own data and this stream's start
      // sent no message to it: catch up once.
      refresh();
    };
    events.onerror = () => {
      badge.textContent = "the REPL is gone (this is what it last showed)";
      badge.classList.add("off");
      events.close();
    };
  }

  listen();
  // A live page follows the last iteration; a file opens at the first, or at #N.
  const isLive = document.documentElement.dataset.live === "1";
  following = isLive;
  picked = Number(location.hash.slice(1)) - 1 || 0;
  load(JSON.parse(byId("data").textContent));
  if (isLive) live();
})();
