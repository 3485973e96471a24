"""Seed 003 over many seeds: the article's Keras program and this project, side by side, and what
un-sticks the runs that do not learn.

    python -m benchmarks.keras_seeds [--seeds 0-19] [--epochs 50] [--jobs 2] [--configs ...]

Needs the keras extra (Keras 3 on its PyTorch backend, scipy). Every seed gives both programs the
same data: ``demos.circles.article_setup(seed)`` (make_circles(1000, factor=0.3, noise=0.1) and
a 10% test split). Then

  keras      the article's notebook: keras.utils.set_random_seed(seed), Dense layers 4-6-6-4-1 with
             Keras' own Glorot-uniform init, binary cross-entropy, Adamax(lr=0.002), model.fit with
             batch_size=32 and Keras' own shuffling;
  chainrule  this project's run of the same setup (the circles demo's), init and batch order from
             the seed.

tests/against_pytorch/test_keras_step.py shows the two compute the same steps given the same
start; here they start from different random draws, so only their distributions can be compared:
quartiles of the test loss, test accuracy, the training loss after epochs 1, 5 and 10, how many
runs stick at ln 2 = 0.6931 (final training loss within 0.005 of it) and how many reach test
accuracy >= 0.99, and a two-sample Kolmogorov-Smirnov test of the test losses
(scipy.stats.ks_2samp).

Then three changes to this project's run, each over the same seeds (same data, same batch order):

  he_uniform   weights from U(-r, r), r = sqrt(6 / fan_in) (Keras' he_uniform), instead of Glorot;
  leaky_relu   hidden units z above 0, 0.01 z below (the op leaky_relu, PyTorch's default slope;
               the README's table was measured with it built as max(z, 0) - 0.01 max(-z, 0) from
               relu nodes, which gives the same numbers wherever z != 0);
  lr_0.01      Adamax with learning rate 0.01 instead of 0.002.

For every run the dead ReLU units at the end are counted with nn.dead_units on the training set
(for Keras, on an nn.MLP holding Keras' final weights); "dead layer" counts the runs in which some
hidden layer has every unit dead, which makes the output the same for every input.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import nn
from demos.circles import ACTIVATIONS, SIZES, article_setup, article_training

LN2 = math.log(2.0)
STUCK = 0.005  # a run is stuck when its final training loss is within this of ln 2
EPOCHS_SHOWN = (1, 5, 10)
CONFIGS = ("keras", "chainrule", "he_uniform", "leaky_relu", "lr_0.01")


@dataclass
class Run:
    config: str
    seed: int
    test_loss: float
    test_accuracy: float
    train_loss: list[float]  # per epoch
    dead: int  # dead ReLU units after training
    dead_layer: bool  # some hidden layer entirely dead
    seconds: float


def _dead(model: nn.MLP, X) -> tuple[int, bool]:
    dead = nn.dead_units(model, X)
    widths = dict(enumerate(model.sizes, 1))
    return sum(map(len, dead.values())), any(len(u) == widths[k] and u for k, u in dead.items())


def _he_uniform(model: nn.MLP, seed: int) -> None:
    rng = random.Random(seed)
    for layer in model.layers:
        limit = math.sqrt(6.0 / layer.nin)
        for neuron in layer.neurons:
            for w in neuron.w:
                w.data = rng.uniform(-limit, limit)


def run_chainrule(config: str, seed: int, epochs: int) -> Run:
    t0 = time.perf_counter()
    model, X_train, X_test, y_train, y_test = article_setup(seed)
    lr = 0.002
    if config == "he_uniform":
        _he_uniform(model, seed)
    elif config == "leaky_relu":
        leaky = nn.MLP(2, SIZES, ["leaky_relu"] * 4 + ["sigmoid"], seed=seed)
        for p, q in zip(leaky.parameters(), model.parameters()):
            p.data = q.data  # the Glorot weights of the baseline run
        model = leaky
    elif config == "lr_0.01":
        lr = 0.01
    if config == "chainrule":  # exactly the circles demo's training
        history = article_training(model, X_train, y_train, epochs, seed, verbose=False)
    else:
        history = nn.fit(
            model,
            X_train,
            y_train,
            loss="binary_cross_entropy",
            optimizer=nn.Adamax(model.parameters(), lr=lr),
            epochs=epochs,
            batch_size=32,
            seed=seed,
            verbose=False,
        )
    loss, acc = nn.evaluate(model, X_test, y_test, loss="binary_cross_entropy")
    dead, dead_layer = _dead(model, X_train)
    return Run(config, seed, loss, acc, history.loss, dead, dead_layer, time.perf_counter() - t0)


def run_keras(seed: int, epochs: int) -> Run:
    t0 = time.perf_counter()
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    import numpy as np
    import torch

    torch.set_num_threads(1)  # tiny batches: a thread pool only adds overhead on a busy machine
    model, X_train, X_test, y_train, y_test = article_setup(seed)
    keras.utils.set_random_seed(seed)
    layers = [keras.Input(shape=(2,))]
    layers += [keras.layers.Dense(n, activation=a) for n, a in zip(SIZES, ACTIVATIONS)]
    net = keras.Sequential(layers)
    net.compile(
        optimizer=keras.optimizers.Adamax(learning_rate=0.002),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    x, y = np.array(X_train, dtype="float32"), np.array(y_train, dtype="float32")
    history = net.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    loss, acc = net.evaluate(
        np.array(X_test, dtype="float32"), np.array(y_test, dtype="float32"), verbose=0
    )
    for dense, layer in zip(net.layers, model.layers):  # Keras' final weights into an nn.MLP
        kernel, bias = dense.get_weights()
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                w.data = float(kernel[k][j])
            neuron.b.data = float(bias[j])
    dead, dead_layer = _dead(model, X_train)
    return Run(
        "keras",
        seed,
        float(loss),
        float(acc),
        [float(v) for v in history.history["loss"]],
        dead,
        dead_layer,
        time.perf_counter() - t0,
    )


def run(config: str, seed: int, epochs: int) -> Run:
    if config == "keras":
        return run_keras(seed, epochs)
    return run_chainrule(config, seed, epochs)


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def summary_rows(runs: dict[str, list[Run]], epochs: int) -> list[list[str]]:
    rows = []
    for config, rs in runs.items():
        losses = [r.test_loss for r in rs]
        accs = [r.test_accuracy for r in rs]
        q1, q2, q3 = quartiles(losses)
        a1, a2, a3 = quartiles(accs)
        after = [
            f"{statistics.median(r.train_loss[e - 1] for r in rs):.3f}"
            for e in EPOCHS_SHOWN
            if e <= epochs
        ]
        stuck = sum(abs(r.train_loss[-1] - LN2) < STUCK for r in rs)
        good = sum(r.test_accuracy >= 0.99 for r in rs)
        rows.append(
            [
                config,
                f"{q1:.4f} {q2:.4f} {q3:.4f}",
                f"{a1:.2f} {a2:.3f} {a3:.2f}",
                *after,
                f"{stuck}/{len(rs)}",
                f"{good}/{len(rs)}",
                f"{sum(r.dead_layer for r in rs)}/{len(rs)}",
                f"{statistics.median(r.dead for r in rs):g}",
            ]
        )
    return rows


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    for line in (headers, ["-" * w for w in widths], *rows):
        print(
            "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(line, widths)))
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-19", help="e.g. 0-19 or 0,3,7 (default 0-19)")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2, help="parallel processes (default 2)")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"from {', '.join(CONFIGS)}")
    args = parser.parse_args(argv)
    from scipy.stats import ks_2samp

    from benchmarks.circles_seeds import _seeds

    seeds = _seeds(args.seeds)
    configs = [c for c in args.configs.split(",") if c]
    unknown = set(configs) - set(CONFIGS)
    if unknown:
        raise SystemExit(f"unknown --configs {sorted(unknown)}; valid: {', '.join(CONFIGS)}")
    jobs = [(c, s) for c in configs for s in seeds]
    t0 = time.perf_counter()
    done: list[Run] = []
    # Keras runs get processes of their own: importing torch puts ~170,000 objects on the heap,
    # and every garbage collection in a chainrule run would walk them too.
    for group in ([j for j in jobs if j[0] == "keras"], [j for j in jobs if j[0] != "keras"]):
        if not group:
            continue
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            for r in pool.map(run, *zip(*group), [args.epochs] * len(group)):
                done.append(r)
                print(
                    f"[{len(done)}/{len(jobs)}] {r.config} seed {r.seed}: "
                    f"test loss {r.test_loss:.4f} ({r.seconds:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
    runs = {c: [r for r in done if r.config == c] for c in configs}

    print(
        f"circles (seed 003): MLP 2-4-6-6-4-1, Adamax, {args.epochs} epochs, batch 32; "
        f"{len(seeds)} seeds ({args.seeds}); {time.perf_counter() - t0:.0f} s in all"
    )
    print("\nper seed: test loss (test accuracy)")
    print_table(
        ["seed", *configs],
        [
            [str(s)]
            + [f"{runs[c][i].test_loss:.4f} ({runs[c][i].test_accuracy:.2f})" for c in configs]
            for i, s in enumerate(seeds)
        ],
    )
    print("\nsummary (q1 median q3 of the test loss and accuracy; medians of the training loss):")
    after = [f"loss ep{e}" for e in EPOCHS_SHOWN if e <= args.epochs]
    print_table(
        ["run", "test loss q1 med q3", "test acc q1 med q3", *after]
        + ["stuck ln2", "acc>=0.99", "dead layer", "dead units"],
        summary_rows(runs, args.epochs),
    )
    print("\ntwo-sample Kolmogorov-Smirnov test of the test losses:")
    for config in configs:
        for other in ("keras", "chainrule"):
            if other in runs and config != other and (config, other) != ("keras", "chainrule"):
                res = ks_2samp(
                    [r.test_loss for r in runs[config]], [r.test_loss for r in runs[other]]
                )
                print(
                    f"  {config:>10} vs {other:<9}  D = {res.statistic:.3f}  p = {res.pvalue:.3g}"
                )
    print("(Keras in the article, one run: test loss 0.0286, test accuracy 1.0)")


if __name__ == "__main__":
    main()
