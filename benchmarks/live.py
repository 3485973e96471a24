"""The explorer's live edits: milliseconds per edit in headless Chromium; and how often JavaScript's
Math rounds differently from C's libm.

    python -m benchmarks.live [--figures edit,bits] [--edits 200] [--rounds 5] [--sample 1000000]

edit   For each of the articles' networks (the demos' graphs: perceptron, seeds 000, 001, 002 and
       one sample of the circles network), the explorer page (engine.explore) is opened from
       file:// in Debian's Chromium, headless, through playwright; a weight is clicked and --edits
       new values are entered one after another (the input's value set, then an Enter keydown
       dispatched), in one page.evaluate, timed with performance.now(). One edit is everything the
       page does for it: the compiled step (forward and backward over every node), the page's data,
       every box's texts and attributes, the edge labels, the caption, the paths panel, then one
       forced layout (reading offsetHeight); the paint that follows is not included. Reported:
       the median over --rounds blocks of ms per edit. Beside it: the compiled step alone in the
       same page (the same JavaScript, called --edits * 20 times), and the Python compiled step
       (engine.compile(..., all_nodes=True), the same work) and the plain one (inputs' gradients
       only), µs per call, median of --rounds blocks.
bits   The prelude's exp, log, tanh, sigmoid, power and pow_slope (engine/js.py) on --sample
       random arguments each, run by node, against engine/floats.py's (C's libm through Python):
       the share of results that differ at all, and the largest difference in units in the last
       place (ulp). Then the articles' networks compiled to both languages at 2,000 random
       parameter points: the share of node values and gradients that differ, and the largest
       relative difference.
Run it alone on an idle machine: other processes distort the timings.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path

import engine
import nn
from engine import Value, floats, js

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]  # fmt: skip


# ---- the articles' networks ----------------------------------------------------------------------


def networks() -> dict[str, tuple[Value, nn.Module, str]]:
    """name -> (the loss J, the model, the label of the weight the benchmark edits)."""
    from demos import circles, four_layer, perceptron, two_layer_bce, two_layer_mse

    made = {}
    neuron = nn.Neuron(3, "sigmoid", seed=4)
    made["perceptron (004)"] = (perceptron.cost(neuron)[0], neuron)
    for name, module, loss, activations, seed in (
        ("two_layer_mse (000)", two_layer_mse, nn.mse, ["sigmoid", "sigmoid"], 0),
        ("two_layer_bce (001)", two_layer_bce, nn.binary_cross_entropy, ["tanh", "sigmoid"],
         two_layer_bce.first_active_seed("tanh")),
        ("four_layer (002)", four_layer, nn.mse, ["sigmoid", "sigmoid", "linear"], 2),
    ):  # fmt: skip
        model = nn.MLP(len(module.X), module.SIZES, activations, seed=seed)
        inputs = [Value(v, label=f"X_{i}") for i, v in enumerate(module.X, 1)]
        y = module.Y if hasattr(module, "Y") else 0.0
        made[name] = (loss(model(inputs), y), model)
    model = nn.MLP(2, circles.SIZES, circles.ACTIVATIONS, init="glorot_uniform", seed=0)
    made["circles, one sample"] = (nn.binary_cross_entropy(model([0.3, -0.8]), 1.0), model)
    return {k: (J, m, m.parameters()[0].label) for k, (J, m) in made.items()}


# ---- edit: ms per live edit in Chromium ----------------------------------------------------------

EDITS = """([id, n, rounds]) => {
  document.getElementById("v" + id).dispatchEvent(new MouseEvent("click", {bubbles: true}));
  const input = document.getElementById("value-input");
  const start = Number(input.value), blocks = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let k = 0; k < n; k++) {
      input.value = String(start + 0.001 * (k + 1));
      input.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", bubbles: true}));
      void document.body.offsetHeight;  // the layout the edit needs, forced now
    }
    blocks.push((performance.now() - t) / n);
  }
  return blocks;
}"""

STEP_ALONE = """([source, values, n, rounds]) => {
  const step = new Function(source + "\\nreturn step;")();
  const blocks = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let k = 0; k < n; k++) { values[0] += 1e-6; sink += step(values).node_grads[0]; }
    blocks.push((performance.now() - t) / n * 1000);
  }
  return [blocks, sink];
}"""


def python_step(step: Callable, values: list[float], n: int, rounds: int) -> list[float]:
    blocks = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(n):
            step(values)
        blocks.append((time.perf_counter() - t) / n * 1e6)
    return blocks


def edit_figure(n_edits: int, rounds: int) -> None:
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for name, (J, model, weight) in networks().items():
            order = engine.topo_order(J)
            leaves = [v for v in order if not v.parents]
            path = engine.explore(J, Path(folder) / "page.html", describe=nn.graph_view(model))
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda x, e=errors: e.append(str(x)))
            page.goto(path.as_uri())
            index = next(i for i, v in enumerate(order) if v.label == weight)
            per_edit = page.evaluate(EDITS, [index, n_edits, rounds])
            source = engine.compile(J, leaves, language="javascript", all_nodes=True).source
            values = [v.data for v in leaves]
            js_step, _ = page.evaluate(STEP_ALONE, [source, values, n_edits * 20, rounds])
            page.close()
            assert not errors, errors
            full = engine.compile(J, leaves, all_nodes=True).function
            plain = engine.compile(J, leaves).function
            py_full = python_step(full, values, n_edits * 20, rounds)
            py_plain = python_step(plain, values, n_edits * 20, rounds)
            rows.append((name, len(order), len(leaves), per_edit, js_step, py_full, py_plain))
        version = browser.version
        browser.close()
    print(f"edit: ms per live edit in the explorer page, headless Chromium {version}, "
          f"{n_edits} edits per block, median of {rounds} blocks (min-max)")  # fmt: skip
    print(f"{'network':22} {'nodes':>5} {'leaves':>6}  {'edit ms':>16}  {'JS step µs':>14}  "
          f"{'Python step µs':>15}  {'(inputs only)':>13}")  # fmt: skip
    for name, nodes, n_leaves, edit, js_step, py_full, py_plain in rows:
        print(f"{name:22} {nodes:5d} {n_leaves:6d}  {_spread(edit, 3):>16}  "
              f"{_spread(js_step, 1):>14}  {_spread(py_full, 1):>15}  "
              f"{statistics.median(py_plain):13.1f}")  # fmt: skip


def _spread(xs: Sequence[float], digits: int) -> str:
    return f"{statistics.median(xs):.{digits}f} ({min(xs):.{digits}f}-{max(xs):.{digits}f})"


# ---- bits: JavaScript's Math against C's libm --------------------------------------------------


def _arguments(name: str, n: int, rng: random.Random) -> list[tuple[float, ...]]:
    if name == "exp":
        return [(rng.uniform(-30.0, 30.0),) for _ in range(n // 2)] + [
            (rng.uniform(-700.0, 700.0),) for _ in range(n - n // 2)
        ]
    if name == "log":
        return [(10.0 ** rng.uniform(-12.0, 12.0),) for _ in range(n)]
    if name in ("tanh", "sigmoid"):
        return [(rng.uniform(-20.0, 20.0),) for _ in range(n)]
    exponents = [2.0, 3.0, -1.0, -2.0, -1.5, 0.1234567891]

    def exponent() -> float:
        return rng.choice(exponents) if rng.random() < 0.5 else rng.uniform(-4.0, 4.0)

    return [(rng.uniform(0.01, 10.0), exponent()) for _ in range(n)]


BITS = """
const fs = require("fs");
const [argsFile, outFile, name, arity] = process.argv.slice(2);
const buf = fs.readFileSync(argsFile);
const a = new Float64Array(buf.buffer, buf.byteOffset, buf.length / 8);
const n = a.length / Number(arity), out = new Float64Array(n);
const f = {exp, log, tanh: Math.tanh, sigmoid, power, pow_slope}[name];
for (let i = 0; i < n; i++) out[i] = arity === "1" ? f(a[i]) : f(a[2 * i], a[2 * i + 1]);
fs.writeFileSync(outFile, Buffer.from(out.buffer));
"""


def _ulps(a: float, b: float) -> int:
    ia, ib = (struct.unpack("<q", struct.pack("<d", x))[0] for x in (a, b))
    return abs(ia - ib)


def bits_figure(sample: int) -> None:
    node = shutil.which("node")
    if node is None:
        sys.exit("bits: node is not installed")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    functions = {"exp": floats.exp, "log": floats.log, "tanh": math.tanh, "sigmoid": floats.sigmoid,
                 "power": floats.power, "pow_slope": floats.pow_slope}  # fmt: skip
    print(f"bits: node {version} (V8's Math) against Python {sys.version.split()[0]} (libm), "
          f"{sample:,} random arguments per function")  # fmt: skip
    rng = random.Random(22)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bits.js"
        script.write_text(js.PRELUDE + BITS, encoding="utf-8")
        for name, f in functions.items():
            args = _arguments(name, sample, rng)
            flat = array("d", [x for a in args for x in a])
            (Path(folder) / "args").write_bytes(flat.tobytes())
            files = [str(Path(folder) / "args"), str(Path(folder) / "out")]
            subprocess.run([node, str(script), *files, name, str(len(args[0]))], check=True)
            got = array("d")
            got.frombytes((Path(folder) / "out").read_bytes())
            differ, worst = 0, 0
            for a, g in zip(args, got):
                want = f(*a)
                if struct.pack("<d", want) != struct.pack("<d", g):
                    differ += 1
                    worst = max(worst, _ulps(want, g))
            print(f"  {name:10} {differ / len(args):8.3%} of results differ, by at most "
                  f"{worst} ulp ({differ:,} of {len(args):,})")  # fmt: skip
    _networks_bits(node)


def _networks_bits(node: str) -> None:
    """The articles' networks at random parameter points: every node's value and gradient."""
    rng = random.Random(2)
    functions, calls, expected = [], [], []
    for name, (J, _, _) in networks().items():
        order = engine.topo_order(J)
        leaves = [v for v in order if not v.parents]
        python = engine.compile(J, leaves, all_nodes=True)
        functions.append(engine.compile(J, leaves, language="javascript", all_nodes=True).source)
        for _ in range(2000):
            values = [v.data + rng.uniform(-1.0, 1.0) for v in leaves]
            r = python(values)
            calls.append((len(functions) - 1, values))
            expected.append((name, r.values + r.node_grads))
    defs = ",".join(f"(function () {{\n{s}\nreturn step;\n}})()" for s in functions)
    script = f"""const F = [{defs}];
const C = {json.dumps(calls)};
process.stdout.write(JSON.stringify(C.map(([f, v]) => {{
  const r = F[f](v); return r.values.concat(r.node_grads).map(String); }})));"""
    done = subprocess.run([node, "-"], input=script, capture_output=True, text=True, check=True)
    got = json.loads(done.stdout)
    print("  the articles' networks, compiled, at 2,000 random points each (every node's value "
          "and gradient):")  # fmt: skip
    by_network: dict[str, list[int]] = {}
    worst: dict[str, float] = {}
    for (name, want), g in zip(expected, got):
        counts = by_network.setdefault(name, [0, 0])
        for w, text in zip(want, g):
            x = float(text)
            counts[1] += 1
            if struct.pack("<d", w) != struct.pack("<d", x):
                counts[0] += 1
                worst[name] = max(worst.get(name, 0.0), abs(w - x) / max(1.0, abs(w)))
    for name, (differ, total) in by_network.items():
        print(f"    {name:22} {differ / total:8.3%} of {total:,} numbers differ; largest "
              f"difference {worst.get(name, 0.0):.1e} of max(1, |value|)")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", default="edit,bits")
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sample", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    figures = args.figures.split(",")
    if "edit" in figures:
        edit_figure(args.edits, args.rounds)
    if "bits" in figures:
        bits_figure(args.sample)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
