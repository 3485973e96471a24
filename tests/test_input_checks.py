"""Every input of fit, evaluate, predict, the losses, the optimizers and the data functions is
checked where it is handed in: TypeError or ValueError naming the argument, the value and what was
expected. Before these checks (commit e2dfe52) each case here ran silently or failed deep inside
with an unrelated message."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from engine import Value
from nn import checks

ROOT = Path(__file__).resolve().parents[1]


def model(seed: int = 0) -> nn.MLP:
    return nn.MLP(2, [3, 1], ["tanh", "sigmoid"], seed=seed)


@pytest.fixture(scope="module")
def data() -> tuple[list[list[float]], list[float]]:
    return nn.make_circles(24, factor=0.3, noise=0.1, seed=1)


def quiet_fit(m, X, y, **kw):
    return nn.fit(m, X, y, epochs=kw.pop("epochs", 1), verbose=False, seed=0, **kw)


# ---- the findings of issue 13 --------------------------------------------------------------------


def test_bce_labels_outside_0_1_are_refused(data):
    X, y = data
    bad = [5.0 if t else 7.0 for t in y]
    with pytest.raises(
        ValueError, match=r"y\[0\]: binary_cross_entropy expects a label in \[0, 1\], got [57]\.0"
    ):
        quiet_fit(model(), X, bad)
    with pytest.raises(ValueError, match=r"targets\[1\]: binary_cross_entropy expects .* got 7.0"):
        nn.binary_cross_entropy([Value(0.5), Value(0.5)], [1.0, 7.0])


def test_hinge_labels_must_be_plus_or_minus_one(data):
    X, y = data
    with pytest.raises(ValueError, match=r"y\[\d+\]: hinge expects a label -1 or \+1, got 0.0"):
        quiet_fit(nn.MLP(2, [3, 1], seed=0), X, y, loss="hinge")
    with pytest.raises(ValueError, match=r"targets\[0\]: hinge expects a label -1 or \+1, got 0.5"):
        nn.hinge([Value(0.1)], [0.5])


def test_x_as_a_dict_is_a_type_error_naming_x(data):
    _, y = data
    with pytest.raises(TypeError, match=r"X: expected a sequence of samples.*got dict \{'a': 1\}"):
        quiet_fit(model(), {"a": 1}, y)
    with pytest.raises(TypeError, match=r"X\[0\]: expected a sequence of numbers, got str 'ab'"):
        nn.predict(model(), ["ab"])


def test_an_optimizer_for_another_model_is_refused(data):
    X, y = data
    m = model()
    with pytest.raises(
        ValueError, match=r"optimizer: 13 of its 13 parameters are not this model's"
    ):
        quiet_fit(m, X, y, optimizer=nn.Adam(model(1).parameters()))
    with pytest.raises(TypeError, match="optimizer: expected an nn optimizer"):
        quiet_fit(m, X, y, optimizer="adam")
    quiet_fit(m, X, y, optimizer=nn.SGD(m.parameters()[:4], lr=0.1))  # a subset is fine


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda p: nn.Adam(p, eps=-1),
            ValueError,
            r"eps: expected a number in \(0.0, inf\), got -1.0",
        ),
        (lambda p: nn.Adam(p, eps=math.nan), ValueError, "eps: expected a finite number, got nan"),
        (
            lambda p: nn.Adamax(p, eps=0),
            ValueError,
            r"eps: expected a number in \(0.0, inf\), got 0.0",
        ),
        (lambda p: nn.SGD(p, lr=math.inf), ValueError, "lr: expected a finite number, got inf"),
        (lambda p: nn.SGD(p, lr=0), ValueError, r"lr: expected a number in \(0.0, inf\), got 0.0"),
        (lambda p: nn.SGD(p, lr="0.1"), TypeError, "lr: expected a real number, got str '0.1'"),
        (lambda p: nn.SGD(p, lr=True), TypeError, "lr: expected a real number, got bool True"),
        (lambda p: nn.SGD(p, 0.1, momentum=1), ValueError, r"momentum: .* \[0.0, 1.0\), got 1.0"),
        (
            lambda p: nn.Adam(p, betas=(0.9, 1.0)),
            ValueError,
            r"betas\[1\]: .*\[0.0, 1.0\), got 1.0",
        ),
        (lambda p: nn.Adam(p, betas=0.9), TypeError, "betas: expected a pair"),
        (lambda p: nn.Adam(p, betas=(0.9,)), ValueError, "betas: expected a pair .* got 1 numbers"),
        (lambda p: nn.Adam([]), ValueError, "params: expected at least one parameter, got none"),
        (lambda p: nn.Adam([1.0]), TypeError, r"params\[0\]: expected a parameter .* float 1.0"),
        (lambda p: nn.Adam(p + p[:1]), ValueError, r"params\[13\]: .* appears twice"),
        (lambda p: nn.Adam(3), TypeError, "params: expected an iterable of parameters"),
    ],
)
def test_optimizer_hyperparameters_are_finite_and_in_range(make, error, message):
    with pytest.raises(error, match=message):
        make(model().parameters())


def test_numpy_arrays_and_scalars_are_accepted_and_give_the_same_results(data):
    np = pytest.importorskip("numpy")
    X, y = data
    a, b = model(), model()
    h_list = quiet_fit(a, X, y, epochs=2)
    h_np = nn.fit(b, np.array(X), np.array(y), epochs=np.int64(2), batch_size=np.int32(32),
                  verbose=np.bool_(False), seed=np.int64(0))  # fmt: skip
    assert h_np.loss == h_list.loss
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert nn.predict(a, np.array(X)) == nn.predict(a, X)
    assert nn.evaluate(a, np.array(X), np.array(y)) == nn.evaluate(a, X, y)
    opt = nn.Adam(
        a.parameters(), lr=np.float32(0.5), betas=np.array([0.9, 0.99]), eps=np.float64(1e-8)
    )
    assert opt.lr == 0.5 and opt.betas == (0.9, 0.99)
    j = nn.binary_cross_entropy(np.float64(0.25), np.True_)
    assert j.data == -math.log(0.25)


def test_a_two_output_model_with_bce_is_a_clear_error(data):
    X, y = data
    with pytest.raises(
        ValueError,
        match=r"model: fit needs a model with one output unit, got MLP\(2, \[3, 2\].* 2 outputs",
    ):
        quiet_fit(nn.MLP(2, [3, 2]), X, y)
    with pytest.raises(ValueError, match="model: evaluate needs a model with one output unit"):
        nn.evaluate(nn.MLP(2, [3, 2]), X, y)
    wide = nn.MLP(2, [3, 2])([0.1, 0.2])
    with pytest.raises(
        TypeError, match=r"predictions\[0\]: expected a Value or a number, got list"
    ):
        nn.binary_cross_entropy([wide], [1.0])


def test_np_float32_test_size_is_a_fraction(data):
    np = pytest.importorskip("numpy")
    X, y = data
    assert nn.train_test_split(X, y, test_size=np.float32(0.25), seed=3) == nn.train_test_split(
        X, y, test_size=0.25, seed=3
    )
    assert len(nn.train_test_split(X, y, test_size=np.int64(5), seed=3)[1]) == 5


def test_bools_are_labels_0_and_1(data):
    X, y = data
    a, b = model(), model()
    assert quiet_fit(a, X, [t == 1.0 for t in y]).loss == quiet_fit(b, X, y).loss
    assert nn.mse(Value(0.5), True).data == 0.25


# ---- fit, evaluate and predict -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "error", "message"),
    [
        ({"epochs": -1}, ValueError, "epochs: expected an integer >= 0, got -1"),
        ({"epochs": 2.5}, TypeError, "epochs: expected an integer, got float 2.5"),
        ({"batch_size": 0}, ValueError, "batch_size: expected an integer >= 1, got 0"),
        ({"loss": "l1"}, ValueError, "loss: expected one of 'mse', .* got 'l1'"),
        ({"loss": 3}, TypeError, "loss: expected one of .* got int 3"),
        ({"accuracy": "top5"}, ValueError, "accuracy: expected one of 'threshold', 'sign'"),
        ({"callbacks": [print, 3]}, TypeError, r"callbacks\[1\]: expected a callable, got int 3"),
        ({"seed": 1.5}, TypeError, "seed: expected an int, a random.Random or None, got float"),
        ({"verbose": "no"}, TypeError, "verbose: expected True or False, got str 'no'"),
        ({"validation": ([[0.0, 0.0]], [2.0])}, ValueError, r"validation\[1\]\[0\]: binary_cross"),
        ({"validation": ([[0.0]], [1.0])}, ValueError, r"validation\[0\]\[0\]: expected 2 numbers"),
        ({"validation": "xy"}, TypeError, "validation: expected a pair"),
    ],
)
def test_fit_arguments(data, kw, error, message):
    X, y = data
    m = model()
    before = [p.data for p in m.parameters()]
    with pytest.raises(error, match=message):
        nn.fit(m, X, y, **{"epochs": 1, "verbose": False, **kw})
    assert [p.data for p in m.parameters()] == before  # refused before any training


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        ([], [], ValueError, "X: expected at least one sample, got none"),
        (
            [[0.0, 1.0]],
            [1.0, 0.0],
            ValueError,
            r"y: expected one label per sample of X \(1\), got 2",
        ),
        ([[0.0, 1.0, 2.0]], [1.0], ValueError, r"X\[0\]: expected 2 numbers, got 3"),
        ([[0.0, math.nan]], [1.0], ValueError, r"X\[0\]\[1\]: expected a finite number, got nan"),
        ([[0.0, "1"]], [1.0], TypeError, r"X\[0\]\[1\]: expected a real number, got str '1'"),
        ([[0.0, 1.0]], [None], TypeError, r"y\[0\]: expected a real number, got NoneType None"),
        ([[0.0, 1.0]], 1.0, TypeError, "y: expected a sequence of numbers, got float 1.0"),
        ([[0.0, 10**400]], [1.0], ValueError, r"X\[0\]\[1\]: .* is too large for a float"),
    ],
)
def test_fit_and_evaluate_data(X, y, error, message):
    for call in (lambda: quiet_fit(model(), X, y), lambda: nn.evaluate(model(), X, y)):
        with pytest.raises(error, match=message):
            call()


def test_predict_checks_its_inputs_and_accepts_none():
    with pytest.raises(TypeError, match="model: expected an nn.Module .* got str 'm'"):
        nn.predict("m", [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"X\[1\]: expected 2 numbers, got 1"):
        nn.predict(model(), [[1.0, 2.0], [3.0]])
    assert nn.predict(model(), []) == []


# ---- losses and data functions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: nn.mse("a", 1.0), TypeError, "mse: give predictions and targets both as single"),
        (
            lambda: nn.mse([Value(1.0)], [{}]),
            TypeError,
            r"mse: targets\[0\]: expected a real number",
        ),
        (lambda: nn.mse([Value(1.0)], [math.inf]), ValueError, r"targets\[0\]: expected a finite"),
        (lambda: nn.mse([], []), ValueError, "mse: no predictions"),
        (
            lambda: nn.binary_cross_entropy(Value(0.5), 1.0, eps=0.5),
            ValueError,
            r"eps: .*\(0.0, 0.5\)",
        ),
        (
            lambda: nn.binary_cross_entropy(Value(0.5), -0.1),
            ValueError,
            r"targets\[0\]: .* got -0.1",
        ),
    ],
)
def test_loss_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: nn.make_circles(2.5), TypeError, "n_samples: expected an integer, got float 2.5"),
        (lambda: nn.make_circles(1), ValueError, "n_samples: expected an integer >= 2, got 1"),
        (lambda: nn.make_circles(10, factor=math.nan), ValueError, "factor: expected a finite"),
        (lambda: nn.make_circles(10, factor=1.0), ValueError, r"factor: .*\(0.0, 1.0\), got 1.0"),
        (lambda: nn.make_moons(10, noise=-1), ValueError, r"noise: .*\[0.0, inf\), got -1.0"),
        (lambda: nn.make_moons(10, noise="0.1"), TypeError, "noise: expected a real number"),
        (lambda: nn.make_moons(10, seed="abc"), TypeError, "seed: expected an int, .* got str"),
        (
            lambda: nn.train_test_split([[1.0]] * 4, [0.0] * 4, test_size=1.5),
            ValueError,
            r"test_size: .*\(0.0, 1.0\)",
        ),
        (
            lambda: nn.train_test_split([[1.0]] * 4, [0.0] * 4, test_size=True),
            TypeError,
            "test_size: .*got bool True",
        ),
        (
            lambda: nn.train_test_split([[1.0]] * 4, [0.0] * 3),
            ValueError,
            r"y: expected one label per sample of X \(4\), got 3",
        ),
        (lambda: nn.train_test_split({1: 2}, [0.0]), TypeError, "X: expected a sequence, got dict"),
        (
            lambda: next(nn.batches([[1.0]], [0.0], batch_size=0)),
            ValueError,
            "batch_size: expected an integer >= 1",
        ),
        (
            lambda: next(nn.batches([[1.0]], [0.0], shuffle=1)),
            TypeError,
            "shuffle: expected True or False",
        ),
        (lambda: nn.MLP(2, [3, 0]), ValueError, r"sizes\[1\]: expected an integer >= 1, got 0"),
        (lambda: nn.MLP(2.0, [3]), TypeError, "nin: expected an integer, got float 2.0"),
        (
            lambda: nn.MLP(2, [3], init="he"),
            ValueError,
            "init: expected one of 'uniform', 'glorot_uniform'",
        ),
    ],
)
def test_data_and_model_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---- where the checks are not --------------------------------------------------------------------


def test_forward_backward_and_optimizer_steps_run_no_checks(monkeypatch):
    """The hot paths carry no validation: with every checking helper made to fail, a forward
    pass, backward and every optimizer's step still run."""
    m = model()
    opts = [
        nn.SGD(m.parameters(), 0.1, momentum=0.9),
        nn.Adam(m.parameters()),
        nn.Adamax(m.parameters()),
    ]

    def boom(*args, **kwargs):
        raise AssertionError("a check ran on a hot path")

    for name in dir(checks):
        if not name.startswith("__") and callable(getattr(checks, name)) and name != "annotations":
            monkeypatch.setattr(checks, name, boom)
    out = m([0.3, -0.7])
    J = (out - 1.0) ** 2
    J.backward()
    for opt in opts:
        opt.step()
        opt.zero_grad()


def test_importing_nn_does_not_import_numpy():
    code = "import sys, nn; print('numpy' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
