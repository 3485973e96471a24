"""Training in the page: milliseconds per step of the circles network in headless Chromium, beside
the same training as compiled Python.

    python -m benchmarks.training_page [--epochs 50] [--seed 0] [--repeats 3]

The circles demo's setup (demos.circles: 900 training points, MLP 2-4-6-6-4-1, Adamax, binary
cross-entropy, batches of 32, so 29 steps an epoch), its page written by nn.training_page and
trained through the page's ``chainrule.step(n)`` (all the steps, then one redraw), timed inside the
page with performance.now(): first from a fresh page (the JavaScript engine compiling the steps
as it goes: what a learner waits for), then after #reset, warm. Python: nn.fit(compile=True,
shuffle=False) for the same epochs, wall time with its tracing, the compiled steps alone (the
best run less the best one-epoch run, which holds the tracing), and the interpreter's
(compile=False) for scale. The last line checks that page and fit end at the same weights.
Needs playwright and Debian's chromium (CHAINRULE_CHROMIUM overrides its path).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import nn
from demos.circles import article_model, article_setup

CHROMIUM = os.environ.get("CHAINRULE_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

TIMED_STEPS = """(n) => {
  const t0 = performance.now();
  chainrule.step(n);
  return performance.now() - t0;
}"""


def python_fit(seed: int, X: list, y: list, epochs: int, compile: bool) -> tuple[float, nn.MLP]:  # noqa: A002
    """(seconds, trained model) for nn.fit on the page's batches."""
    model = article_model(seed)
    t0 = time.perf_counter()
    nn.fit(model, X, y, loss="binary_cross_entropy", optimizer=nn.Adamax(model.parameters()),
           epochs=epochs, batch_size=32, shuffle=False, verbose=False, compile=compile)  # fmt: skip
    return time.perf_counter() - t0, model


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="fresh pages (and fits) timed")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    _, X, _, y, _ = article_setup(args.seed)
    steps = args.epochs * math.ceil(len(X) / 32)
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        model = article_model(args.seed)
        path = nn.training_page(model, X, y, Path(folder) / "circles_training.html",
                                optimizer=nn.Adamax(model.parameters()), batch_size=32)  # fmt: skip
        written = time.perf_counter() - t0
        size = path.stat().st_size
        cold, warm = [], []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for _ in range(args.repeats):
                page = browser.new_page()
                page.goto(path.as_uri())
                cold.append(page.evaluate(TIMED_STEPS, steps))
                weights = page.evaluate("chainrule.weights()")
                page.click("#reset")
                warm.append(page.evaluate(TIMED_STEPS, steps))
                page.close()
            version = browser.version
            browser.close()
    compiled = [python_fit(args.seed, X, y, args.epochs, True) for _ in range(args.repeats)]
    # The compiled step alone: the first epoch (which traces and compiles both batch sizes) off.
    first = min(python_fit(args.seed, X, y, 1, True)[0] for _ in range(args.repeats))
    interpreted, _ = python_fit(args.seed, X, y, args.epochs, False)
    trained = compiled[-1][1]
    worst = max(
        abs(a - q.data) / abs(q.data) for a, q in zip(weights, trained.parameters()) if q.data
    )
    best_python = min(t for t, _ in compiled)
    print(f"circles network 2-4-6-6-4-1, {len(X)} points, batch 32: {args.epochs} epochs = "
          f"{steps} steps; page {size / 1e6:.2f} MB written in {written:.2f} s")  # fmt: skip
    print(f"{'':40}{'total s':>9}{'ms/step':>9}   (median of {args.repeats}, best)")
    rows = [
        (f"page in Chromium {version}, fresh", statistics.median(cold) / 1e3, min(cold) / 1e3),
        ("page after #reset (warm)", statistics.median(warm) / 1e3, min(warm) / 1e3),
        ("nn.fit(compile=True)", statistics.median(t for t, _ in compiled), best_python),
    ]
    for name, median, best in rows:
        print(f"{name:40}{median:>9.3f}{median / steps * 1e3:>9.3f}   best {best:.3f} s")
    later = (best_python - first) / (steps - steps // args.epochs) * 1e3
    alone = "nn.fit(compile=True), the steps alone"
    print(f"{alone:40}{'':>9}{later:>9.3f}   (best, less the best 1-epoch run)")
    print(f"{'nn.fit(compile=False), once':40}{interpreted:>9.3f}"
          f"{interpreted / steps * 1e3:>9.3f}")  # fmt: skip
    print(f"page vs nn.fit(compile=True, shuffle=False): largest relative difference of a "
          f"weight after {steps} steps: {worst:.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
