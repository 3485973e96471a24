"""Several classes: softmax, log_softmax and cross-entropy against their closed forms, the spiral
data set, and clear errors for labels and models that do not fit the classes."""

from __future__ import annotations

import math
import random

import pytest

import nn
from engine import Value


def test_softmax_is_a_distribution_even_for_huge_logits():
    for z in ([1000.0, 999.0, -1000.0], [1e300, -1e300], [0.0] * 5, [-750.0, -760.0]):
        p = [v.data for v in nn.softmax(z)]
        assert all(0.0 <= q <= 1.0 for q in p) and math.fsum(p) == pytest.approx(1.0)
        lp = [v.data for v in nn.log_softmax(z)]
        assert all(math.isfinite(q) for q in lp)
    assert [v.data for v in nn.log_softmax([1000.0, 0.0])] == [0.0, -1000.0]


def test_cross_entropy_gradient_is_p_minus_the_one_hot_label():
    """dL/dz_k = p_k - [k = y], the closed form, with p_k computed by hand from math.exp."""
    rng = random.Random(2)
    for k in (2, 3, 5):
        z = [rng.uniform(-4, 4) for _ in range(k)]
        y = rng.randrange(k)
        vs = [Value(x) for x in z]
        J = nn.cross_entropy(vs, y)
        J.backward()
        e = [math.exp(x - max(z)) for x in z]
        p = [x / math.fsum(e) for x in e]
        assert J.data == pytest.approx(-math.log(p[y]), rel=1e-13)
        for j, v in enumerate(vs):
            assert v.grad == pytest.approx(p[j] - (j == y), rel=1e-12, abs=1e-15)


def test_a_batch_is_the_mean_of_its_samples():
    Z = [[0.5, -1.0, 2.0], [3.0, 0.0, -2.0]]
    J = nn.cross_entropy(Z, [2, 0])
    each = [nn.cross_entropy(z, y).data for z, y in zip(Z, [2, 0])]
    assert J.data == pytest.approx(sum(each) / 2, rel=1e-15) and J.label == "J"
    assert nn.cross_entropy(Z, [2.0, 0.0]).data == J.data  # fit's labels arrive as floats
    assert nn.get_loss("cross_entropy") is nn.cross_entropy


@pytest.mark.parametrize(
    ("logits", "label", "error", "match"),
    [
        ([1.0, 2.0, 3.0], 3, ValueError, r"label: expected a class index 0 \.\. 2 .*got 3"),
        ([1.0, 2.0, 3.0], -1, ValueError, "got -1"),
        ([1.0, 2.0], 0.5, ValueError, "class index 0 .. 1"),
        ([1.0, 2.0], True, TypeError, "expected a class index"),
        ([1.0, 2.0], "0", TypeError, "expected a class index"),
        ([[1.0, 2.0]], [0, 1], ValueError, "1 samples of logits but 2 labels"),
        ([[1.0, 2.0], [0.0, 1.0]], [0, 2], ValueError, r"label\[1\]: .*0 \.\. 1"),
        ([1.0, 2.0], [0.5, 0.25, 0.25], ValueError, "3 class probabilities for 2 logits"),
        ([], 0, ValueError, "logits is empty"),
    ],
)
def test_bad_labels_are_refused_clearly(logits, label, error, match):
    with pytest.raises(error, match=match):
        nn.cross_entropy(logits, label)


def test_spiral_arms():
    X, y = nn.make_spiral(50, 3, 0.0, seed=1)
    assert len(X) == len(y) == 150 and sorted(set(y)) == [0, 1, 2]
    assert all(type(t) is int for t in y) and [y.count(j) for j in range(3)] == [50] * 3
    # without noise each point is at radius r and angle 2 pi j / 3 + 4 r on its arm
    for x, j in zip(X, y):
        r = math.hypot(*x)
        if r > 1e-9:
            turn = math.atan2(x[1], x[0]) - (2 * math.pi * j / 3 + nn.data.SPIRAL_SWEEP * r)
            assert math.cos(turn) == pytest.approx(1.0)
    assert nn.make_spiral(20, 4, 0.2, seed=7) == nn.make_spiral(20, 4, 0.2, seed=7)
    assert nn.make_spiral(20, 4, 0.2, seed=7) != nn.make_spiral(20, 4, 0.2, seed=8)


def test_spiral_arguments_are_checked():
    with pytest.raises(ValueError, match="classes: expected an integer >= 2"):
        nn.make_spiral(10, 1)
    with pytest.raises(ValueError, match="n_per_class"):
        nn.make_spiral(1, 3)
    with pytest.raises(ValueError, match="noise"):
        nn.make_spiral(10, 3, -0.1)
