# ruff: noqa: E501  (the page's JavaScript is kept as a page is written, not wrapped)
"""The training page's HTML and script (``nn.training_page`` fills in the data and the steps).

The script trains with the compiled steps it is given (``STEPS``: batch size -> step function,
``FORWARD``: one point's output) and the optimizer updates below, which restate ``nn.optim``'s
with the same float operations in the same order, so the page's weights follow ``nn.fit``'s.
"""

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
  border-bottom: 1px solid #e5e7eb; flex-wrap: wrap; }
button { font: inherit; border: 1px solid #1f2937; background: #1f2937; color: #fff;
  border-radius: 8px; padding: 5px 14px; cursor: pointer; min-width: 5em; }
button:disabled { background: #9ca3af; border-color: #9ca3af; cursor: default; }
label { color: #374151; }
#lr { width: 7em; font: inherit; }
#lr.bad { outline: 2px solid #dc2626; }
#status { font-variant-numeric: tabular-nums; color: #374151; }
main { display: flex; flex-wrap: wrap; gap: 16px; padding: 16px 18px; align-items: flex-start; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 12px; padding: 12px; }
.card h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: #6b7280;
  margin: 0 0 8px; }
canvas { display: block; }
#plane { cursor: crosshair; }
.key { font-size: 12px; color: #6b7280; margin-top: 6px; max-width: 460px; }
#weights { font: 11px/1.35 ui-monospace, SFMono-Regular, Menlo, monospace; columns: 2; column-gap: 18px;
  max-height: 640px; overflow: auto; }
#weights div { break-inside: avoid; white-space: nowrap; }
#weights .name { display: inline-block; min-width: 7.5em; color: #374151; }
#weights .value { display: inline-block; min-width: 8.5em; text-align: right; }
#weights .grad { display: inline-block; min-width: 8.5em; text-align: right; color: #6b7280; }
</style>
</head>
<body>
<header><h1>{title}</h1>
<p>The network trains here, in the page: each step runs the batch's forward and backward pass
(compiled from the engine's graph) and one optimizer update. Red is class 0, blue class 1 (the
colours of the article's Figure 1); the black line is where the two classes meet. Click the plot to
add a point of class 1, shift-click for the other class, and watch the network repair it (Reset
goes back to the initial weights and keeps the points).</p></header>
<div class="bar">
<button id="play">Play</button>
<button id="pause" disabled>Pause</button>
<button id="step">Step</button>
<button id="reset">Reset</button>
<label for="lr">learning rate</label><input id="lr" type="number" step="any" min="0">
<span id="status"></span>
</div>
<main>
<div class="card"><h2>Decision boundary</h2><canvas id="plane" width="460" height="460"></canvas>
<div class="key" id="plane-key"></div></div>
<div class="card"><h2>Loss</h2><canvas id="loss-curve" width="420" height="200"></canvas>
<h2 style="margin-top:12px">Accuracy</h2><canvas id="acc-curve" width="420" height="200"></canvas>
<div class="key">Loss: grey, each step's batch; black, each epoch's mean over its batches (as
nn.fit's History.loss). Accuracy: each epoch's, over the samples as they were seen.</div></div>
<div class="card"><h2>Weights: value, gradient of the last step</h2><div id="weights"></div></div>
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
  const P = D.params.length, B = D.batch, O = D.optimizer, L = D.limit, SIDE = 50;
  const X = D.X.map((x) => x.slice()), Y = D.y.slice();
  const negative = D.kind === "sign" ? -1.0 : 0.0;  // the label of the other class
  let w, grad, opt, pos, epoch, steps, last, epochLoss, epochCorrect, stepLosses, epochLosses, epochAcc;

  function reset() {
    w = Float64Array.from(D.params);
    grad = new Float64Array(P);
    opt = {lr: opt ? opt.lr : O.lr, t: O.t,
           a: Float64Array.from(O.m || O.velocity), b: Float64Array.from(O.v || O.u || O.velocity)};
    pos = 0; epoch = 0; steps = 0; last = NaN; epochLoss = 0; epochCorrect = 0;
    stepLosses = []; epochLosses = []; epochAcc = [];
  }

  // ---- the optimizers: nn.optim's updates, the same operations in the same order -------------
  function update() {
    opt.t += 1;
    const lr = opt.lr, m = opt.a, s = opt.b;
    if (O.kind === "SGD") {
      const mu = O.momentum;
      if (mu === 0.0) { for (let i = 0; i < P; i++) w[i] -= lr * grad[i]; return; }
      for (let i = 0; i < P; i++) { const v = mu * m[i] + grad[i]; m[i] = v; w[i] -= lr * v; }
      return;
    }
    const b1 = O.betas[0], b2 = O.betas[1], eps = O.eps;
    if (O.kind === "Adam") {
      const lr_t = lr * Math.sqrt(1.0 - b2 ** opt.t) / (1.0 - b1 ** opt.t);
      for (let i = 0; i < P; i++) {
        const g = grad[i];
        const mi = b1 * m[i] + (1.0 - b1) * g;
        const vi = b2 * s[i] + (1.0 - b2) * g * g;
        m[i] = mi; s[i] = vi;
        w[i] -= lr_t * mi / (Math.sqrt(vi) + eps);
      }
      return;
    }
    const lr_t = lr / (1.0 - b1 ** opt.t);  // Adamax
    for (let i = 0; i < P; i++) {
      const g = grad[i];
      const mi = b1 * m[i] + (1.0 - b1) * g;
      const a = b2 * s[i], ag = Math.abs(g), ui = ag > a ? ag : a;  // Python's max(a, |g|)
      m[i] = mi; s[i] = ui;
      w[i] -= lr_t * mi / (ui + eps);
    }
  }

  // ---- one training step: the next batch in order, forward and backward, update --------------
  function feed(start, count) {
    const values = new Array(P + 3 * count);
    let k = 0;
    for (let i = 0; i < P; i++) values[k++] = w[i];
    for (let s = start; s < start + count; s++) { values[k++] = X[s][0]; values[k++] = X[s][1]; }
    for (let s = start; s < start + count; s++) values[k++] = Y[s];
    return values;
  }
  function correct(o, t) {
    return D.kind === "sign" ? ((o > 0.0 ? 1.0 : -1.0) === t ? 1 : 0) : ((o > 0.5 ? 1.0 : 0.0) === t ? 1 : 0);
  }
  function trainStep() {
    const n = X.length, count = Math.min(B, n - pos);
    let J, outputs;
    const f = STEPS[count];
    if (f) {  // the batch's own compiled step: nn.fit's J and gradients
      const r = f(feed(pos, count));
      for (let i = 0; i < P; i++) grad[i] = 0.0 + r.grads[i];
      J = r.outputs[0]; outputs = r.outputs.slice(1);
    } else {  // a batch size made by added points: the mean of one-sample steps
      grad.fill(0.0); J = 0.0; outputs = [];
      for (let s = pos; s < pos + count; s++) {
        const r = STEPS[1](feed(s, 1));
        for (let i = 0; i < P; i++) grad[i] += r.grads[i];
        J += r.outputs[0]; outputs.push(r.outputs[1]);
      }
      for (let i = 0; i < P; i++) grad[i] /= count;
      J /= count;
    }
    update();
    steps += 1; last = J; stepLosses.push(J);
    epochLoss += J * count;
    for (let i = 0; i < count; i++) epochCorrect += correct(outputs[i], Y[pos + i]);
    pos += count;
    if (pos >= n) {
      epochLosses.push(epochLoss / n); epochAcc.push(epochCorrect / n);
      epoch += 1; pos = 0; epochLoss = 0; epochCorrect = 0;
    }
  }

  // ---- drawing ---------------------------------------------------------------------------
  const plane = document.getElementById("plane"), W = plane.width;
  const grid = new Float64Array(SIDE * SIDE);
  const off = document.createElement("canvas"); off.width = SIDE; off.height = SIDE;
  const tick = (i) => -L + 2 * L * i / (SIDE - 1);
  function colour(p) {  // red (0) - white (0.5) - blue (1), as the article's Figure 1
    const t = Math.max(0, Math.min(1, p));
    const a = t < 0.5 ? [185, 28, 28] : [29, 78, 216], f = Math.abs(t - 0.5) * 1.2;  // paler than the points
    return a.map((c) => Math.round(255 + (c - 255) * f));
  }
  function probability(o) { return D.kind === "sign" ? 1 / (1 + Math.exp(-o)) : o; }
  function drawPlane() {
    const ctx = plane.getContext("2d"), values = new Array(P + 2);
    for (let i = 0; i < P; i++) values[i] = w[i];
    for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) {
      values[P] = tick(c); values[P + 1] = tick(r);
      grid[r * SIDE + c] = probability(FORWARD(values).outputs[0]);
    }
    const img = off.getContext("2d").createImageData(SIDE, SIDE);
    for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) {
      const [R, G, Bl] = colour(grid[r * SIDE + c]), k = ((SIDE - 1 - r) * SIDE + c) * 4;
      img.data[k] = R; img.data[k + 1] = G; img.data[k + 2] = Bl; img.data[k + 3] = 255;
    }
    off.getContext("2d").putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, W, W);
    // the p = 0.5 line, cell by cell (marching squares, straight segments)
    const cell = W / (SIDE - 1), at = (r, c) => grid[r * SIDE + c] - 0.5;
    ctx.strokeStyle = "#111827"; ctx.lineWidth = 1.6; ctx.beginPath();
    for (let r = 0; r + 1 < SIDE; r++) for (let c = 0; c + 1 < SIDE; c++) {
      const v = [at(r, c), at(r, c + 1), at(r + 1, c + 1), at(r + 1, c)];
      const corners = [[r, c], [r, c + 1], [r + 1, c + 1], [r + 1, c]], pts = [];
      for (let e = 0; e < 4; e++) {
        const a = v[e], b = v[(e + 1) % 4];
        if ((a < 0) !== (b < 0)) {
          const t = a / (a - b), [r1, c1] = corners[e], [r2, c2] = corners[(e + 1) % 4];
          pts.push([(c1 + (c2 - c1) * t) * cell, W - (r1 + (r2 - r1) * t) * cell]);
        }
      }
      for (let i = 0; i + 1 < pts.length; i += 2) { ctx.moveTo(...pts[i]); ctx.lineTo(...pts[i + 1]); }
    }
    ctx.stroke();
    const px = (x) => (x + L) / (2 * L) * W, py = (y) => W - (y + L) / (2 * L) * W;
    for (let s = 0; s < X.length; s++) {  // added points larger, outlined in black
      const added = s >= D.X.length;
      ctx.fillStyle = Y[s] > negative ? "#1d4ed8" : "#b91c1c";
      ctx.strokeStyle = added ? "#111827" : "#ffffff"; ctx.lineWidth = added ? 1.5 : 0.6;
      ctx.beginPath(); ctx.arc(px(X[s][0]), py(X[s][1]), added ? 4.5 : 2.5, 0, 7); ctx.fill(); ctx.stroke();
    }
  }
  function curve(id, series, thin, fixedTop) {
    const cv = document.getElementById(id), ctx = cv.getContext("2d"), Wc = cv.width, H = cv.height;
    ctx.clearRect(0, 0, Wc, H);
    const all = thin.concat(series).filter(Number.isFinite);
    const top = fixedTop || Math.max(1e-9, ...all.slice(-5000)), m = 38;
    const Yv = (v) => H - 20 - (H - 30) * Math.min(v, top) / top;
    ctx.strokeStyle = "#e5e7eb"; ctx.fillStyle = "#6b7280"; ctx.font = "11px system-ui, sans-serif";
    for (let g = 0; g <= 4; g++) {
      const v = top * g / 4;
      ctx.beginPath(); ctx.moveTo(m, Yv(v)); ctx.lineTo(Wc - 8, Yv(v)); ctx.stroke();
      ctx.fillText(v.toFixed(2), 2, Yv(v) + 4);
    }
    const perEpoch = Math.max(1, Math.ceil(X.length / B));
    const span = Math.max(thin.length, series.length * perEpoch, 1);
    const Xs = (i) => m + (Wc - m - 8) * i / span;
    ctx.fillText("steps: " + steps + ", epochs: " + epoch, m, H - 4);
    if (thin.length) {
      ctx.strokeStyle = "#9ca3af"; ctx.lineWidth = 1; ctx.beginPath();
      thin.forEach((v, i) => (i ? ctx.lineTo(Xs(i + 1), Yv(v)) : ctx.moveTo(Xs(i + 1), Yv(v))));
      ctx.stroke();
    }
    if (series.length) {
      ctx.strokeStyle = "#1f2937"; ctx.fillStyle = "#1f2937"; ctx.lineWidth = 1.8; ctx.beginPath();
      series.forEach((v, i) => {
        const x = Xs((i + 1) * perEpoch);
        return i ? ctx.lineTo(x, Yv(v)) : ctx.moveTo(x, Yv(v));
      });
      ctx.stroke();
    }
  }
  const table = document.getElementById("weights"), cells = [];
  for (let i = 0; i < P; i++) {
    const row = document.createElement("div"), name = document.createElement("span");
    name.className = "name"; name.textContent = D.names[i];
    const value = document.createElement("span"), g = document.createElement("span");
    value.className = "value"; g.className = "grad";
    row.append(name, value, g); table.append(row); cells.push([value, g]);
  }
  function draw() {
    drawPlane();
    curve("loss-curve", epochLosses, stepLosses, 0);
    curve("acc-curve", epochAcc, [], 1);
    for (let i = 0; i < P; i++) {
      cells[i][0].textContent = w[i].toPrecision(6);
      cells[i][1].textContent = steps ? grad[i].toPrecision(4) : "";
    }
    document.getElementById("status").textContent = "step " + steps + ", epoch " + epoch +
      (steps ? ", batch loss " + last.toFixed(4) : "") +
      (epochAcc.length ? ", accuracy " + epochAcc[epochAcc.length - 1].toFixed(3) : "") +
      ", " + X.length + " points" + (stopped ? "; " + stopped : "");
  }

  // ---- controls ------------------------------------------------------------------------
  const playButton = document.getElementById("play"), pauseButton = document.getElementById("pause");
  const lrInput = document.getElementById("lr");
  let playing = false, stopped = "";
  function train(count, budget) {  // count steps, or as many as fit in budget ms; then draw
    const start = performance.now();
    try {
      for (let i = 0; i < count || performance.now() - start < budget; i++) trainStep();
      stopped = "";
    } catch (e) {  // e.g. a learning rate so large that a value overflows: stop and say why
      setPlaying(false);
      stopped = "stopped: " + e.name + ": " + e.message;
    }
    draw();
  }
  function frame() {
    if (!playing) return;
    train(0, 12);
    if (playing) requestAnimationFrame(frame);
  }
  function setPlaying(on) {
    playing = on; playButton.disabled = on; pauseButton.disabled = !on;
    if (on) requestAnimationFrame(frame);
  }
  playButton.addEventListener("click", () => setPlaying(true));
  pauseButton.addEventListener("click", () => setPlaying(false));
  document.getElementById("step").addEventListener("click", () => train(1, 0));
  document.getElementById("reset").addEventListener("click", () => { reset(); stopped = ""; draw(); });
  lrInput.addEventListener("input", () => {
    const lr = Number(lrInput.value);
    const ok = lrInput.value.trim() !== "" && Number.isFinite(lr) && lr > 0;
    lrInput.classList.toggle("bad", !ok);
    if (ok) opt.lr = lr;
  });
  plane.addEventListener("click", (e) => {
    const box = plane.getBoundingClientRect();
    const x = ((e.clientX - box.left) / box.width * 2 - 1) * L;
    const y = (1 - (e.clientY - box.top) / box.height * 2) * L;
    X.push([x, y]); Y.push(e.shiftKey ? negative : 1.0);
    draw();
  });
  document.getElementById("plane-key").textContent = "x1 horizontal, x2 vertical, from " + (-L) +
    " to " + L + ". " + D.X.length + " points; " + D.optimizer.kind + ", " + D.loss +
    ", batches of " + B + " in order.";

  reset();
  lrInput.value = String(opt.lr);
  draw();
  window.chainrule = {
    step(n = 1) { for (let i = 0; i < n; i++) trainStep(); draw(); return last; },
    weights() { return Array.from(w); },
    loss() { return last; },
  };
})();
"""
