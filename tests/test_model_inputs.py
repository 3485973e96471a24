"""What a model takes as one sample and what it returns: numpy rows and scalars as well as lists,
another model's outputs as input, and clear errors for a single number where a sample is expected
or for .backward() on a several-output model's list. numpy is only needed by the tests that use
it (each skips without it); nn itself never imports it."""

from __future__ import annotations

import math
import pickle

import pytest

import nn
from engine import Value

X_LIST = [[1.0, 2.0], [0.5, -1.0], [0.0, 1.0], [-1.5, 0.25]]
Y_LIST = [1.0, -1.0, 1.0, -1.0]


def outputs_and_grads(model: nn.Module, x: object) -> tuple[list[float], list[float]]:
    model.zero_grad()
    out = model(x)
    values = [out] if isinstance(out, Value) else list(out)
    sum(values).backward()
    return [v.data for v in values], [p.grad for p in model.parameters()]


@pytest.fixture(scope="module")
def np():
    return pytest.importorskip("numpy", reason="numpy is not installed")


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.MLP(2, [3, 1], seed=0),
        lambda: nn.MLP(2, [3, 2], ["tanh", "sigmoid"], seed=1, fused=False),
        lambda: nn.Layer(2, 3, "tanh", seed=2),
        lambda: nn.Neuron(2, "relu", seed=3),
    ],
    ids=["mlp", "mlp-unfused-2-out", "layer", "neuron"],
)
def test_a_numpy_row_gives_what_the_list_gives(np, make):
    model = make()
    x = [0.75, -1.25]
    expected = outputs_and_grads(model, x)
    for row in (
        np.array(x),
        np.array(x, dtype=np.float32),  # both values are exact in float32
        [np.float64(0.75), np.float32(-1.25)],
        tuple(x),
    ):
        assert outputs_and_grads(model, row) == expected, type(row)
    ints = outputs_and_grads(model, np.array([1, -2]))
    assert ints == outputs_and_grads(model, [1.0, -2.0])


def test_another_models_outputs_are_a_valid_input():
    first = nn.MLP(2, [3, 2], ["tanh", "tanh"], seed=4)
    second = nn.MLP(2, [1], ["linear"], seed=5)
    hidden = first([0.5, -0.5])
    assert type(hidden) is not list and isinstance(hidden, list)
    out = second(hidden)
    # the same numbers as from a plain list, and the gradient reaches the first model
    w = [wi.data for wi in second.layers[0].neurons[0].w]
    b = second.layers[0].neurons[0].b.data
    assert out.data == b + w[0] * hidden[0].data + w[1] * hidden[1].data
    out.backward()
    a1 = hidden[0].data
    b1 = first.layers[1].neurons[0].b
    assert math.isclose(b1.grad, w[0] * (1 - a1 * a1), rel_tol=1e-12)


def test_fit_evaluate_predict_take_numpy_data_and_a_column_of_labels(np):
    a, b = nn.MLP(2, [3, 1], seed=6), nn.MLP(2, [3, 1], seed=6)
    kw = {"loss": "hinge", "epochs": 2, "batch_size": 2, "verbose": False, "seed": 0}
    h_list = nn.fit(a, X_LIST, Y_LIST, **kw)
    h_np = nn.fit(b, np.array(X_LIST), np.array(Y_LIST).reshape(-1, 1), **kw)
    assert h_np.loss == h_list.loss
    assert nn.evaluate(b, np.array(X_LIST), np.array(Y_LIST), loss="hinge") == nn.evaluate(
        a, X_LIST, Y_LIST, loss="hinge"
    )
    assert nn.predict(b, np.array(X_LIST)) == [a(x).data for x in X_LIST]


def test_losses_take_numpy_targets_and_numpy_rows_through_the_model(np):
    m = nn.MLP(2, [3, 1], seed=7)
    X, y = np.array(X_LIST), np.array(Y_LIST)
    for loss in (nn.mse, nn.hinge):
        assert loss([m(x) for x in X], y).data == loss([m(x) for x in X_LIST], Y_LIST).data
    assert nn.mse(m(X[0]), y[0]).data == nn.mse(m(X_LIST[0]), Y_LIST[0]).data
    probs = [m(x).sigmoid() for x in X]
    assert (
        nn.binary_cross_entropy(probs, (y + 1) / 2).data
        == nn.binary_cross_entropy(probs, [(t + 1) / 2 for t in Y_LIST]).data
    )


def test_data_helpers_and_dead_units_take_numpy_arrays(np):
    m = nn.MLP(2, [3, 1], seed=8)
    X, y = np.array(X_LIST), np.array(Y_LIST)
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_size=0.5, seed=0)
    lists = nn.train_test_split(X_LIST, Y_LIST, test_size=0.5, seed=0)
    assert [r.tolist() for r in X_train] == lists[0] and [float(t) for t in y_test] == lists[3]
    assert [m(x).data for x in X_train] == [m(x).data for x in lists[0]]
    for (Xb, yb), (Xl, yl) in zip(
        nn.batches(X, y, 3, seed=1), nn.batches(X_LIST, Y_LIST, 3, seed=1)
    ):
        assert [r.tolist() for r in Xb] == Xl and [float(t) for t in yb] == yl
    assert nn.dead_units(m, X) == nn.dead_units(m, X_LIST)


def test_a_single_number_where_a_sample_is_expected_names_x_and_the_length():
    m = nn.MLP(2, [3, 1], seed=0)
    message = (
        r"MLP\(\): x must be a sequence of 2 numbers or Values \(one per input\), got float 1.0"
    )
    with pytest.raises(TypeError, match=message):
        m(1.0)
    with pytest.raises(TypeError, match=r"x must be a sequence of 2 numbers.*got Value"):
        m(Value(1.0))
    with pytest.raises(TypeError, match=r"Layer\(\) 1: x must be a sequence of 2 numbers"):
        m.layers[0](3)
    with pytest.raises(TypeError, match=r"Neuron\(\) Z\[1\]_1: x must be a sequence of 2 numbers"):
        m.layers[0].neurons[0](None)
    with pytest.raises(ValueError, match=r"MLP\(\): expected 2 inputs, got 3"):
        m([1.0, 2.0, 3.0])


def test_numpy_scalars_and_matrices_where_a_sample_is_expected_are_clear_errors(np):
    m = nn.MLP(2, [3, 1], seed=0)
    with pytest.raises(TypeError, match=r"x must be a sequence of 2 numbers.*got float64"):
        m(np.float64(1.0))
    with pytest.raises(TypeError, match=r"got a 2-D array of shape \(4, 2\).*nn.predict"):
        m(np.array(X_LIST))
    with pytest.raises(TypeError, match=r"X: expected a sequence of samples.*got one sample"):
        nn.predict(m, np.array([1.0, 2.0]))


def test_backward_on_a_several_output_models_list_says_what_to_do():
    m = nn.MLP(2, [3, 2], seed=0)
    outputs = m([1.0, 2.0])
    assert isinstance(outputs, list) and outputs == list(outputs) and len(outputs) == 2
    with pytest.raises(AttributeError, match=r"several outputs returns a list of Values.*"
                       r"\(2 here\).*pick one output.*sum\(outputs\)\.backward\(\)"):  # fmt: skip
        outputs.backward()
    assert not hasattr(outputs, "grad") and not hasattr(outputs, "no_such_thing")
    assert pickle.loads(pickle.dumps(outputs))[1].data == outputs[1].data
    sum(outputs).backward()  # what the message suggests works
    assert any(p.grad != 0.0 for p in m.parameters())
    layer_out = nn.Layer(2, 2)([1.0, 2.0])
    with pytest.raises(AttributeError, match="several outputs"):
        layer_out.backward()
