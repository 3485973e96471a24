# ruff: noqa: E501  (the page's CSS and JavaScript are kept as a page is written, not wrapped)
"""The explorer page's HTML, CSS and JavaScript: one document, nothing loaded from anywhere.

``document()`` fills the template; the script reads the graph and its steps from the JSON in
``#graph-data`` and drives the inline SVG. Kept apart from ``explore`` so that the page can be read
(and edited) as a page.
"""

from __future__ import annotations

import html
import re

CSS = r"""
:root {
  --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --panel: #ffffff; --bg: #f3f4f6;
  --accent: #dc2626; --path: #7c3aed; --blue: #1e40af;
  --input: #dbeafe; --parameter: #fde68a; --intermediate: #ffffff; --loss: #fca5a5;
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: var(--ink); background: var(--bg); display: flex; flex-direction: column; }
header { padding: 10px 18px 8px; background: var(--panel); border-bottom: 1px solid var(--line); }
header h1 { margin: 0; font-size: 18px; font-weight: 650; }
header p { margin: 2px 0 0; color: var(--muted); font-size: 13px; }
kbd { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; border: 1px solid #d1d5db;
  border-bottom-width: 2px; border-radius: 4px; padding: 0 4px; background: #f9fafb; }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 8px 18px;
  background: var(--panel); border-bottom: 1px solid var(--line); }
button { font: inherit; border: 1px solid #d1d5db; background: #fff; border-radius: 8px;
  padding: 5px 12px; cursor: pointer; color: var(--ink); }
button:hover:not(:disabled) { background: #f3f4f6; border-color: #9ca3af; }
button:disabled { opacity: .4; cursor: default; }
button.primary { background: var(--ink); color: #fff; border-color: var(--ink); }
button.primary:hover:not(:disabled) { background: #374151; }
#step-slider { flex: 1 1 180px; min-width: 120px; accent-color: var(--accent); }
#counter { font-variant-numeric: tabular-nums; color: var(--muted); min-width: 8em; }
main { flex: 1; display: flex; min-height: 0; }
#graph { flex: 1; overflow: auto; padding: 12px; min-width: 0; }
#graph svg { display: block; margin: 0 auto; height: auto; max-width: none; }
#graph.fit svg { width: 100%; }
aside { width: 380px; flex: none; overflow: auto; background: var(--panel);
  border-left: 1px solid var(--line); padding: 14px 16px; }
aside h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted);
  margin: 14px 0 6px; }
aside h2:first-child { margin-top: 0; }
#caption { background: #fef2f2; border: 1px solid #fecaca; border-radius: 10px; padding: 10px 12px; }
#caption .head { font-weight: 600; }
.math { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
ul.adds { margin: 6px 0 0; padding-left: 18px; }
ul.adds li { margin: 2px 0; }
#details { border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; }
#details .empty { color: var(--muted); }
#details table { border-collapse: collapse; width: 100%; }
#details td { padding: 2px 4px; vertical-align: top; }
#details td:first-child { color: var(--muted); white-space: nowrap; width: 1%; }
.chip { display: inline-block; border: 1px solid #d1d5db; border-radius: 999px; padding: 0 8px;
  margin: 1px 2px; cursor: pointer; background: #fff; }
.chip:hover { border-color: var(--path); color: var(--path); }
.paths { margin: 6px 0 0; padding: 0; list-style: none; }
.paths li { border-left: 3px solid var(--path); padding: 3px 8px; margin: 6px 0;
  background: #faf5ff; border-radius: 0 6px 6px 0; }
.paths .route { font-size: 12.5px; }
.sum { margin-top: 6px; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; font-size: 12px; }
.legend span { border: 1px solid #9ca3af; border-radius: 4px; padding: 0 6px; }
.note { color: var(--muted); font-size: 12.5px; }
/* the drawing */
/* narrow windows, e.g. a notebook's frame: a narrower side panel; below 700 px the panel goes under
   the graph and takes at most 40% of the height, so the graph keeps most of it */
@media (max-width: 1000px) { aside { width: 300px; } header { padding: 6px 12px 4px; } .toolbar { padding: 6px 12px; } }
@media (max-width: 700px) { main { flex-direction: column; } #graph { flex: 1 1 60%; } aside { width: auto; max-height: 40%; border-left: 0; border-top: 1px solid var(--line); } }
#graph .node, #graph .op { cursor: pointer; }
#graph .node.unknown { opacity: .35; }
#graph .node.partial text.grad { fill: #6b7280; font-style: italic; }
#graph .node.onpath > path, #graph .node.onpath > polygon { stroke: var(--path); stroke-width: 2.5; }
#graph .node.selected > path, #graph .node.selected > polygon { stroke: var(--path); stroke-width: 4; }
#graph .node.current > path, #graph .node.current > polygon { stroke: var(--accent); stroke-width: 4; }  /* after .onpath: the step wins */
#graph .edge.flow path { stroke: var(--accent); stroke-width: 2.5; }
#graph .edge.flow polygon { stroke: var(--accent); fill: var(--accent); }
#graph .edge.flow text { fill: var(--accent); font-weight: bold; }
#graph .edge.onpath path { stroke: var(--path); stroke-width: 2.5; }
#graph .edge.onpath polygon { stroke: var(--path); fill: var(--path); }
#graph .edge.onpath text { fill: var(--path); font-weight: bold; }
#graph .op.flow > ellipse { stroke: var(--accent); stroke-width: 2.5; }
"""

SCRIPT = r"""
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("graph-data").textContent);
  const nodes = D.nodes, steps = D.steps, digits = D.digits, root = D.root;
  const num = (x) => Number(x);
  let step = 0, selected = null, useAlt = false;

  // children[i]: [child id, k] for each edge i -> child, k the operand position.
  const children = nodes.map(() => []);
  nodes.forEach((n) => n.parents.forEach((p, k) => children[p].push([n.id, k])));
  const uses = nodes.map((n, i) => children[i].length);

  function fmt(x) {
    x = num(x);
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return "0";
    const p = Number(x.toPrecision(digits));
    const e = Math.floor(Math.log10(Math.abs(p)));
    if (e < -4 || e >= digits) {
      let [m, ex] = x.toExponential(digits - 1).split("e");
      if (m.includes(".")) m = m.replace(/0+$/, "").replace(/\.$/, "");
      return m + "e" + (ex[0] === "-" ? "-" : "") + String(Math.abs(Number(ex)));
    }
    let s = p.toFixed(Math.max(0, digits - 1 - e));
    if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
    return s;
  }
  const shown = (i) => (useAlt && nodes[i].alt) ? nodes[i].alt : nodes[i].name;
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));

  // The SVG elements of each value node, its grad and label texts, and the edges to light.
  const svgNode = {}, gradText = {}, labelText = {};
  document.querySelectorAll("#graph g.node").forEach((g) => {
    const i = Number(g.dataset.id);
    svgNode[i] = g;
    const texts = Array.from(g.querySelectorAll("text"));
    const grad = texts.find((t) => t.textContent.startsWith("grad"));
    if (grad) { grad.classList.add("grad"); gradText[i] = grad; }
    const bold = texts.find((t) => t.getAttribute("font-weight") === "bold");
    if (bold) labelText[i] = bold;
    g.addEventListener("click", (ev) => { ev.stopPropagation(); select(i); });
  });
  document.querySelectorAll("#graph g.op").forEach((g) => {
    g.addEventListener("click", (ev) => { ev.stopPropagation(); select(Number(g.id.slice(2))); });
  });
  const byId = (id) => document.getElementById(id);
  // The SVG edges that carry operand k into child's op (and the line to a junction dot, if any).
  const edgeIds = (child, k) => nodes[child].edges[k] || [];

  // The state after steps 0..s: each node's gradient so far, and whether it is final.
  function stateAt(s) {
    const grad = new Array(nodes.length).fill(undefined);
    const left = uses.slice();
    const final = new Array(nodes.length).fill(false);
    for (let j = 0; j <= s; j++) {
      const st = steps[j];
      grad[st.node] = num(st.grad);
      final[st.node] = true;
      for (const c of st.contributions) {
        grad[c.parent] = (grad[c.parent] === undefined ? 0 : grad[c.parent]) + num(c.added);
        left[c.parent] -= 1;
        if (left[c.parent] === 0) final[c.parent] = true;
      }
    }
    return { grad, final };
  }

  function render() {
    const { grad, final } = stateAt(step);
    const st = steps[step];
    for (const [key, g] of Object.entries(svgNode)) {
      const i = Number(key), v = grad[i];
      g.setAttribute("data-grad", v === undefined ? "" : String(v));
      g.setAttribute("data-label", shown(i));
      g.classList.toggle("current", i === st.node);
      g.classList.toggle("unknown", v === undefined);
      g.classList.toggle("partial", v !== undefined && !final[i]);
      if (gradText[i]) gradText[i].textContent = v === undefined ? "grad ?" : "grad " + fmt(v) + (final[i] ? "" : " + ...");
      if (labelText[i]) labelText[i].textContent = shown(i);
    }
    document.querySelectorAll("#graph .flow").forEach((e) => e.classList.remove("flow"));
    const op = byId("op" + st.node);
    if (op) op.classList.add("flow");
    st.contributions.forEach((c, k) => edgeIds(st.node, k).forEach((id) => { const e = byId(id); if (e) e.classList.add("flow"); }));
    const g = fmt(st.grad);
    let html = '<div class="head">Step ' + step + " of " + (steps.length - 1) + ": <b>" + esc(shown(st.node)) +
      "</b> has gradient g = <b>" + g + "</b></div>";
    if (st.contributions.length === 0) {
      html += '<div class="note">' + (st.node === root ? "The root: d root / d root = 1." : "A leaf: nothing to pass on. Its gradient is final.") + "</div>";
    } else {
      html += '<div class="note">' + (st.node === root ? "The root starts with d root / d root = 1. " : "") +
        "Chain rule: each parent gets (local derivative) &times; g added to its gradient:</div><ul class=\"adds math\">";
      for (const c of st.contributions) {
        html += "<li>" + esc(shown(c.parent)) + ".grad += " + fmt(c.local_grad) + " &times; " + g + " = " + fmt(c.added) + "</li>";
      }
      html += "</ul>";
    }
    byId("caption").innerHTML = html;
    byId("counter").textContent = "step " + step + " / " + (steps.length - 1);
    byId("step-slider").value = String(step);
    byId("prev").disabled = step === 0;
    byId("next").disabled = step === steps.length - 1;
    byId("first").disabled = step === 0;
    byId("last").disabled = step === steps.length - 1;
    if (selected !== null) details(selected);
  }

  function go(s) {
    step = Math.max(0, Math.min(steps.length - 1, s));
    render();
    const g = svgNode[steps[step].node];
    if (g && g.scrollIntoView) g.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  // Every path from node i up to the root, as [node ids, factors], at most `most` of them.
  function pathsFrom(i, most) {
    const found = [], stack = [[i, [i], []]];
    while (stack.length && found.length < most) {
      const [at, seq, factors] = stack.pop();
      if (at === root) { found.push([seq, factors]); continue; }
      const out = children[at];
      for (let m = out.length - 1; m >= 0; m--) {
        const [child, k] = out[m];
        stack.push([child, seq.concat([child]), factors.concat([num(nodes[child].local_grads[k])])]);
      }
    }
    return found;
  }
  function countPaths(i) {
    const count = new Array(nodes.length).fill(0);
    count[root] = 1;
    for (let n = nodes.length - 1; n >= 0; n--) for (const [child] of children[n]) count[n] += count[child];
    return count[i];
  }

  function details(i) {
    const n = nodes[i];
    const { grad } = stateAt(step);
    document.querySelectorAll("#graph .onpath, #graph .selected").forEach((e) => e.classList.remove("onpath", "selected"));
    if (svgNode[i]) svgNode[i].classList.add("selected");
    const chip = (j) => '<span class="chip" data-go="' + j + '">' + esc(shown(j)) + "</span>";
    let h = "<table>";
    h += "<tr><td>node</td><td><b>" + esc(shown(i)) + "</b>" + (n.alt ? ' <span class="note">(' + esc(useAlt ? n.name : n.alt) + ")</span>" : "") + "</td></tr>";
    h += "<tr><td>made by</td><td>" + (n.op ? '<span class="math">' + esc(n.op) + "</span> of " + n.parents.map(chip).join(" ") : "nothing: a leaf (" + n.kind + ")") + "</td></tr>";
    h += '<tr><td>value</td><td class="math">' + fmt(n.data) + "</td></tr>";
    h += '<tr><td>gradient</td><td class="math">d root/d node = ' + fmt(n.grad) +
      (grad[i] === undefined ? ' <span class="note">(not reached yet at this step)</span>' : "") + "</td></tr>";
    if (n.parents.length) {
      h += '<tr><td>local derivatives</td><td class="math">' + n.parents.map((p, k) =>
        "d(" + esc(shown(i)) + ")/d(" + esc(shown(p)) + ") = " + fmt(n.local_grads[k])).join("<br>") + "</td></tr>";
    }
    const users = children[i].map(([c]) => c).filter((c, k, a) => a.indexOf(c) === k);
    if (users.length) h += "<tr><td>used by</td><td>" + users.map(chip).join(" ") + "</td></tr>";
    h += "</table>";
    const total = countPaths(i), shownPaths = pathsFrom(i, 50);
    h += "<h2>Paths to the root (" + total + ")</h2>";
    if (i === root) {
      h += '<div class="note">This is the root: its gradient is 1 by definition.</div>';
    } else {
      h += '<div class="note">The chain rule as a sum over paths: multiply the local derivatives along each path, then add the paths up.</div><ul class="paths">';
      let sum = 0;
      for (const [seq, factors] of shownPaths) {
        const product = factors.reduce((a, b) => a * b, 1);
        sum += product;
        h += '<li><div class="route">' + seq.map((j) => esc(shown(j))).join(" &rarr; ") + '</div><div class="math">' +
          factors.map(fmt).join(" &times; ") + " = <b>" + fmt(product) + "</b></div></li>";
        for (let m = 0; m + 1 < seq.length; m++) {
          const child = seq[m + 1], k = children[seq[m]].find(([c]) => c === child)[1];
          if (svgNode[seq[m]]) svgNode[seq[m]].classList.add("onpath");
          edgeIds(child, k).concat(["o" + child]).forEach((id) => { const e = byId(id); if (e) e.classList.add("onpath"); });
        }
      }
      if (svgNode[root]) svgNode[root].classList.add("onpath");
      h += "</ul>";
      if (shownPaths.length < total) h += '<div class="note">Showing the first ' + shownPaths.length + " paths.</div>";
      else h += '<div class="sum math">sum of the products = ' + fmt(sum) + " = gradient " + fmt(n.grad) + "</div>";
    }
    const box = byId("details");
    box.innerHTML = h;
    box.querySelectorAll("[data-go]").forEach((e) => e.addEventListener("click", () => select(Number(e.dataset.go))));
  }
  function select(i) { selected = i; details(i); }

  byId("prev").addEventListener("click", () => go(step - 1));
  byId("next").addEventListener("click", () => go(step + 1));
  byId("first").addEventListener("click", () => go(0));
  byId("last").addEventListener("click", () => go(steps.length - 1));
  const slider = byId("step-slider");
  slider.max = String(steps.length - 1);
  slider.addEventListener("input", () => go(Number(slider.value)));
  byId("zoom").addEventListener("click", () => {
    const fit = byId("graph").classList.toggle("fit");
    byId("zoom").textContent = fit ? "Actual size" : "Fit to width";
  });
  const names = byId("names");
  if (names) names.addEventListener("click", () => {
    useAlt = !useAlt;
    names.textContent = useAlt ? "Show the project's names" : "Show the article's names";
    render();
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.target instanceof HTMLInputElement && ev.target.type !== "range") return;
    const to = { ArrowRight: step + 1, ArrowLeft: step - 1, Home: 0, End: steps.length - 1 }[ev.key];
    if (to !== undefined) { ev.preventDefault(); go(to); }
  });
  render();
})();
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p>Step through the backward pass with <kbd>&larr;</kbd> <kbd>&rarr;</kbd>
(<kbd>Home</kbd> / <kbd>End</kbd> for the ends); click any node for its value, gradient, local
derivatives and its paths to the root.</p>
</header>
<div class="toolbar">
<button id="first" title="First step (Home)">&laquo; First</button>
<button id="prev" title="Previous step (&larr;)">&larr; Previous</button>
<button id="next" class="primary" title="Next step (&rarr;)">Next &rarr;</button>
<button id="last" title="Last step (End)">Last &raquo;</button>
<input id="step-slider" type="range" min="0" max="0" value="0" aria-label="backward step">
<span id="counter"></span>
{names_button}<button id="zoom">Actual size</button>
</div>
<main>
<div id="graph" class="fit">{svg}</div>
<aside>
<h2>This step</h2>
<div id="caption" aria-live="polite"></div>
<h2>Selected node</h2>
<div id="details"><span class="empty">Click a node in the graph.</span></div>
<h2>Reading the graph</h2>
<div class="note">Boxes are values (label, forward value <i>data</i>, gradient <i>grad</i> =
d root / d value); ovals are the ops that made them. The number on an edge into an op is the local
derivative d result / d operand. A grey gradient with "+ ..." has only part of its sum so far; "?"
means backward has not reached the node yet.</div>
<div class="legend"><span style="background:var(--input)">input</span>
<span style="background:var(--parameter)">parameter</span>
<span style="background:var(--intermediate)">intermediate</span>
<span style="background:var(--loss)">loss</span></div>
</aside>
</main>
<script type="application/json" id="graph-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""


def document(*, title: str, svg: str, data: str, has_names: bool) -> str:
    """The whole page: the SVG and the JSON (already safe to inline) in the template."""
    button = '<button id="names">Show the article\'s names</button>\n' if has_names else ""
    parts = {
        "css": CSS,
        "script": SCRIPT,
        "names_button": button,
        "title": html.escape(title),
        "svg": svg,
        "data": data,
    }
    # One pass over the template, so no inserted text is itself searched for placeholders.
    return re.sub(r"\{(css|script|names_button|title|svg|data)\}", lambda m: parts[m[1]], TEMPLATE)
