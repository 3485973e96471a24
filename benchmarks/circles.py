"""The circles demo's training on this engine and on micrograd 0.1.0, side by side in one process.

    python -m benchmarks.circles [--epochs N] [--seed S]

Both engines train the same model from the same start: the demo's data (make_circles(1000, 0.3,
0.1), 900 training points), an MLP 2-4-6-6-4-1 with ReLU hidden layers and a sigmoid output, the
same Glorot-uniform initial weights (copied from one nn.MLP into micrograd Values), binary
cross-entropy clipped as Keras does, and the same Adamax code (nn.Adamax only reads .grad and
writes .data, so it drives micrograd's Values too). Each step builds one graph for a batch of 32:
forward every sample, mean loss, backward, update.

micrograd 0.1.0 has no exp, log or sigmoid; the small functions below add them in micrograd's own
style (a node with a ``_backward`` closure). Its neurons are built as its own Neuron builds them,
``sum(w_i * x_i, b)``; this engine uses fused neurons (one ``linear`` node each) as nn.MLP does.

The engines take turns, one epoch each (same shuffled batches for both), so drift in the machine's
speed hits both alike, with the garbage collector on. Before each turn the collector clears what
the other engine left (untimed); the turn's first batch is a warm-up and not timed, the rest are,
and seconds per epoch = timed seconds per sample x 900. A full 50-epoch run on micrograd takes
minutes, so only --epochs turns are timed (default 3) and 50 epochs are extrapolated from them.
Both engines end with the same parameters up to rounding (micrograd adds gradients in the order
of its parent sets, so sums may round differently); the largest difference is printed, as a check
that both did the same arithmetic. Peak memory of one step is measured separately with tracemalloc.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence

import nn
from demos.circles import ACTIVATIONS, SIZES

EPOCHS = 50  # the demo's run, which the per-epoch times are extrapolated to
BATCH = 32
EPS = 1e-7  # Keras' clip for binary cross-entropy, as nn.binary_cross_entropy


# ---- micrograd's missing ops, in its closure style ----------------------------------------------


def mg_exp(v):
    from micrograd.engine import Value

    e = math.exp(v.data)
    out = Value(e, (v,), "exp")

    def _backward():
        v.grad += e * out.grad

    out._backward = _backward
    return out


def mg_log(v):
    from micrograd.engine import Value

    out = Value(math.log(v.data), (v,), "log")

    def _backward():
        v.grad += (1.0 / v.data) * out.grad

    out._backward = _backward
    return out


def mg_sigmoid(v):
    """The same arithmetic as this engine's Value.sigmoid, so both compute identical numbers."""
    from micrograd.engine import Value

    a = v.data
    if a >= 0.0:
        s = 1.0 / (1.0 + math.exp(-a))
    else:
        e = math.exp(a)
        s = e / (1.0 + e)
    out = Value(s, (v,), "sigmoid")

    def _backward():
        v.grad += s * (1.0 - s) * out.grad

    out._backward = _backward
    return out


def mg_clip(v, low: float, high: float):
    from micrograd.engine import Value

    inside = low <= v.data <= high
    out = Value(min(max(v.data, low), high), (v,), "clip")

    def _backward():
        if inside:
            v.grad += out.grad

    out._backward = _backward
    return out


# ---- the two trainers ---------------------------------------------------------------------------


class Trainer:
    """One engine's model, optimizer and training step (one graph per batch)."""

    name = ""

    def __init__(self, model: nn.MLP) -> None:
        raise NotImplementedError

    def step(self, Xb: list[list[float]], yb: list[float]) -> float:
        """Forward the batch, mean loss, backward, update; returns the loss."""
        raise NotImplementedError

    def values(self) -> list[float]:
        return [p.data for p in self.opt.params]


class Chainrule(Trainer):
    """This engine, exactly as nn.fit trains: nn.MLP's fused neurons, nn.binary_cross_entropy."""

    name = "chainrule"

    def __init__(self, model: nn.MLP) -> None:
        self.model = model
        self.opt = nn.Adamax(model.parameters())

    def step(self, Xb, yb):
        J = nn.binary_cross_entropy([self.model(x) for x in Xb], yb)
        self.opt.zero_grad()
        J.backward()
        self.opt.step()
        return J.data


class Micrograd(Trainer):
    """micrograd 0.1.0 Values with the same initial weights, built as micrograd's Neuron does."""

    name = "micrograd"

    def __init__(self, model: nn.MLP) -> None:
        from micrograd.engine import Value

        self.layers = [
            [([Value(w.data) for w in n.w], Value(n.b.data)) for n in layer.neurons]
            for layer in model.layers
        ]
        self.acts = [mg_sigmoid if a == "sigmoid" else _mg_relu for a in ACTIVATIONS]
        self.opt = nn.Adamax([p for layer in self.layers for w, b in layer for p in (*w, b)])

    def forward(self, x):
        for layer, act in zip(self.layers, self.acts):
            x = [act(sum((wi * xi for wi, xi in zip(w, x)), b)) for w, b in layer]
        return x[0]

    def step(self, Xb, yb):
        terms = []
        for x, y in zip(Xb, yb):
            q = mg_clip(self.forward(x), EPS, 1.0 - EPS)
            terms.append(-mg_log(q) if y == 1 else -mg_log(1.0 - q))
        J = sum(terms) * (1.0 / len(terms))
        self.opt.zero_grad()
        J.backward()
        self.opt.step()
        return J.data


def _mg_relu(v):
    return v.relu()


# ---- timing -------------------------------------------------------------------------------------


def epoch_batches(X, y, epochs: int, seed: int) -> list[list[tuple[list, list]]]:
    """The shuffled batches of each epoch, fixed in advance so both engines see the same ones."""
    rng = random.Random(seed)
    return [list(nn.batches(X, y, BATCH, rng)) for _ in range(epochs)]


def turn(trainer: Trainer, batches: list[tuple[list, list]]) -> tuple[float, int]:
    """Train one epoch; returns (timed seconds, timed samples), the first batch untimed."""
    gc.collect()
    trainer.step(*batches[0])
    seconds, samples = 0.0, 0
    for Xb, yb in batches[1:]:
        t0 = time.perf_counter()
        trainer.step(Xb, yb)
        seconds += time.perf_counter() - t0
        samples += len(Xb)
    return seconds, samples


def peak_memory(trainer: Trainer, Xb, yb) -> int:
    """Peak bytes Python allocates during one training step (the graph alive at its largest)."""
    gc.collect()
    tracemalloc.start()
    trainer.step(Xb, yb)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()
    return peak


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs timed per engine (3)")
    parser.add_argument("--seed", type=int, default=0, help="the demo's seed (0)")
    args = parser.parse_args(argv)
    try:
        import micrograd  # noqa: F401
    except ImportError:
        print("micrograd not installed (pip install -e '.[bench]'): nothing to compare")
        return

    X, y = nn.make_circles(1000, factor=0.3, noise=0.1, seed=args.seed)
    X_train, _, y_train, _ = nn.train_test_split(X, y, test_size=0.1, seed=args.seed)
    model = nn.MLP(2, SIZES, ACTIVATIONS, init="glorot_uniform", seed=args.seed)
    makers: list[Callable[[nn.MLP], Trainer]] = [Chainrule, Micrograd]
    trainers = [make(model) for make in makers]  # micrograd copies the weights before training
    epochs = epoch_batches(X_train, y_train, args.epochs, args.seed)

    timed: dict[str, list[float]] = {t.name: [] for t in trainers}
    for batches in epochs:
        for t in trainers:
            seconds, samples = turn(t, batches)
            timed[t.name].append(seconds / samples * len(X_train))
    drift = max(abs(a - b) for a, b in zip(trainers[0].values(), trainers[1].values()))
    memory = {t.name: peak_memory(t, *epochs[0][0]) for t in trainers}

    per_epoch = {name: statistics.median(s) for name, s in timed.items()}
    ratio = per_epoch["micrograd"] / per_epoch["chainrule"]
    print(
        f"circles training: MLP 2-{'-'.join(map(str, SIZES))}, {len(X_train)} points, batches of "
        f"{BATCH}, Adamax, binary cross-entropy; engines alternate one epoch at a time, "
        f"{args.epochs} epochs each, median seconds per epoch\n"
    )
    print(f"{'engine':<10} {'s/epoch':>8} {'50 epochs (extrapolated)':>25} {'peak MiB/step':>14}")
    for name, secs in per_epoch.items():
        mib = memory[name] / 2**20
        print(f"{name:<10} {secs:>8.3f} {secs * EPOCHS:>23.1f} s {mib:>14.2f}")
    print(f"\nchainrule is {ratio:.1f}x faster than micrograd (target: at least 15x)")
    print(f"largest parameter difference between the engines after training: {drift:.3g}")


if __name__ == "__main__":
    main()
