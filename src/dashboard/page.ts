/**
 * The dashboard page: one static HTML file with its script, drawing hand-written SVG from the
 * snapshots it receives as server-sent events. It keeps the history of the rates it has seen
 * itself; the server sends only the present and the recent lease moves. Kept as a string so
 * that the package ships it without a build step of its own.
 */
export const dashboardPage = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kinesis-actors dashboard</title>
<style>
  :root { --bg: #fafafa; --fg: #1d1d1f; --muted: #6e6e73; --line: #e3e3e6; --write: #2563eb; --read: #16a34a; --warn: #b45309; --bad: #dc2626; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; gap: 16px; align-items: baseline; padding: 10px 16px; background: #fff; border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 1; }
  header h1 { font-size: 16px; margin: 0; }
  header .status { margin-left: auto; color: var(--muted); }
  header .status.live::before { content: "●"; color: var(--read); margin-right: 4px; }
  header .status.down::before { content: "●"; color: var(--bad); margin-right: 4px; }
  main { padding: 12px 16px; display: grid; gap: 12px; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
  section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; min-width: 0; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: 13px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
  .cards { display: flex; flex-wrap: wrap; gap: 18px; }
  .card b { display: block; font-size: 20px; font-variant-numeric: tabular-nums; }
  .card span { color: var(--muted); }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { padding: 2px 6px; text-align: right; white-space: nowrap; border-bottom: 1px solid #f0f0f2; }
  th { color: var(--muted); font-weight: 500; position: sticky; top: 41px; background: #fff; }
  th:first-child, td:first-child, td.owner, th.owner { text-align: left; }
  td.spark { padding: 0 6px; }
  .chip { display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
  .closed td { color: var(--muted); }
  .lagging { color: var(--warn); }
  .bad { color: var(--bad); }
  .problems { grid-column: 1 / -1; color: var(--bad); margin: 0; padding-left: 18px; }
  .problems:empty { display: none; }
  .legend { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 6px; color: var(--muted); }
  svg text { font-size: 10px; fill: var(--muted); }
  #moves { max-height: 160px; overflow: auto; margin: 6px 0 0; padding: 0; list-style: none; color: var(--muted); }
</style>
</head>
<body>
<header><h1>kinesis-actors</h1><div id="title"></div><div id="status" class="status down">connecting</div></header>
<main>
  <ul id="problems" class="problems"></ul>
  <section class="wide"><div class="cards" id="cards"></div></section>
  <section><h2>Stream: records/s written and read</h2><svg id="rates" width="100%" height="160"></svg>
    <div class="legend"><span><i class="chip" style="background:var(--write)"></i>written (Kinesis records)</span><span><i class="chip" style="background:var(--read)"></i>read (user records, this process)</span></div></section>
  <section><h2>Producer</h2><div class="cards" id="producer">no producer in this process</div><svg id="producerChart" width="100%" height="110"></svg></section>
  <section class="wide"><h2>Workers</h2><table id="workers"><thead><tr><th>worker</th><th>leases</th><th>records/s</th><th>errors</th><th>from</th><th class="owner">records/s, last minutes</th></tr></thead><tbody></tbody></table></section>
  <section class="wide"><h2>Lease owners over time</h2><svg id="timeline" width="100%" height="60"></svg><ul id="moves"></ul></section>
  <section class="wide"><h2>Shards</h2><table id="shards"><thead><tr>
    <th>shard</th><th class="owner">owner</th><th>written/s</th><th>KB/s</th><th class="owner">written</th><th>read/s</th><th>read KB/s</th><th class="owner">read</th>
    <th>behind latest</th><th>checkpoint lag</th><th>checkpoint age</th><th>counter</th><th>written total</th><th>read total</th></tr></thead><tbody></tbody></table></section>
</main>
<script>
"use strict";
const HISTORY = 180;
const totals = [];
const producerHistory = [];
const shardHistory = new Map();
const workerHistory = new Map();
let last;

function el(tag, attrs, text) {
  const e = document.createElementNS(tag === "svg" || attrs && attrs.svg ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml", tag);
  for (const [k, v] of Object.entries(attrs || {})) if (k !== "svg") e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function svgEl(tag, attrs) { return el(tag, Object.assign({ svg: true }, attrs)); }
function push(list, value) { list.push(value); if (list.length > HISTORY) list.shift(); }
// Owners get colours in the order the page first sees them, a golden angle apart, so that
// worker-1 and worker-2 never look alike and a worker keeps its colour while the page is open.
const hues = new Map();
function colorOf(owner) {
  if (!owner) return "#d4d4d8";
  if (!hues.has(owner)) hues.set(owner, (hues.size * 137.508 + 210) % 360);
  return "hsl(" + hues.get(owner).toFixed(0) + ", 62%, 47%)";
}
function num(v, digits) { return v === undefined || v === null ? "–" : v.toLocaleString("en-US", { maximumFractionDigits: digits || 0 }); }
function ms(v) {
  if (v === undefined || v === null) return "–";
  if (v < 1000) return v.toFixed(0) + " ms";
  if (v < 120000) return (v / 1000).toFixed(1) + " s";
  return (v / 60000).toFixed(1) + " min";
}
function short(shardId) { return shardId.replace(/^shardId-0*/, "") || "0"; }

function spark(values, color, width, height) {
  const svg = svgEl("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height });
  const max = Math.max(1, ...values);
  const step = width / Math.max(1, HISTORY - 1);
  const x0 = width - step * (values.length - 1);
  const points = values.map((v, i) => (x0 + i * step).toFixed(1) + "," + (height - 1 - (v / max) * (height - 2)).toFixed(1)).join(" ");
  svg.append(svgEl("polyline", { points: points, fill: "none", stroke: color, "stroke-width": "1.5" }));
  return svg;
}

function lineChart(svg, series, unit) {
  svg.replaceChildren();
  const width = svg.clientWidth || 600, height = Number(svg.getAttribute("height"));
  const left = 44, bottom = 14, top = 8;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const yOf = (v) => top + (height - bottom - top) * (1 - v / max);
  for (const f of [0, 0.5, 1]) {
    const y = yOf(max * f) + 0.5;
    svg.append(svgEl("line", { x1: left, x2: width, y1: y, y2: y, stroke: "#eee" }));
    const label = svgEl("text", { x: left - 4, y: y + 3, "text-anchor": "end" });
    label.textContent = num(max * f) + (f === 1 ? " " + unit : "");
    svg.append(label);
  }
  const step = (width - left) / Math.max(1, HISTORY - 1);
  for (const s of series) {
    const x0 = width - step * (s.values.length - 1);
    const points = s.values.map((v, i) => (x0 + i * step).toFixed(1) + "," + yOf(v).toFixed(1)).join(" ");
    svg.append(svgEl("polyline", { points: points, fill: "none", stroke: s.color, "stroke-width": "1.5" }));
  }
  const t = svgEl("text", { x: left, y: height - 2 });
  t.textContent = "last " + Math.round((HISTORY * (last ? last.intervalMs : 1000)) / 1000) + " s";
  svg.append(t);
}

function segments(snapshot, shard) {
  const from = Math.max(snapshot.at - snapshot.historyMs, snapshot.since);
  const moves = snapshot.moves.filter((m) => m.shardId === shard.shardId);
  const out = [];
  let start = from;
  let owner = moves.length ? moves[0].from : shard.owner;
  for (const m of moves) { out.push({ start: start, end: m.at, owner: owner }); start = m.at; owner = m.to; }
  out.push({ start: start, end: snapshot.at, owner: shard.owner });
  return out;
}

function drawTimeline(snapshot) {
  const svg = document.getElementById("timeline");
  const rowHeight = snapshot.shards.length > 32 ? 5 : snapshot.shards.length > 8 ? 9 : 14;
  const left = 44, top = 2;
  const height = top + rowHeight * snapshot.shards.length + 14;
  svg.setAttribute("height", height);
  svg.replaceChildren();
  const width = svg.clientWidth || 900;
  // From when the dashboard started until the window is full: it knows nothing from before.
  const from = Math.max(snapshot.at - snapshot.historyMs, snapshot.since);
  const span = Math.max(1, snapshot.at - from);
  const x = (t) => left + ((Math.max(t, from) - from) / span) * (width - left);
  snapshot.shards.forEach((shard, row) => {
    const y = top + row * rowHeight;
    if (rowHeight >= 9 || row % 8 === 0) {
      const label = svgEl("text", { x: left - 4, y: y + rowHeight - 1, "text-anchor": "end" });
      label.textContent = short(shard.shardId);
      svg.append(label);
    }
    for (const s of segments(snapshot, shard)) {
      const rect = svgEl("rect", { x: x(s.start).toFixed(1), y: y, width: Math.max(1, x(s.end) - x(s.start)).toFixed(1), height: rowHeight - 1, fill: colorOf(s.owner) });
      const title = svgEl("title", {});
      title.textContent = shard.shardId + ": " + (s.owner || "no owner");
      rect.append(title);
      svg.append(rect);
    }
  });
  const axis = svgEl("text", { x: left, y: height - 2 });
  axis.textContent = "last " + ms(span) + "; a change of colour is a lease moving, grey is no owner";
  svg.append(axis);
  const list = document.getElementById("moves");
  list.replaceChildren(...snapshot.moves.slice(-50).reverse().map((m) =>
    el("li", {}, new Date(m.at).toLocaleTimeString() + "  " + m.shardId + ": " + (m.from || "free") + " → " + (m.to || "free"))));
}

function card(label, value, cls) {
  const c = el("div", { class: "card" });
  const b = el("b", cls ? { class: cls } : {}, value);
  c.append(b, el("span", {}, label));
  return c;
}

function render(snapshot) {
  last = snapshot;
  document.getElementById("title").textContent = "stream " + snapshot.streamName + " · application " + snapshot.applicationName;
  const status = document.getElementById("status");
  status.textContent = "updated " + new Date(snapshot.at).toLocaleTimeString();
  document.getElementById("problems").replaceChildren(...snapshot.problems.map((p) => el("li", {}, p)));

  const written = snapshot.shards.reduce((a, s) => a + (s.writeRecordsPerSec || 0), 0);
  const read = snapshot.shards.reduce((a, s) => a + (s.readRecordsPerSec || 0), 0);
  const behind = Math.max(0, ...snapshot.shards.map((s) => s.millisBehindLatest || 0));
  const lag = Math.max(0, ...snapshot.shards.map((s) => s.checkpointLagMs || 0));
  push(totals, { written: written, read: read });
  document.getElementById("cards").replaceChildren(
    card("shards open", String(snapshot.shards.filter((s) => s.open).length)),
    card("workers", String(snapshot.workers.length)),
    card("records/s written", num(written)),
    card("user records/s read", num(read)),
    card("most behind latest", ms(behind), behind > 10000 ? "lagging" : ""),
    card("largest checkpoint lag", ms(lag), lag > 60000 ? "lagging" : ""),
    card("lease moves (window)", String(snapshot.moves.length)));
  lineChart(document.getElementById("rates"), [
    { values: totals.map((t) => t.written), color: "var(--write)" },
    { values: totals.map((t) => t.read), color: "var(--read)" }], "/s");

  const p = snapshot.producer;
  if (p) {
    push(producerHistory, p.putPerSec);
    const failed = p.failed > 0 ? "bad" : "";
    document.getElementById("producer").replaceChildren(
      card("put/s", num(p.putPerSec)), card("buffered", num(p.buffered)), card("in flight", num(p.inFlight)),
      card("retried", num(p.retried)), card("failed", num(p.failed), failed), card("put", num(p.put)));
    document.getElementById("producer").dataset.pending = String(p.pending);
    lineChart(document.getElementById("producerChart"), [{ values: producerHistory, color: "var(--write)" }], "/s");
  }

  const workers = document.querySelector("#workers tbody");
  workers.replaceChildren(...snapshot.workers.map((w) => {
    const history = workerHistory.get(w.workerId) || [];
    workerHistory.set(w.workerId, history);
    push(history, w.recordsPerSec);
    const tr = el("tr", { "data-worker": w.workerId });
    const name = el("td", { "data-field": "worker" });
    name.append(el("i", { class: "chip", style: "background:" + colorOf(w.workerId) }), document.createTextNode(w.workerId));
    const sp = el("td", { class: "spark owner" });
    sp.append(spark(history, colorOf(w.workerId), 240, 18));
    tr.append(name, el("td", { "data-field": "leases" }, String(w.leases)), el("td", { "data-field": "recordsPerSec" }, num(w.recordsPerSec)),
      el("td", { "data-field": "errors", class: w.errors ? "bad" : "" }, num(w.errors)), el("td", {}, w.source === "process" ? "this process" : "its leases"), sp);
    return tr;
  }));

  drawTimeline(snapshot);

  const shards = document.querySelector("#shards tbody");
  shards.replaceChildren(...snapshot.shards.map((s) => {
    const history = shardHistory.get(s.shardId) || { write: [], read: [] };
    shardHistory.set(s.shardId, history);
    push(history.write, s.writeRecordsPerSec || 0);
    push(history.read, s.readRecordsPerSec || 0);
    const tr = el("tr", { "data-shard": s.shardId, class: s.open ? "" : "closed" });
    const owner = el("td", { class: "owner", "data-field": "owner" });
    owner.append(el("i", { class: "chip", style: "background:" + colorOf(s.owner) }), document.createTextNode(s.owner || "–"));
    const ws = el("td", { class: "spark owner" }); ws.append(spark(history.write, "var(--write)", 90, 16));
    const rs = el("td", { class: "spark owner" }); rs.append(spark(history.read, "var(--read)", 90, 16));
    const behindClass = (s.millisBehindLatest || 0) > 10000 ? "lagging" : "";
    tr.append(
      el("td", { title: s.open ? "open" : "closed" }, s.shardId), owner,
      el("td", { "data-field": "writeRecordsPerSec" }, num(s.writeRecordsPerSec)),
      el("td", {}, s.writeBytesPerSec === undefined || s.writeBytesPerSec === null ? "–" : num(s.writeBytesPerSec / 1024, 1)), ws,
      el("td", { "data-field": "readRecordsPerSec" }, num(s.readRecordsPerSec)),
      el("td", {}, num(s.readKBps, 1)), rs,
      el("td", { class: behindClass }, ms(s.millisBehindLatest)),
      el("td", { class: (s.checkpointLagMs || 0) > 60000 ? "lagging" : "" }, ms(s.checkpointLagMs)),
      el("td", {}, ms(s.checkpointAgeMs)),
      el("td", { "data-field": "leaseCounter" }, num(s.leaseCounter)),
      el("td", { "data-field": "writtenRecords" }, String(s.writtenRecords)),
      el("td", { "data-field": "readRecords" }, String(s.readRecords)));
    return tr;
  }));
  document.body.dataset.at = String(snapshot.at);
}

function connect() {
  const events = new EventSource("events");
  const status = document.getElementById("status");
  events.onopen = () => { status.className = "status live"; };
  events.onerror = () => { status.className = "status down"; status.textContent = "reconnecting"; };
  events.onmessage = (message) => render(JSON.parse(message.data));
}
connect();
</script>
</body>
</html>
`;
