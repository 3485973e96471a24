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


# ---- fit, evaluate and predict with k outputs ----------------------------------------------------


def _spiral_model(seed: int = 3) -> nn.MLP:
    return nn.MLP(2, [5, 3], ["tanh", "linear"], seed=seed)


def test_multi_class_fit_compiled_is_bit_identical_to_the_interpreter():
    X, y = nn.make_spiral(6, 3, 0.1, seed=4)  # 18 samples: batches of 8, 8 and 2
    runs = []
    for compile in (False, True, False, True):
        model = _spiral_model()
        if len(runs) >= 2:  # logits in the hundreds: each batch subtracts its own max logits
            for neuron in model.layers[-1].neurons:
                neuron.b.data = 300.0 * neuron.b.data + 700.0
                for w in neuron.w:
                    w.data *= 300.0
        history = nn.fit(model, X, y, loss="cross_entropy", epochs=2, batch_size=8, seed=1,
                         verbose=False, compile=compile)  # fmt: skip
        runs.append(([p.data for p in model.parameters()], history.loss, history.accuracy))
    assert runs[0] == runs[1] and runs[2] == runs[3]
    assert runs[0][1][-1] < runs[0][1][0]  # it learns
    assert all(math.isfinite(loss) for loss in runs[2][1])


def test_evaluate_and_predict_with_k_outputs():
    X, y = nn.make_spiral(6, 3, 0.1, seed=2)
    model = _spiral_model()
    logits = [[v.data for v in model(x)] for x in X]
    assert nn.predict(model, X) == logits
    probabilities = nn.predict(model, X, output="probabilities")
    assert probabilities == [[p.data for p in nn.softmax(model(x))] for x in X]  # same bits
    classes = nn.predict(model, X, output="classes")
    assert classes == [max(range(3), key=row.__getitem__) for row in logits]
    assert all(type(c) is int for c in classes)
    loss, accuracy = nn.evaluate(model, X, y, loss="cross_entropy")
    assert loss == nn.cross_entropy([model(x) for x in X], y).data
    assert accuracy == sum(c == t for c, t in zip(classes, y)) / len(y)


def test_predict_classes_of_one_output_and_its_refusals():
    model = nn.MLP(2, [3, 1], ["tanh", "sigmoid"], seed=1)
    X = [[0.1, 0.2], [-2.0, 3.0], [1.0, -1.0]]
    p = nn.predict(model, X)
    assert nn.predict(model, X, output="classes") == [int(q > 0.5) for q in p]
    with pytest.raises(ValueError, match="one output: read it with output='values'"):
        nn.predict(model, X, output="probabilities")
    with pytest.raises(ValueError, match="output: expected one of 'values', 'probabilities'"):
        nn.predict(model, X, output="logits")


def test_labels_and_models_that_do_not_fit_the_classes_are_refused():
    X, y = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]], [0, 1, 3]
    with pytest.raises(ValueError, match=r"y\[2\]: expected a class index 0 \.\. 2 \(the model "
                                         r"has 3 outputs, one per class\), got 3.0"):  # fmt: skip
        nn.fit(_spiral_model(), X, y, loss="cross_entropy", epochs=1, verbose=False)
    with pytest.raises(ValueError, match=r"y\[0\]: expected a class index .*got 0.5"):
        nn.evaluate(_spiral_model(), X, [0.5, 1, 2], loss="cross_entropy")
    one = nn.MLP(2, [3, 1], ["tanh", "linear"], seed=1)
    with pytest.raises(ValueError, match="cross_entropy needs a model with one output per class"):
        nn.fit(one, X, [0, 1, 1], loss="cross_entropy", epochs=1, verbose=False)
    with pytest.raises(ValueError, match="one output unit.*use loss='cross_entropy'"):
        nn.fit(_spiral_model(), X, [0, 1, 1], loss="binary_cross_entropy", verbose=False)
