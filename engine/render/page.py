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
#editor { border: 1px solid #bfdbfe; background: #eff6ff; border-radius: 10px; padding: 8px 12px;
  margin-bottom: 8px; }
#editor[hidden] { display: none; }
#editor .row { display: flex; gap: 8px; align-items: center; margin-top: 4px; }
#value-input { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; width: 13em;
  padding: 3px 6px; border: 1px solid #93c5fd; border-radius: 6px; }
#value-input.invalid { border-color: var(--accent); background: #fef2f2; }
#value-slider { flex: 1; min-width: 80px; accent-color: var(--blue); }
#edit-note.error { color: var(--accent); }
/* the drawing */
/* narrow windows, e.g. a notebook's frame: a narrower side panel; below 700 px the panel goes under
   the graph and takes at most 40% of the height, so the graph keeps most of it */
@media (max-width: 1000px) { aside { width: 300px; } header { padding: 6px 12px 4px; } .toolbar { padding: 6px 12px; } }
@media (max-width: 700px) { main { flex-direction: column; } #graph { flex: 1 1 60%; } aside { width: auto; max-height: 40%; border-left: 0; border-top: 1px solid var(--line); } }
#graph .node, #graph .op { cursor: pointer; }
#graph .node.unknown { opacity: .35; }
#graph .node.partial text.grad { fill: #6b7280; font-style: italic; }
#graph .node.edited > path, #graph .node.edited > polygon { stroke: var(--blue); stroke-width: 3; stroke-dasharray: 5 3; }  /* a value changed by hand: dashed, under the other marks */
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

  // Live edits. The graph compiled to JavaScript, engine.compile(root, leaves,
  // language="javascript", all_nodes=True), reruns forward and backward from new leaf values:
  // every node's value, gradient and local derivatives, as backward() gives them.
  const live = (function () {
/*{live step}*/
    return typeof step === "function" ? step : null;
  })();
  const leaves = D.leaves;  // the compiled step's inputs, in order
  const leafAt = {};
  leaves.forEach((id, k) => { leafAt[id] = k; });
  const recorded = leaves.map((i) => num(nodes[i].data));
  let current = recorded.slice(), editing = null;
  // The full-precision text of a number, as Python's float() reads it back (-0 keeps its sign).
  const full = (x) => Object.is(x, -0) ? "-0" : String(x);

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
  // Text in the drawing is written only when it changes: each SVG text laid out again costs time.
  const setText = (el, text) => { if (el.textContent !== text) el.textContent = text; };
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));

  // The SVG elements of each value node, its grad and label texts, and the edges to light.
  const svgNode = {}, gradText = {}, labelText = {}, dataText = {};
  document.querySelectorAll("#graph g.node").forEach((g) => {
    const i = Number(g.dataset.id);
    svgNode[i] = g;
    const texts = Array.from(g.querySelectorAll("text"));
    const grad = texts.find((t) => t.textContent.startsWith("grad"));
    if (grad) { grad.classList.add("grad"); gradText[i] = grad; }
    const value = texts.find((t) => t.textContent.startsWith("data"));
    if (value) dataText[i] = value;
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

  // Exactly these elements (nulls skipped) get the class: only what changes is restyled.
  function mark(cls, elements) {
    const want = new Set(elements.filter(Boolean));
    document.querySelectorAll("#graph ." + cls).forEach((e) => { if (!want.has(e)) e.classList.remove(cls); });
    want.forEach((e) => { if (!e.classList.contains(cls)) e.classList.add(cls); });
  }

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
      g.setAttribute("data-grad", v === undefined ? "" : full(v));
      g.setAttribute("data-label", shown(i));
      g.classList.toggle("current", i === st.node);
      g.classList.toggle("unknown", v === undefined);
      g.classList.toggle("partial", v !== undefined && !final[i]);
      if (gradText[i]) setText(gradText[i], v === undefined ? "grad ?" : "grad " + fmt(v) + (final[i] ? "" : " + ..."));
      if (labelText[i]) setText(labelText[i], shown(i));
    }
    const flow = [byId("op" + st.node)];
    st.contributions.forEach((c, k) => edgeIds(st.node, k).forEach((id) => flow.push(byId(id))));
    mark("flow", flow);
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
    mark("selected", [svgNode[i]]);
    const onpath = [];
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
          onpath.push(svgNode[seq[m]]);
          edgeIds(child, k).concat(["o" + child]).forEach((id) => onpath.push(byId(id)));
        }
      }
      onpath.push(svgNode[root]);
      h += "</ul>";
      if (shownPaths.length < total) h += '<div class="note">Showing the first ' + shownPaths.length + " paths.</div>";
      else h += '<div class="sum math">sum of the products = ' + fmt(sum) + " = gradient " + fmt(n.grad) + "</div>";
    }
    mark("onpath", onpath);
    const box = byId("details");
    box.innerHTML = h;
    box.querySelectorAll("[data-go]").forEach((e) => e.addEventListener("click", () => select(Number(e.dataset.go))));
  }
  function select(i) { selected = i; details(i); showEditor(i); }

  // ---- live edits: a leaf's value in #value-input (or dragged on #value-slider) -----------------
  const editor = byId("editor"), input = byId("value-input"), drag = byId("value-slider");
  const note = byId("edit-note"), reset = byId("reset");
  function say(text, error) { note.textContent = text; note.classList.toggle("error", !!error); }
  function centre(x) {  // the slider spans the value +- max(1, |value|)
    const ok = Number.isFinite(x);
    drag.disabled = !ok || !live;
    if (!ok) return;
    const span = Math.max(1, Math.abs(x));
    drag.min = String(x - span); drag.max = String(x + span); drag.step = "any";
    drag.value = String(x);
  }
  function showEditor(i) {
    if (nodes[i].parents.length) { editor.hidden = true; editing = null; return; }
    editing = i;
    editor.hidden = false;
    byId("editor-name").textContent = shown(i);
    input.value = full(num(nodes[i].data));
    input.classList.remove("invalid");
    input.disabled = !live;
    centre(num(nodes[i].data));
    say(live ? "Enter a number (or drag): forward and backward run again at once." :
      "This graph has an op with no JavaScript rule: it cannot be edited here.", !live);
  }
  // Every number the page shows from the pass: the boxes' values, the edges' local derivatives.
  function showNumbers() {
    leaves.forEach((i, k) => { if (svgNode[i]) svgNode[i].classList.toggle("edited", !Object.is(current[k], recorded[k])); });
    nodes.forEach((n, i) => {
      if (n.label === null) n.name = "(" + (n.op || "leaf") + " " + fmt(n.data) + ")";  // as Python names it
      if (svgNode[i]) svgNode[i].setAttribute("data-value", full(num(n.data)));
      if (dataText[i]) setText(dataText[i], "data " + fmt(n.data));
      n.parents.forEach((p, k) => {
        const e = edgeIds(i, k).length ? byId(edgeIds(i, k)[0]) : null;
        const t = e && e.querySelector("text");
        if (t) setText(t, fmt(n.local_grads[k]));
      });
    });
  }
  // Put a new pass into the page's data: values, gradients, local derivatives, every step.
  function usePass(values, grads, locals) {
    nodes.forEach((n, i) => { n.data = values[i]; n.grad = grads[i]; n.local_grads = locals[i]; });
    for (const st of steps) {
      const g = grads[st.node];
      st.grad = g;
      st.contributions.forEach((c, k) => { c.local_grad = locals[st.node][k]; c.added = c.local_grad * g; });
    }
  }
  function afterPass() {  // the end of the new pass: every gradient final
    showNumbers();
    step = steps.length - 1;
    render();
  }
  function parseValue(text) {
    const t = text.trim().toLowerCase();
    const named = { nan: NaN, inf: Infinity, "+inf": Infinity, "-inf": -Infinity, infinity: Infinity, "+infinity": Infinity, "-infinity": -Infinity };
    if (t in named) return named[t];
    const x = t === "" ? NaN : Number(t);
    return Number.isNaN(x) ? null : x;
  }
  function edit(i, x) {
    const values = current.slice();
    values[leafAt[i]] = x;
    let r;
    try {
      r = live(values);
    } catch (e) {  // a domain error of the new values (log of a negative, 1/0, ...): say so
      say(e.message, true);
      return false;
    }
    current = values;
    usePass(r.values, r.node_grads, r.local_grads);
    reset.disabled = false;
    afterPass();
    say("Forward and backward ran again with " + shown(i) + " = " + fmt(x) + ".", false);
    return true;
  }
  function commit() {
    if (editing === null || !live) return;
    const x = parseValue(input.value);
    input.classList.toggle("invalid", x === null);
    if (x === null) { say("Not a number: " + input.value, true); return; }
    if (edit(editing, x)) centre(x);
  }
  input.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); commit(); } });
  input.addEventListener("change", commit);
  drag.addEventListener("input", () => {
    if (editing === null) return;
    const x = Number(drag.value);
    input.value = full(x);
    input.classList.remove("invalid");
    edit(editing, x);
  });
  drag.addEventListener("change", () => centre(Number(drag.value)));
  reset.addEventListener("click", () => {  // the recorded values, as the page was written
    const R = JSON.parse(document.getElementById("graph-data").textContent);
    current = leaves.map((i) => num(R.nodes[i].data));
    usePass(R.nodes.map((n) => n.data), R.nodes.map((n) => n.grad), R.nodes.map((n) => n.local_grads));
    reset.disabled = true;
    afterPass();
    if (editing !== null) showEditor(editing);
  });

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
    if (editing !== null) byId("editor-name").textContent = shown(editing);
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.target instanceof HTMLInputElement && ev.target.id !== "step-slider") return;
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
derivatives and its paths to the root. Click a leaf (an input or a parameter) to change its value:
forward and backward run again in the page.</p>
</header>
<div class="toolbar">
<button id="first" title="First step (Home)">&laquo; First</button>
<button id="prev" title="Previous step (&larr;)">&larr; Previous</button>
<button id="next" class="primary" title="Next step (&rarr;)">Next &rarr;</button>
<button id="last" title="Last step (End)">Last &raquo;</button>
<input id="step-slider" type="range" min="0" max="0" value="0" aria-label="backward step">
<span id="counter"></span>
{names_button}<button id="zoom">Actual size</button>
<button id="reset" disabled title="Back to the values the page was written with">Reset values</button>
</div>
<main>
<div id="graph" class="fit">{svg}</div>
<aside>
<h2>This step</h2>
<div id="caption" aria-live="polite"></div>
<h2>Selected node</h2>
<div id="editor" hidden><label for="value-input">Value of <b id="editor-name"></b></label>
<div class="row"><input id="value-input" type="text" inputmode="decimal" spellcheck="false"
autocomplete="off" aria-describedby="edit-note"><input id="value-slider" type="range" min="-1"
max="1" step="any" value="0" aria-label="drag to change the value"></div>
<div id="edit-note" class="note" aria-live="polite"></div></div>
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


def document(*, title: str, svg: str, data: str, has_names: bool, live: str = "") -> str:
    """The whole page: the SVG and the JSON (already safe to inline) in the template, and
    ``live``, the JavaScript of the compiled step for live edits (empty: no live edits)."""
    button = '<button id="names">Show the article\'s names</button>\n' if has_names else ""
    # No '</' can end the script early: in the step's code '<' only ever compares numbers.
    script = SCRIPT.replace("/*{live step}*/", live.replace("</", "< /").replace("<!--", "< !--"))
    parts = {
        "css": CSS,
        "script": script,
        "names_button": button,
        "title": html.escape(title),
        "svg": svg,
        "data": data,
    }
    # One pass over the template, so no inserted text is itself searched for placeholders.
    return re.sub(r"\{(css|script|names_button|title|svg|data)\}", lambda m: parts[m[1]], TEMPLATE)
