"""Data: the generators' geometry and determinism, the split, and the mini-batches."""

from __future__ import annotations

import math
import random
import statistics

import pytest

import nn


def _radius(x: list[float]) -> float:
    return math.hypot(x[0], x[1])


@pytest.mark.parametrize("n", [2, 7, 100, 1000])
def test_circles_shape_and_balance(n):
    X, y = nn.make_circles(n, factor=0.3, noise=0.1, seed=1)
    assert len(X) == len(y) == n
    assert all(len(x) == 2 and all(isinstance(a, float) for a in x) for x in X)
    assert set(y) <= {0.0, 1.0}
    assert y.count(0.0) == n // 2 and y.count(1.0) == n - n // 2


def test_circles_without_noise_lie_on_the_two_circles():
    X, y = nn.make_circles(200, factor=0.3, seed=3)
    for x, label in zip(X, y):
        assert _radius(x) == pytest.approx(1.0 if label == 0.0 else 0.3, abs=1e-12)
    # evenly spread in angle: every quadrant holds a quarter of each circle
    outer = [x for x, label in zip(X, y) if label == 0.0]
    assert sum(1 for a, b in outer if a > 0 and b >= 0) == pytest.approx(25, abs=1)


def test_circles_noise_has_the_requested_spread():
    clean_X, clean_y = nn.make_circles(2000, factor=0.5, seed=5)
    X, y = nn.make_circles(2000, factor=0.5, noise=0.1, seed=5)
    assert y == clean_y  # the same shuffle, then the noise
    offsets = [a - c for x, cx in zip(X, clean_X) for a, c in zip(x, cx)]
    assert statistics.mean(offsets) == pytest.approx(0.0, abs=0.01)
    assert statistics.stdev(offsets) == pytest.approx(0.1, rel=0.05)
    inner = [_radius(x) for x, label in zip(X, y) if label == 1.0]
    assert statistics.mean(inner) == pytest.approx(0.5, abs=0.02)


def test_circles_are_shuffled():
    _, y = nn.make_circles(100, seed=0)
    assert y != sorted(y)


@pytest.mark.parametrize("make", [nn.make_circles, nn.make_moons])
def test_generators_are_deterministic_per_seed(make):
    a = make(300, noise=0.1, seed=7)
    assert make(300, noise=0.1, seed=7) == a
    assert make(300, noise=0.1, seed=8) != a
    rng = random.Random(7)
    assert make(300, noise=0.1, seed=rng) == a  # a Random is the same source as its seed


def test_moons_geometry():
    X, y = nn.make_moons(101, seed=2)
    assert y.count(0.0) == 50 and y.count(1.0) == 51
    for x, label in zip(X, y):
        if label == 0.0:  # the upper arc of the unit circle
            assert _radius(x) == pytest.approx(1.0, abs=1e-12) and x[1] >= -1e-12
        else:  # the lower arc of the unit circle centred at (1, 0.5)
            assert math.hypot(x[0] - 1.0, x[1] - 0.5) == pytest.approx(1.0, abs=1e-12)
            assert x[1] <= 0.5 + 1e-12


def test_generators_reject_bad_arguments():
    with pytest.raises(ValueError):
        nn.make_circles(100, factor=1.5)
    with pytest.raises(ValueError):
        nn.make_circles(1)
    with pytest.raises(ValueError):
        nn.make_moons(100, noise=-0.1)


@pytest.mark.parametrize("test_size, n_test", [(0.1, 100), (0.25, 250), (0.333, 333), (7, 7)])
def test_split_sizes_and_disjointness(test_size, n_test):
    X = [[float(i), -float(i)] for i in range(1000)]
    y = [float(i % 2) for i in range(1000)]
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=test_size, seed=42)
    assert len(X_test) == len(y_test) == n_test
    assert len(X_train) == len(y_train) == 1000 - n_test
    train_ids = {int(x[0]) for x in X_train}
    test_ids = {int(x[0]) for x in X_test}
    assert not train_ids & test_ids and len(train_ids | test_ids) == 1000
    for x, label in zip(X_train + X_test, y_train + y_test):  # labels travel with their samples
        assert label == float(int(x[0]) % 2)
    assert nn.train_test_split(X, y, test_size, seed=42)[1] == X_test
    assert nn.train_test_split(X, y, test_size, seed=43)[1] != X_test


def test_split_rejects_sizes_that_leave_a_part_empty():
    X, y = [[0.0]] * 10, [0.0] * 10
    for bad in (0.0, 1.0, 0, 10):
        with pytest.raises(ValueError):
            nn.train_test_split(X, y, test_size=bad)


@pytest.mark.parametrize("n, size", [(100, 32), (64, 32), (5, 1), (3, 10)])
def test_batches_cover_every_sample_once(n, size):
    X = [[float(i)] for i in range(n)]
    y = [float(i) for i in range(n)]
    got = list(nn.batches(X, y, size, seed=0))
    assert len(got) == math.ceil(n / size)
    assert all(len(Xb) == len(yb) <= size for Xb, yb in got)
    seen = [int(x[0]) for Xb, _ in got for x in Xb]
    assert sorted(seen) == list(range(n))
    assert all(x[0] == t for Xb, yb in got for x, t in zip(Xb, yb))


def test_batches_shuffle_differently_each_epoch_with_a_shared_rng():
    X = [[float(i)] for i in range(50)]
    y = [0.0] * 50
    rng = random.Random(0)
    first = [x[0] for Xb, _ in nn.batches(X, y, 10, rng) for x in Xb]
    second = [x[0] for Xb, _ in nn.batches(X, y, 10, rng) for x in Xb]
    assert first != second and sorted(first) == sorted(second)
    assert first == [x[0] for Xb, _ in nn.batches(X, y, 10, seed=0) for x in Xb]
    in_order = [x[0] for Xb, _ in nn.batches(X, y, 10, shuffle=False) for x in Xb]
    assert in_order == [float(i) for i in range(50)]
