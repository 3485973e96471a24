"""The circles demo's training over several seeds: is its accuracy a property of the setup or luck?

    python -m benchmarks.circles_seeds [--seeds 0-9] [--epochs 50] [--jobs 2]

Each seed runs exactly the demo's configuration (demos.circles: data, split, init and batch order
all from the seed) and reports the final training loss and the test loss and accuracy; the last
line gives the medians. Seeds run in parallel processes with --jobs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import nn
from demos.circles import article_setup, article_training


def run(seed: int, epochs: int) -> tuple[int, float, float, float, float]:
    """(seed, training loss, test loss, test accuracy, seconds) for one seed."""
    t0 = time.perf_counter()
    model, X_train, X_test, y_train, y_test = article_setup(seed)
    history = article_training(model, X_train, y_train, epochs, seed, verbose=False)
    test_loss, test_acc = nn.evaluate(model, X_test, y_test, loss="binary_cross_entropy")
    return seed, history.loss[-1], test_loss, test_acc, time.perf_counter() - t0


def _seeds(text: str) -> list[int]:
    """'0-9' or '1,5,7' or a mix: '0-3,8'."""
    seeds: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        seeds += range(int(lo), int(hi or lo) + 1)
    return seeds


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-9", help="e.g. 0-9 or 0,3,7 (default 0-9)")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2, help="parallel processes (default 2)")
    args = parser.parse_args(argv)
    seeds = _seeds(args.seeds)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(run, seeds, [args.epochs] * len(seeds)))
    print(f"circles, MLP 2-4-6-6-4-1, Adamax, {args.epochs} epochs, batch 32")
    print(f"{'seed':>4}  {'train loss':>10}  {'test loss':>9}  {'test acc':>8}  {'seconds':>7}")
    for seed, train_loss, test_loss, test_acc, secs in rows:
        print(f"{seed:>4}  {train_loss:>10.4f}  {test_loss:>9.4f}  {test_acc:>8.4f}  {secs:>7.1f}")
    med = [statistics.median(r[i] for r in rows) for i in (1, 2, 3)]
    print(f"{'med':>4}  {med[0]:>10.4f}  {med[1]:>9.4f}  {med[2]:>8.4f}")
    print("(Keras in the article, one run: test loss 0.0286, test accuracy 1.0)")


if __name__ == "__main__":
    main()
