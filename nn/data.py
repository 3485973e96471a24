"""Toy data sets, a train/test split and shuffled mini-batches, in pure Python.

X is a list of samples, each a list of floats; y is a list of float labels. Every function that
draws random numbers takes ``seed`` (an int, a ``random.Random`` to share, or None for fresh
randomness), so a seed always gives the same data.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterator, Sequence

from nn import checks
from nn.init import make_rng

Seed = int | random.Random | None
Sample = list[float]


def _shuffled(X: list[Sample], y: list[float], rng: random.Random) -> tuple[list, list[float]]:
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [y[i] for i in order]


def _check_noise(noise: object) -> float | None:
    """None, or a standard deviation: finite and >= 0."""
    return None if noise is None else checks.real(noise, "noise", low=0.0)


def _jitter(X: list[Sample], noise: float | None, rng: random.Random) -> list[Sample]:
    if not noise:
        return X
    return [[a + rng.gauss(0.0, noise) for a in x] for x in X]


def _check_n(n_samples: object) -> int:
    """At least 2 samples, one per class."""
    return checks.integer(n_samples, "n_samples", minimum=2)


def make_circles(
    n_samples: int = 100, factor: float = 0.8, noise: float | None = None, seed: Seed = None
) -> tuple[list[Sample], list[float]]:
    """Two concentric circles: n//2 points on the unit circle (label 0) and the rest on a circle
    of radius ``factor`` (label 1), evenly spaced in angle, shuffled, then moved by gaussian
    noise of standard deviation ``noise`` in each coordinate. The layout of sklearn's function of
    the same name, so the articles' settings mean the same here."""
    n_samples = _check_n(n_samples)
    factor = checks.real(factor, "factor", low=0.0, high=1.0, low_open=True, high_open=True)
    noise = _check_noise(noise)
    rng = make_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    X: list[Sample] = []
    y: list[float] = []
    for n, radius, label in ((n_out, 1.0, 0.0), (n_in, factor, 1.0)):
        for i in range(n):
            angle = 2.0 * math.pi * i / n
            X.append([radius * math.cos(angle), radius * math.sin(angle)])
            y.append(label)
    X, y = _shuffled(X, y, rng)
    return _jitter(X, noise, rng), y


def make_moons(
    n_samples: int = 100, noise: float | None = None, seed: Seed = None
) -> tuple[list[Sample], list[float]]:
    """Two interleaving half circles: n//2 points on the upper arc of the unit circle (label 0)
    and the rest on a lower arc centred at (1, 0.5) (label 1), shuffled, plus gaussian noise."""
    n_samples = _check_n(n_samples)
    noise = _check_noise(noise)
    rng = make_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    X: list[Sample] = []
    y: list[float] = []
    for i in range(n_out):
        t = math.pi * i / max(n_out - 1, 1)
        X.append([math.cos(t), math.sin(t)])
        y.append(0.0)
    for i in range(n_in):
        t = math.pi * i / max(n_in - 1, 1)
        X.append([1.0 - math.cos(t), 0.5 - math.sin(t)])
        y.append(1.0)
    X, y = _shuffled(X, y, rng)
    return _jitter(X, noise, rng), y


SPIRAL_SWEEP = 4.0  # radians each arm turns through from the centre to radius 1


def make_spiral(
    n_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: Seed = None
) -> tuple[list[Sample], list[int]]:
    """``classes`` spiral arms in the plane, one class each (labels 0 .. classes-1, ints), the
    classic first data set for a classifier over several classes: point i of arm j lies at radius
    r = i / (n_per_class - 1) and angle 2 pi j / classes + 4 r radians, the angle moved by gaussian
    noise of standard deviation ``noise`` (radians); then the points are shuffled. No straight
    line separates two arms, so a linear model fails and a small MLP succeeds."""
    n = checks.integer(n_per_class, "n_per_class", minimum=2)
    k = checks.integer(classes, "classes", minimum=2)
    sd = checks.real(noise, "noise", low=0.0)
    rng = make_rng(seed)
    X: list[Sample] = []
    y: list[int] = []
    for j in range(k):
        for i in range(n):
            r = i / (n - 1)
            angle = 2.0 * math.pi * j / k + SPIRAL_SWEEP * r + (rng.gauss(0.0, sd) if sd else 0.0)
            X.append([r * math.cos(angle), r * math.sin(angle)])
            y.append(j)
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [y[i] for i in order]


def train_test_split(
    X: Sequence[Sample], y: Sequence[float], test_size: float | int = 0.25, seed: Seed = None
) -> tuple[list[Sample], list[Sample], list[float], list[float]]:
    """Shuffle, then split into (X_train, X_test, y_train, y_test), in sklearn's order.

    ``test_size`` is a fraction in (0, 1) of the samples (rounded up, as sklearn does) or a count
    (an int). Both parts keep at least one sample.
    """
    checks.same_length(X, y)
    n = len(X)
    if isinstance(test_size, numbers.Integral) and not checks.is_bool(test_size):
        n_test = checks.integer(test_size, "test_size")
    else:  # a fraction: a float, numpy float (np.float32 included) or other real number
        fraction = checks.real(
            test_size, "test_size", low=0.0, high=1.0, low_open=True, high_open=True
        )
        n_test = math.ceil(fraction * n)
    if not 0 < n_test < n:
        raise ValueError(f"test_size={test_size} leaves {n_test} of {n} samples for testing")
    order = list(range(n))
    make_rng(seed).shuffle(order)
    test, train = order[:n_test], order[n_test:]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


def batches(
    X: Sequence[Sample],
    y: Sequence[float],
    batch_size: int = 32,
    seed: Seed = None,
    shuffle: bool = True,
) -> Iterator[tuple[list[Sample], list[float]]]:
    """One epoch of mini-batches (Xb, yb): every sample exactly once, in a shuffled order.

    The last batch is smaller when batch_size does not divide the number of samples (as Keras
    does). Pass a shared ``random.Random`` as seed to get a new order every epoch.
    """
    batch_size = checks.integer(batch_size, "batch_size", minimum=1)
    checks.same_length(X, y)
    shuffle = checks.flag(shuffle, "shuffle")
    order = list(range(len(X)))
    if shuffle:
        make_rng(seed).shuffle(order)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        yield [X[i] for i in chunk], [y[i] for i in chunk]
