"""Seed 003's training is Keras' training, step for step.

The article's network (2-4-6-6-4-1, ReLU hidden layers, sigmoid output, binary cross-entropy,
Adamax with lr 0.002) is built in Keras 3 (PyTorch backend) and in this project with the same
initial weights. Both see the same samples in the same batches; after each of the first 100 Adamax
steps the losses must agree, and after the last one every weight, within float32 tolerance: Keras
computes in float32, this engine in float64. A comparison of final results over seeds says little
(the runs are bimodal, see benchmarks/keras_seeds.py); this test is what shows the computation is
the same.
"""

from __future__ import annotations

import os

import pytest

import nn
from demos.circles import ACTIVATIONS, SIZES, article_setup

# Imported by the `libraries` fixture when these tests run, not when the suite is collected:
# importing Keras takes ~7 s, and every test process collects every file.
keras = np = torch = None


@pytest.fixture(scope="module", autouse=True)
def libraries():
    global keras, np, torch
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="Keras 3 is the reference here (pip install keras)")
    np = pytest.importorskip("numpy", reason="Keras needs numpy")
    torch = pytest.importorskip("torch", reason="Keras' PyTorch backend needs torch")
    if keras.backend.backend() != "torch":
        pytest.skip(f"needs Keras' PyTorch backend, KERAS_BACKEND is {keras.backend.backend()!r}")


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

STEPS = 100
SEED = 3
# float32 carries ~7 significant digits; after 100 Adamax steps through five layers the drift
# measured here is 1.6e-7 (loss, relative) and 3.8e-7 (weights): a few units in float32's last
# place, far below what a different computation (another lr, eps placement, batch) would give.
LOSS_RTOL, W_ATOL = 2e-6, 4e-6


def keras_model(model: nn.MLP):
    """The article's Keras network holding exactly ``model``'s current weights (as float32)."""
    layers = [keras.Input(shape=(2,))]
    layers += [keras.layers.Dense(n, activation=a) for n, a in zip(SIZES, ACTIVATIONS)]
    net = keras.Sequential(layers)
    for dense, layer in zip(net.layers, model.layers):
        # Keras' kernel is (inputs, units): kernel[k][j] is the weight from input k to unit j,
        # this project's W[l]_j,k.
        kernel = np.array([[w.data for w in n.w] for n in layer.neurons], dtype="float32").T
        bias = np.array([n.b.data for n in layer.neurons], dtype="float32")
        dense.set_weights([kernel, bias])
    net.compile(
        optimizer=keras.optimizers.Adamax(learning_rate=0.002, beta_1=0.9, beta_2=0.999),
        loss=keras.losses.BinaryCrossentropy(),
    )
    return net


def batch_order(X, y, steps: int, seed: int):
    """The batches nn.fit would feed for ``seed``: reshuffled every epoch, cut after ``steps``."""
    rng = nn.init.make_rng(seed)
    out = []
    while len(out) < steps:
        out += list(nn.batches(X, y, 32, rng))
    return out[:steps]


def engine_step(model: nn.MLP, opt: nn.Adamax, Xb, yb) -> float:
    """One step exactly as nn.fit takes it: one graph for the batch, backward, Adamax."""
    J = nn.binary_cross_entropy([model(x) for x in Xb], yb)
    opt.zero_grad()
    J.backward()
    opt.step()
    return J.data


@pytest.fixture(scope="module")
def both_runs():
    # One thread: on a busy 2-core machine torch's thread pool makes each tiny step ~15x slower.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _run_both()
    finally:
        torch.set_num_threads(threads)


def _run_both():
    model, X_train, _, y_train, _ = article_setup(SEED)
    net = keras_model(model)
    opt = nn.Adamax(model.parameters())
    ours, theirs = [], []
    for Xb, yb in batch_order(X_train, y_train, STEPS, SEED):
        ours.append(engine_step(model, opt, Xb, yb))
        x = np.array(Xb, dtype="float32")
        t = np.array(yb, dtype="float32").reshape(-1, 1)
        theirs.append(float(net.train_on_batch(x, t)))
    return model, net, ours, theirs


def test_same_loss_after_every_step(both_runs):
    _, _, ours, theirs = both_runs
    assert len(ours) == STEPS
    bad = [
        (i, a, b)
        for i, (a, b) in enumerate(zip(ours, theirs))
        if abs(a - b) > LOSS_RTOL * max(abs(a), abs(b))
    ]
    assert not bad, f"steps where the losses differ (step, engine, keras): {bad[:5]}"
    # The losses must actually move, or agreeing would prove little.
    assert max(ours) - min(ours) > 0.05


def test_same_weights_after_the_steps(both_runs):
    model, net, _, _ = both_runs
    worst = 0.0
    for dense, layer in zip(net.layers, model.layers):
        kernel, bias = dense.get_weights()
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                worst = max(worst, abs(w.data - float(kernel[k][j])))
            worst = max(worst, abs(neuron.b.data - float(bias[j])))
    assert worst <= W_ATOL, f"largest weight difference after {STEPS} steps: {worst:.3g}"


def test_the_steps_are_what_fit_does():
    """The loop above is nn.fit's: three epochs of it give fit's weights, bit for bit."""
    model_a, X, _, y, _ = article_setup(SEED)
    model_b, *_ = article_setup(SEED)
    opt = nn.Adamax(model_a.parameters())
    steps_per_epoch = -(-len(X) // 32)
    for Xb, yb in batch_order(X, y, 3 * steps_per_epoch, SEED):
        engine_step(model_a, opt, Xb, yb)
    nn.fit(
        model_b,
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=nn.Adamax(model_b.parameters()),
        epochs=3,
        batch_size=32,
        seed=SEED,
        verbose=False,
    )
    assert [p.data for p in model_a.parameters()] == [p.data for p in model_b.parameters()]
