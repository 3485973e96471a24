# ruff: noqa: E501  (the page's JavaScript is kept as a page is written, not wrapped)
"""A self-contained HTML page to watch a 2-D classifier train, epoch by epoch.

    write(path, ticks, frames, history, X_train, y_train, X_test, y_test)

The page shows the model's probability over the plane after every epoch (a slider and a play
button), the data points, and the loss and accuracy curves with the current epoch marked. The
snapshots come from ``nn.fit``'s ``callbacks=`` hook (see demos.circles); everything is inline,
so the page opens from a file manager with no server and makes no network request.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from engine.files import write_atomic

SIDE = 50  # grid points per side on the page (the demo's finer grid is subsampled to this)


def _subsample(ticks: Sequence[float], flat: Sequence[float]) -> tuple[list[float], list[float]]:
    """The ticks and grid values at about SIDE points per side (every k-th row and column)."""
    n = len(ticks)
    step = max(1, math.ceil(n / SIDE))
    keep = list(range(0, n, step))
    values = [round(float(flat[r * n + c]), 3) for r in keep for c in keep]
    return [ticks[i] for i in keep], values


def write(
    path: Path,
    ticks: Sequence[float],
    frames: Sequence[tuple[int, Sequence[float]]],
    history: Any,
    X_train: Sequence[Sequence[float]],
    y_train: Sequence[float],
    X_test: Sequence[Sequence[float]],
    y_test: Sequence[float],
    title: str = "circles: training, epoch by epoch",
    dead: Mapping[int, Mapping[int, Sequence[int]]] | None = None,
    widths: Mapping[int, int] | None = None,
) -> Path:
    """Write the page; ``frames`` are (epoch, probabilities on the ticks x ticks grid, x2 outer).

    ``dead`` (optional, nn.DeadUnits' ``per_epoch``) maps an epoch to {ReLU layer: its dead units}
    and ``widths`` a layer to its number of units: the page then shows which units are dead at
    the epoch on the slider."""
    kept_ticks, _ = _subsample(ticks, frames[0][1])
    data = {
        "ticks": kept_ticks,
        "frames": [{"epoch": e, "p": _subsample(ticks, flat)[1]} for e, flat in frames],
        "loss": list(history.loss),
        "accuracy": list(history.accuracy),
        "val_loss": list(getattr(history, "val_loss", []) or []),
        "val_accuracy": list(getattr(history, "val_accuracy", []) or []),
        "train": [[round(x[0], 4), round(x[1], 4), int(y)] for x, y in zip(X_train, y_train)],
        "test": [[round(x[0], 4), round(x[1], 4), int(y)] for x, y in zip(X_test, y_test)],
        "dead": {str(e): {str(k): list(u) for k, u in d.items()} for e, d in (dead or {}).items()},
        "widths": {str(k): int(n) for k, n in (widths or {}).items()},
    }
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    page = (
        PAGE.replace("{title}", html.escape(title))
        .replace("{script}", SCRIPT)
        .replace("{data}", payload)
    )
    return write_atomic(path, page)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: #1f2937; background: #f3f4f6; margin: 0; }
header { background: #fff; border-bottom: 1px solid #e5e7eb; padding: 10px 18px; }
h1 { font-size: 18px; margin: 0; }
header p { margin: 2px 0 0; color: #6b7280; font-size: 13px; }
.bar { display: flex; gap: 10px; align-items: center; padding: 8px 18px; background: #fff;
  border-bottom: 1px solid #e5e7eb; }
button { font: inherit; border: 1px solid #1f2937; background: #1f2937; color: #fff;
  border-radius: 8px; padding: 5px 14px; cursor: pointer; min-width: 6em; }
#epoch { flex: 1; accent-color: #dc2626; }
#label { font-variant-numeric: tabular-nums; min-width: 16em; color: #374151; }
main { display: flex; flex-wrap: wrap; gap: 16px; padding: 16px 18px; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 12px; padding: 12px; }
.card h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: #6b7280;
  margin: 0 0 8px; }
canvas { display: block; }
.key { font-size: 12px; color: #6b7280; margin-top: 6px; }
.units { display: flex; gap: 4px; align-items: center; margin: 4px 0; }
.units b { font-weight: 600; min-width: 5.5em; font-size: 13px; }
.unit { width: 18px; height: 18px; border-radius: 4px; background: #16a34a; color: #fff;
  font-size: 11px; text-align: center; line-height: 18px; }
.unit.dead { background: #9ca3af; }
</style>
</head>
<body>
<header><h1>{title}</h1>
<p>The model's probability of class 1 over the plane after each epoch (red 0, blue 1, the colours
of the article's Figure 1; the black line is p = 0.5), with the training points (small) and the
test points (outlined).</p></header>
<div class="bar">
<button id="play">Play</button>
<input id="epoch" type="range" min="0" max="0" value="0" aria-label="epoch">
<span id="label"></span>
</div>
<main>
<div class="card"><h2>Decision boundary</h2><canvas id="plane" width="460" height="460"></canvas>
<div class="key">x1 horizontal, x2 vertical, both from the first to the last tick.</div></div>
<div class="card"><h2>Loss</h2><canvas id="loss" width="420" height="200"></canvas>
<h2 style="margin-top:12px">Accuracy</h2><canvas id="acc" width="420" height="200"></canvas>
<div class="key">solid: training; dashed: test. The red line marks the epoch shown.</div></div>
<div class="card" id="dead-card" hidden><h2>Dead ReLU units</h2><div id="dead"></div>
<div class="key">grey: a unit whose input is &le; 0 for every training sample at this epoch: it<br>
passes no gradient back, so it cannot learn again unless the layers below it move.</div></div>
</main>
<script type="application/json" id="training-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""

SCRIPT = r"""
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("training-data").textContent);
  const n = D.ticks.length, lo = D.ticks[0], hi = D.ticks[n - 1];
  const slider = document.getElementById("epoch"), label = document.getElementById("label");
  const play = document.getElementById("play");
  slider.max = String(D.frames.length - 1);
  let timer = null;

  function colour(p) {  // red (0) - white (0.5) - blue (1), as the article's Figure 1
    const t = Math.max(0, Math.min(1, p));
    const a = t < 0.5 ? [185, 28, 28] : [29, 78, 216], f = Math.abs(t - 0.5) * 2;
    return a.map((c) => Math.round(255 + (c - 255) * f));
  }
  function plane(frame) {
    const cv = document.getElementById("plane"), ctx = cv.getContext("2d"), W = cv.width;
    const img = ctx.createImageData(n, n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
      const [R, G, B] = colour(frame.p[r * n + c]), k = ((n - 1 - r) * n + c) * 4;
      img.data[k] = R; img.data[k + 1] = G; img.data[k + 2] = B; img.data[k + 3] = 255;
    }
    const off = document.createElement("canvas"); off.width = n; off.height = n;
    off.getContext("2d").putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, W, W);
    // the p = 0.5 contour, cell by cell (marching squares, straight segments)
    const cell = W / (n - 1), at = (r, c) => frame.p[r * n + c] - 0.5;
    const px = (c) => c * cell, py = (r) => W - r * cell;
    ctx.strokeStyle = "#111827"; ctx.lineWidth = 1.6; ctx.beginPath();
    for (let r = 0; r + 1 < n; r++) for (let c = 0; c + 1 < n; c++) {
      const v = [at(r, c), at(r, c + 1), at(r + 1, c + 1), at(r + 1, c)];
      const corners = [[r, c], [r, c + 1], [r + 1, c + 1], [r + 1, c]], pts = [];
      for (let e = 0; e < 4; e++) {
        const a = v[e], b = v[(e + 1) % 4];
        if ((a < 0) !== (b < 0)) {
          const t = a / (a - b), [r1, c1] = corners[e], [r2, c2] = corners[(e + 1) % 4];
          pts.push([px(c1 + (c2 - c1) * t), py(r1 + (r2 - r1) * t)]);
        }
      }
      for (let i = 0; i + 1 < pts.length; i += 2) { ctx.moveTo(...pts[i]); ctx.lineTo(...pts[i + 1]); }
    }
    ctx.stroke();
    const X = (x) => (x - lo) / (hi - lo) * W, Y = (y) => W - (y - lo) / (hi - lo) * W;
    for (const [x, y, k] of D.train) {
      ctx.fillStyle = k ? "#1d4ed8" : "#b91c1c";
      ctx.beginPath(); ctx.arc(X(x), Y(y), 2, 0, 7); ctx.fill();
    }
    for (const [x, y, k] of D.test) {
      ctx.fillStyle = k ? "#1d4ed8" : "#b91c1c"; ctx.strokeStyle = "#111827"; ctx.lineWidth = 1.2;
      ctx.beginPath(); ctx.arc(X(x), Y(y), 4, 0, 7); ctx.fill(); ctx.stroke();
    }
  }
  function curves(id, train, test, epoch, fixedMax) {
    const cv = document.getElementById(id), ctx = cv.getContext("2d"), W = cv.width, H = cv.height;
    ctx.clearRect(0, 0, W, H);
    const all = train.concat(test), m = 34, count = Math.max(train.length, 1);
    const top = fixedMax || Math.max(...all, 1e-9), bottom = fixedMax ? 0 : 0;
    const X = (i) => m + (W - m - 8) * (count === 1 ? 0.5 : i / (count - 1));
    const Y = (v) => H - 20 - (H - 30) * (v - bottom) / (top - bottom);
    ctx.strokeStyle = "#e5e7eb"; ctx.fillStyle = "#6b7280"; ctx.font = "11px system-ui, sans-serif";
    for (let g = 0; g <= 4; g++) {
      const v = bottom + (top - bottom) * g / 4;
      ctx.beginPath(); ctx.moveTo(m, Y(v)); ctx.lineTo(W - 8, Y(v)); ctx.stroke();
      ctx.fillText(v.toFixed(2), 2, Y(v) + 4);
    }
    ctx.fillText("epoch 1", m, H - 4); ctx.fillText(String(count), W - 24, H - 4);
    for (const [series, dash] of [[train, []], [test, [5, 4]]]) {
      if (!series.length) continue;
      ctx.setLineDash(dash); ctx.strokeStyle = "#1f2937"; ctx.lineWidth = 1.6; ctx.beginPath();
      series.forEach((v, i) => (i ? ctx.lineTo(X(i), Y(v)) : ctx.moveTo(X(i), Y(v))));
      ctx.stroke();
    }
    ctx.setLineDash([]);
    if (epoch > 0) {
      ctx.strokeStyle = "#dc2626"; ctx.lineWidth = 1.5; ctx.beginPath();
      ctx.moveTo(X(epoch - 1), 6); ctx.lineTo(X(epoch - 1), H - 20); ctx.stroke();
    }
  }
  function deadUnits(epoch) {
    const byLayer = D.dead[String(epoch)], box = document.getElementById("dead");
    document.getElementById("dead-card").hidden = !byLayer;
    if (!byLayer) return;
    box.replaceChildren();
    for (const layer of Object.keys(D.widths)) {
      const dead = new Set(byLayer[layer] || []), row = document.createElement("div");
      row.className = "units";
      const name = document.createElement("b");
      name.textContent = "layer " + layer + ": " + dead.size + "/" + D.widths[layer];
      row.append(name);
      for (let u = 1; u <= D.widths[layer]; u++) {
        const cell = document.createElement("span");
        cell.className = dead.has(u) ? "unit dead" : "unit";
        cell.textContent = String(u);
        cell.title = "unit " + u + (dead.has(u) ? ": dead" : ": alive");
        row.append(cell);
      }
      box.append(row);
    }
  }
  function show(i) {
    const f = D.frames[i];
    deadUnits(f.epoch);
    slider.value = String(i);
    plane(f);
    curves("loss", D.loss, D.val_loss, f.epoch, 0);
    curves("acc", D.accuracy, D.val_accuracy, f.epoch, 1);
    const e = f.epoch;
    label.textContent = e === 0 ? "before training" :
      "epoch " + e + ": loss " + D.loss[e - 1].toFixed(4) + ", accuracy " + D.accuracy[e - 1].toFixed(3) +
      (D.val_accuracy.length ? ", test accuracy " + D.val_accuracy[e - 1].toFixed(3) : "");
  }
  slider.addEventListener("input", () => show(Number(slider.value)));
  play.addEventListener("click", () => {
    if (timer) { clearInterval(timer); timer = null; play.textContent = "Play"; return; }
    if (Number(slider.value) >= D.frames.length - 1) show(0);
    play.textContent = "Pause";
    timer = setInterval(() => {
      const i = Number(slider.value) + 1;
      if (i >= D.frames.length) { clearInterval(timer); timer = null; play.textContent = "Play"; return; }
      show(i);
    }, 200);
  });
  show(D.frames.length - 1);
})();
"""
