"""Training: fit, evaluate, the history and callbacks, and the float path predict."""

from __future__ import annotations

import math
import random

import pytest

import nn
from engine import Value

XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [0.0, 1.0, 1.0, 0.0]


def _xor_model(seed: int = 0) -> nn.MLP:
    return nn.MLP(2, [4, 1], ["tanh", "sigmoid"], seed=seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_solves_xor(seed):
    model = _xor_model(seed)
    history = nn.fit(
        model, XOR_X, XOR_Y, optimizer=nn.Adam(model, lr=0.05), epochs=300, batch_size=4,
        seed=seed, verbose=False,
    )  # fmt: skip
    probs = [model(x).data for x in XOR_X]
    assert [1.0 if p > 0.5 else 0.0 for p in probs] == XOR_Y
    assert max(abs(p - t) for p, t in zip(probs, XOR_Y)) < 0.1
    assert history.accuracy[-1] == 1.0 and history.loss[-1] < 0.05
    assert history.loss[-1] < history.loss[0]


def test_history_lengths_with_and_without_validation():
    model = _xor_model()
    h = nn.fit(model, XOR_X, XOR_Y, epochs=7, batch_size=3, verbose=False)
    assert h.epochs == len(h.loss) == len(h.accuracy) == 7
    assert h.val_loss == [] and h.val_accuracy == []
    h = nn.fit(model, XOR_X, XOR_Y, epochs=4, validation=(XOR_X[:2], XOR_Y[:2]), verbose=False)
    assert len(h.val_loss) == len(h.val_accuracy) == 4
    # validation metrics are measured after each epoch, so the last equals evaluate afterwards
    assert (h.val_loss[-1], h.val_accuracy[-1]) == nn.evaluate(model, XOR_X[:2], XOR_Y[:2])


def test_one_graph_per_batch_with_every_sample_of_the_batch():
    sizes = []

    def recording_loss(predictions, targets):
        assert all(isinstance(p, Value) for p in predictions)
        sizes.append(len(predictions))
        return nn.mse(predictions, targets)

    X = [[random.Random(i).uniform(-1, 1), 0.5] for i in range(10)]
    y = [float(i % 2) for i in range(10)]
    model = nn.MLP(2, [3, 1], ["relu", "sigmoid"], seed=0)
    calls = []
    original_step = nn.SGD.step

    class CountingSGD(nn.SGD):
        def step(self) -> None:
            calls.append(self.t)
            original_step(self)

    nn.fit(model, X, y, loss=recording_loss, optimizer=CountingSGD(model, lr=0.1), epochs=3,
           batch_size=4, verbose=False)  # fmt: skip
    assert sizes == [4, 4, 2] * 3  # one loss (one graph) per batch, over the whole batch
    assert len(calls) == 9  # one optimizer step per batch


def test_fit_is_deterministic_per_seed():
    runs = []
    for seed in (3, 3, 4):
        model = _xor_model(0)
        h = nn.fit(model, XOR_X, XOR_Y, epochs=5, batch_size=2, seed=seed, verbose=False)
        runs.append(h.loss)
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_fit_is_quiet_when_asked_and_when_not_a_terminal(capsys):
    model = _xor_model()
    nn.fit(model, XOR_X, XOR_Y, epochs=3, verbose=False)
    assert capsys.readouterr() == ("", "")
    nn.fit(model, XOR_X, XOR_Y, epochs=3, verbose=True)  # pytest's captured stderr is no tty
    assert capsys.readouterr() == ("", "")


def test_callbacks_called_after_every_epoch():
    seen = []

    def callback(epoch, history, model):
        seen.append((epoch, history.epochs, model))

    model = _xor_model()
    nn.fit(model, XOR_X, XOR_Y, epochs=5, callbacks=[callback, callback], verbose=False)
    assert [s[0] for s in seen] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert all(epoch == done and m is model for epoch, done, m in seen)


def test_evaluate_against_a_hand_computation():
    model = nn.MLP(2, [3, 1], ["tanh", "sigmoid"], seed=5)
    X = [[0.3, -0.2], [1.0, 0.5], [-0.7, 0.9], [0.0, 0.0], [2.0, -1.0]]
    y = [1.0, 0.0, 1.0, 0.0, 1.0]
    probs = [model(x).data for x in X]
    bce = -sum(math.log(p) if t == 1.0 else math.log(1.0 - p) for p, t in zip(probs, y)) / len(y)
    hits = sum((p > 0.5) == (t == 1.0) for p, t in zip(probs, y))
    loss, acc = nn.evaluate(model, X, y)
    assert loss == pytest.approx(bce, rel=1e-12)
    assert acc == hits / len(y)


def test_hinge_loss_uses_the_sign_for_accuracy():
    model = nn.MLP(2, [3, 1], seed=2)  # linear output: a score
    X = [[0.3, -0.2], [1.0, 0.5], [-0.7, 0.9], [0.1, 0.4]]
    scores = [model(x).data for x in X]
    y = [1.0 if s > 0 else -1.0 for s in scores]  # labels the model gets all right, by sign
    y_wrong = [-t for t in y]
    assert nn.evaluate(model, X, y, loss="hinge")[1] == 1.0
    assert nn.evaluate(model, X, y_wrong, loss=nn.hinge)[1] == 0.0
    margin = sum(max(0.0, 1.0 - t * s) for s, t in zip(scores, y)) / len(y)
    assert nn.evaluate(model, X, y, loss="hinge")[0] == pytest.approx(margin, rel=1e-12)
    assert nn.train.accuracy_kind("binary_cross_entropy") == "threshold"
    assert nn.train.accuracy_kind("hinge", accuracy="threshold") == "threshold"
    with pytest.raises(ValueError, match="accuracy: expected one of 'threshold', 'sign'"):
        nn.evaluate(model, X, y, loss="mse", accuracy="top5")


@pytest.mark.parametrize(
    "sizes, activations",
    [
        ([4, 6, 6, 4, 1], ["relu"] * 4 + ["sigmoid"]),
        ([5, 1], ["tanh", "linear"]),
        ([3, 2], ["sigmoid", "relu"]),
    ],
)
def test_predict_equals_the_graph_forward_exactly(sizes, activations):
    model = nn.MLP(2, sizes, activations, init="glorot_uniform", seed=11)
    for p in model.parameters():  # non-zero biases too
        p.data += 0.1
    rng = random.Random(0)
    X = [[rng.uniform(-3, 3), rng.uniform(-3, 3)] for _ in range(200)] + [[0, 0], [1, -1]]
    got = nn.predict(model, X)
    for x, out in zip(X, got):
        graph = model(x)
        if isinstance(graph, Value):
            assert out == graph.data  # bit for bit, not approximately
        else:
            assert out == [v.data for v in graph]


def test_predict_on_a_layer_a_neuron_and_nothing():
    layer = nn.Layer(3, 2, "tanh", seed=1)
    neuron = nn.Neuron(3, "sigmoid", seed=2)
    X = [[0.1, -0.5, 2.0], [1.0, 1.0, -1.0]]
    assert nn.predict(layer, X) == [[v.data for v in layer(x)] for x in X]
    assert nn.predict(neuron, X) == [neuron(x).data for x in X]
    assert nn.predict(layer, []) == []
    with pytest.raises(ValueError):
        nn.predict(layer, [[1.0, 2.0]])


# ---- compile=True: the same training as compiled steps -----------------------------------------


def _final_weights(compiled: bool, loss: str, make, X, y, **options):
    model = make()
    history = nn.fit(
        model, X, y, loss=loss, optimizer=nn.Adamax(model.parameters()), seed=3, verbose=False,
        compile=compiled, **options,
    )  # fmt: skip
    return [p.data for p in model.parameters()], history


@pytest.mark.parametrize(
    "loss, labels",
    [("binary_cross_entropy", (0.0, 1.0)), ("mse", (0.0, 1.0)), ("hinge", (-1.0, 1.0))],
)
def test_compiled_fit_ends_with_the_interpreters_weights_bit_for_bit(loss, labels):
    """Circles data, the article's 2-4-6-6-4-1 network, batches of 16 and a last partial batch
    (two compiled steps); labels differ between batches, so a step that baked in the first
    batch's labels would drift."""
    X, y01 = nn.make_circles(90, factor=0.3, noise=0.1, seed=1)
    y = [labels[int(t)] for t in y01]
    act = "sigmoid" if loss == "binary_cross_entropy" else "linear"

    def make():
        return nn.MLP(2, [4, 6, 6, 4, 1], ["relu"] * 4 + [act], init="glorot_uniform", seed=5)

    interpreted, h1 = _final_weights(False, loss, make, X, y, epochs=2, batch_size=16)
    compiled, h2 = _final_weights(True, loss, make, X, y, epochs=2, batch_size=16)
    assert compiled == interpreted
    assert h2.loss == h1.loss and h2.accuracy == h1.accuracy
    assert interpreted != [p.data for p in make().parameters()]  # training moved the weights


def test_compiled_fit_with_soft_labels_and_tanh():
    X = [[0.1 * i, -0.05 * i * i] for i in range(10)]
    y = [0.1 * (i % 7) for i in range(10)]

    def make():
        return nn.MLP(2, [3, 1], ["tanh", "sigmoid"], seed=2)

    interpreted, _ = _final_weights(
        False, "binary_cross_entropy", make, X, y, epochs=4, batch_size=4
    )
    compiled, _ = _final_weights(True, "binary_cross_entropy", make, X, y, epochs=4, batch_size=4)
    assert compiled == interpreted


def test_compiled_steps_one_per_batch_size():
    from nn.compiled import CompiledSteps

    model = _xor_model()
    steps = CompiledSteps(model, nn.binary_cross_entropy)
    steps.run(XOR_X[:3], XOR_Y[:3])
    steps.run(XOR_X[1:], XOR_Y[1:])
    steps.run(XOR_X, XOR_Y)
    assert sorted(steps.steps) == [3, 4]


def test_compiled_fit_refuses_samples_of_unequal_length():
    from nn.compiled import CompiledSteps

    steps = CompiledSteps(_xor_model(), nn.binary_cross_entropy)
    steps.run([[0.0, 1.0], [1.0, 0.0]], [1.0, 0.0])  # traces the step for batches of 2
    with pytest.raises(ValueError, match="every sample needs 2 features"):
        steps.run([[0.0, 1.0], [1.0, 0.0, 1.0]], [1.0, 0.0])


def test_fit_pauses_the_collector_for_its_steps_only_and_restores_it():
    """The steps run with the cyclic collector paused (their graphs make no cycles); callbacks
    run with it on, and it is on again after fit, also when a step raises."""
    import gc

    seen = []

    def loss(outputs, targets):
        seen.append(("step", gc.isenabled()))
        return nn.mse(outputs, targets)

    model = nn.MLP(2, [1], ["sigmoid"], seed=0)
    X, y = [[0.0, 1.0], [1.0, 0.0]], [0.0, 1.0]
    callback = lambda epoch, history, model: seen.append(("callback", gc.isenabled()))  # noqa: E731
    assert gc.isenabled()
    nn.fit(model, X, y, loss=loss, epochs=2, batch_size=1, callbacks=[callback], verbose=False)
    assert gc.isenabled()
    assert seen == [("step", False)] * 2 + [("callback", True)] + [("step", False)] * 2 + [
        ("callback", True)
    ]

    def failing(outputs, targets):
        raise RuntimeError("a loss that fails")

    with pytest.raises(RuntimeError, match="a loss that fails"):
        nn.fit(model, X, y, loss=failing, epochs=1, verbose=False)
    assert gc.isenabled()
