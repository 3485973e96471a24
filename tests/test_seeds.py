"""The seed networks of SEED-NETWORKS.md: autograd against the articles' closed forms.

Every expected gradient here is written out by hand in plain float arithmetic from the ``.data`` of
the weights and inputs (a forward pass, then the seed's formulas), never read from autograd. Each
seed is checked over many random weights, biases, inputs and targets from a seeded generator.
"""

from __future__ import annotations

import functools
import inspect
import math
import random
from collections.abc import Callable

import pytest

import engine
import nn
from engine import Value

CASES = 100


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


G = {"sigmoid": sig, "tanh": math.tanh, "relu": lambda z: max(z, 0.0), "linear": lambda z: z}
G_PRIME = {
    "sigmoid": lambda z: sig(z) * (1.0 - sig(z)),
    "tanh": lambda z: 1.0 - math.tanh(z) ** 2,
    "relu": lambda z: 1.0 if z > 0.0 else 0.0,
    "linear": lambda z: 1.0,
}


def randomise(model: nn.Module, rng: random.Random, scale: float = 1.5) -> None:
    """Random weights AND biases (nn starts biases at 0, which would hide bias mistakes)."""
    for p in model.parameters():
        p.data = rng.uniform(-scale, scale)


def matrices(model: nn.MLP) -> tuple[list[list[list[float]]], list[list[float]]]:
    """W[l][j][k] and b[l][j] as floats, 0-based."""
    W = [[[w.data for w in n.w] for n in layer.neurons] for layer in model.layers]
    b = [[n.b.data for n in layer.neurons] for layer in model.layers]
    return W, b


def dense(W: list[list[float]], b: list[float], a: list[float], g: str) -> tuple[list, list]:
    """One layer by hand: Z = W a + b, A = g(Z)."""
    z = [bj + sum(wk * ak for wk, ak in zip(row, a)) for row, bj in zip(W, b)]
    return z, [G[g](v) for v in z]


def grads(model: nn.Module) -> dict[str, float]:
    return {name: p.grad for name, p in model.seed_named_parameters()}


def assert_all_close(got: dict[str, float], expected: dict[str, float]) -> None:
    assert got.keys() == expected.keys()
    bad = {k: (got[k], expected[k]) for k in got if not close(got[k], expected[k])}
    assert not bad, f"autograd vs closed form disagree: {bad}"


def as_list(out: Value | list[Value]) -> list[Value]:
    return [out] if isinstance(out, Value) else out


def for_each_case(n: int) -> Callable:
    """Run a test's body for cases 0..n-1 inside ONE test, naming the case that fails.

    The cases are cheap; as separate pytest items their bookkeeping cost more than the checks.
    The decorated test takes ``case``; pytest sees its signature without it.
    """

    def wrap(test: Callable) -> Callable:
        @functools.wraps(test)
        def run(*args, **kwargs):
            for case in range(n):
                try:
                    test(*args, case=case, **kwargs)
                except AssertionError as e:
                    raise AssertionError(f"case {case} of {n}: {e}") from e

        signature = inspect.signature(test)
        others = [p for p in signature.parameters.values() if p.name != "case"]
        run.__signature__ = signature.replace(parameters=others)
        return run

    return wrap


# ---- seed 004: the perceptron --------------------------------------------------------------------


@for_each_case(CASES)
def test_seed_004_perceptron_mse_over_the_data_set(case):
    rng = random.Random(4000 + case)
    n_in, m = rng.randint(1, 4), rng.randint(1, 7)
    neuron = nn.Neuron(n_in, "sigmoid", seed=case)
    randomise(neuron, rng)
    data = [[rng.uniform(-2, 2) for _ in range(n_in)] for _ in range(m)]
    labels = [float(rng.random() < 0.5) for _ in range(m)]
    J = nn.mse([neuron(x) for x in data], labels)
    J.backward()

    w, b = [p.data for p in neuron.w], neuron.b.data
    expected = {f"W[1]_1,{k}": 0.0 for k in range(1, n_in + 1)} | {"b[1]_1": 0.0}
    cost = 0.0
    for x, y in zip(data, labels):
        yhat = sig(b + sum(wk * xk for wk, xk in zip(w, x)))
        cost += (yhat - y) ** 2 / m
        dC_dz = (2.0 / m) * (yhat - y) * yhat * (1.0 - yhat)  # dC/dŷ · dŷ/dz
        for k, xk in enumerate(x, 1):
            expected[f"W[1]_1,{k}"] += dC_dz * xk  # · dz/dw_k = x_k
        expected["b[1]_1"] += dC_dz  # · dz/db = 1
    assert close(J.data, cost)
    assert_all_close(grads(neuron), expected)


# ---- seed 000: two sigmoid layers, MSE -----------------------------------------------------------


def seed_000_expected(model: nn.MLP, x: list[float], y: list[float]) -> dict[str, float]:
    """SEED-NETWORKS.md seed 000, with J = (1/n_y) Σ (A[2] - Y)^2."""
    (W1, W2), (b1, b2) = matrices(model)
    Z1, A1 = dense(W1, b1, x, "sigmoid")
    Z2, A2 = dense(W2, b2, A1, "sigmoid")
    n_y = len(y)
    dZ2 = [2.0 / n_y * (a - t) * sig(z) * (1 - sig(z)) for a, t, z in zip(A2, y, Z2)]
    dZ1 = [
        sum(W2[j][k] * dZ2[j] for j in range(n_y)) * sig(z) * (1 - sig(z)) for k, z in enumerate(Z1)
    ]
    out = {}
    for layer, dZ, A_prev in ((1, dZ1, x), (2, dZ2, A1)):
        for j, d in enumerate(dZ, 1):
            for k, a in enumerate(A_prev, 1):
                out[f"W[{layer}]_{j},{k}"] = d * a  # dW = dZ A_prevᵀ
            out[f"b[{layer}]_{j}"] = d
    return out


@for_each_case(CASES)
def test_seed_000_two_sigmoid_layers_mse(case):
    rng = random.Random(0 + case)
    n_x, n_h, n_y = rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 3)
    model = nn.MLP(n_x, [n_h, n_y], ["sigmoid", "sigmoid"], seed=case)
    randomise(model, rng)
    x = [rng.uniform(-2, 2) for _ in range(n_x)]
    y = [rng.uniform(0, 1) for _ in range(n_y)]
    out = model(x)
    J = nn.mse(out, y if n_y > 1 else y[0])
    J.backward()
    expected = seed_000_expected(model, x, y)
    assert_all_close(grads(model), expected)
    # dJ/dA[2] = (2/n_y)(A[2] - Y) on the output nodes themselves.
    for a, t in zip(as_list(out), y):
        assert close(a.grad, 2.0 / n_y * (a.data - t))


# ---- seed 001: hidden g, sigmoid output, binary cross-entropy ------------------------------------


def seed_001_expected(model: nn.MLP, samples: list[tuple[list[float], float]], g: str) -> dict:
    """SEED-NETWORKS.md seed 001; with m samples each gradient is the mean over them."""
    (W1, W2), (b1, b2) = matrices(model)
    m = len(samples)
    out: dict[str, float] = {name: 0.0 for name, _ in model.seed_named_parameters()}
    for x, y in samples:
        Z1, A1 = dense(W1, b1, x, g)
        _, A2 = dense(W2, b2, A1, "sigmoid")
        dZ2 = A2[0] - y  # dJ/dZ[2] = A[2] - Y
        for k, a in enumerate(A1, 1):
            out[f"W[2]_1,{k}"] += dZ2 * a / m
        out["b[2]_1"] += dZ2 / m
        for j, z in enumerate(Z1, 1):
            dZ1 = W2[0][j - 1] * dZ2 * G_PRIME[g](z)  # (W[2]ᵀ (A[2]-Y)) ⊙ g'(Z[1])
            for k, xk in enumerate(x, 1):
                out[f"W[1]_{j},{k}"] += dZ1 * xk / m
            out[f"b[1]_{j}"] += dZ1 / m
    return out


@pytest.mark.parametrize("hidden", ["tanh", "relu", "sigmoid"])
@for_each_case(CASES)
def test_seed_001_two_layers_binary_cross_entropy(case, hidden):
    rng = random.Random(1000 + case)
    n_x, n_h = rng.randint(1, 4), rng.randint(1, 5)
    model = nn.MLP(n_x, [n_h, 1], [hidden, "sigmoid"], seed=case)
    randomise(model, rng)
    x = [rng.uniform(-2, 2) for _ in range(n_x)]
    y = rng.choice([0.0, 1.0, 0, 1, rng.uniform(0, 1)])  # exact labels and soft ones
    A2 = model(x)
    J = nn.binary_cross_entropy(A2, y)
    J.backward()
    assert_all_close(grads(model), seed_001_expected(model, [(x, y)], hidden))
    a = A2.data
    assert close(A2.grad, (a - y) / (a * (1 - a)))  # the article's final dJ/dA[2]
    assert close(A2.grad, -y / a + (1 - y) / (1 - a))  # its middle step, sign corrected


@pytest.mark.parametrize("hidden", ["tanh", "relu"])
@for_each_case(30)
def test_seed_001_with_m_examples_is_the_mean(case, hidden):
    """The article's closing remark: over m examples each gradient gains 1/m and a sum."""
    rng = random.Random(1500 + case)
    n_x, n_h, m = rng.randint(1, 3), rng.randint(1, 4), rng.randint(2, 6)
    model = nn.MLP(n_x, [n_h, 1], [hidden, "sigmoid"], seed=case)
    randomise(model, rng)
    xs = [[rng.uniform(-2, 2) for _ in range(n_x)] for _ in range(m)]
    samples = [(x, float(rng.random() < 0.5)) for x in xs]
    J = nn.binary_cross_entropy([model(x) for x, _ in samples], [y for _, y in samples])
    J.backward()
    assert_all_close(grads(model), seed_001_expected(model, samples, hidden))


def test_seed_001_the_articles_printed_middle_step_has_a_sign_slip():
    """-Y/A - (1-Y)/(1-A), as printed, is not dJ/dA[2] when Y != 1 (it is when Y = 1)."""
    model = nn.MLP(2, [3, 1], ["tanh", "sigmoid"], seed=7)
    for y in (0.0, 0.3):
        model.zero_grad()
        A2 = model([0.4, -0.9])
        nn.binary_cross_entropy(A2, y).backward()
        a = A2.data
        assert not close(A2.grad, -y / a - (1 - y) / (1 - a))
    A2 = model([0.4, -0.9])
    nn.binary_cross_entropy(A2, 1.0).backward()
    assert close(A2.grad, -1.0 / A2.data)


# ---- seed 002: the 4-2-2-1 network ---------------------------------------------------------------


def seed_002_deltas(model: nn.MLP, x: list[float], y: float, f: str) -> tuple[list, list]:
    """Hand forward pass and δ[l][j] = dC/dZ[l]_j for C = (s - y)^2 (delta[0] unused)."""
    W, b = matrices(model)
    zs, acts = [[]], [x]
    for layer, g in enumerate([f, f, "linear"]):
        z, a = dense(W[layer], b[layer], acts[-1], g)
        zs.append(z)
        acts.append(a)
    s = zs[3][0]
    delta = [[], [], [], [2.0 * (s - y)]]
    for layer in (2, 1):
        delta[layer] = [
            sum(W[layer][j][k] * delta[layer + 1][j] for j in range(len(delta[layer + 1])))
            * G_PRIME[f](z)
            for k, z in enumerate(zs[layer])
        ]
    return delta, acts


@pytest.mark.parametrize("f", ["sigmoid", "tanh"])
@for_each_case(CASES)
def test_seed_002_four_layer_local_gradients_and_the_w22_chain(case, f):
    rng = random.Random(2000 + case)
    model = nn.MLP(4, [2, 2, 1], [f, f, "linear"], seed=case)
    randomise(model, rng)
    x = [rng.uniform(-2, 2) for _ in range(4)]
    y = rng.uniform(-2, 2)
    J = nn.mse(model(x), y)
    J.backward()
    delta, acts = seed_002_deltas(model, x, y, f)
    expected = {}
    for layer in (1, 2, 3):
        for j, d in enumerate(delta[layer], 1):
            for k, a in enumerate(acts[layer - 1], 1):
                expected[f"W[{layer}]_{j},{k}"] = d * a  # δ_j^(l+1) (a_k)^l
            expected[f"b[{layer}]_{j}"] = d
    assert_all_close(grads(model), expected)

    # The article's chain for (w_22)^2 = W[2]_2,2, written out factor by factor.
    (_, W2, W3), (b1, b2, _) = matrices(model)
    _, a2 = dense(matrices(model)[0][0], b1, x, f)
    z3 = b2[1] + W2[1][0] * a2[0] + W2[1][1] * a2[1]
    s = acts[3][0]
    chain = (2.0 * (s - y) * W3[0][1]) * G_PRIME[f](z3) * a2[1]
    p = dict(model.seed_named_parameters())
    assert close(p["W[2]_2,2"].grad, chain)

    # Local gradients: the Z nodes' autograd grads are the δs.
    nodes = {n.label: n for n in engine.topo_order(J) if n.label}
    for layer in (1, 2, 3):
        for j, d in enumerate(delta[layer], 1):
            assert close(nodes[f"Z[{layer}]_{j}"].grad, d)


@pytest.mark.parametrize("fused", [True, False])
@for_each_case(20)
def test_seed_002_paths_sum_to_every_gradient(case, fused):
    rng = random.Random(2500 + case)
    model = nn.MLP(4, [2, 2, 1], ["sigmoid", "sigmoid", "linear"], seed=case, fused=fused)
    randomise(model, rng)
    x = [Value(rng.uniform(-2, 2), label=f"X_{i}") for i in range(1, 5)]
    J = nn.mse(model(x), rng.uniform(-2, 2))
    J.backward()
    for node in [*model.parameters(), *x]:
        found = engine.paths(J, node)
        assert len(found) == engine.count_paths(J, node)
        assert close(math.fsum(p.product for p in found), node.grad), node.label
        for p in found:
            assert p.nodes[0] is node and p.nodes[-1] is J
            assert close(p.product, math.prod(p.factors))
    # A first-layer weight reaches C through both hidden_2 units; a second-layer one through one.
    p = dict(model.seed_named_parameters())
    assert len(engine.paths(J, p["W[1]_2,2"])) == 2
    assert len(engine.paths(J, p["W[2]_2,2"])) == 1


# ---- fused and expanded networks agree -----------------------------------------------------------

SEED_NETWORKS = {
    "004": (3, [1], ["sigmoid"], "mse"),
    "000": (3, [4, 2], ["sigmoid", "sigmoid"], "mse"),
    "001-tanh": (3, [4, 1], ["tanh", "sigmoid"], "binary_cross_entropy"),
    "001-relu": (3, [4, 1], ["relu", "sigmoid"], "binary_cross_entropy"),
    "002": (4, [2, 2, 1], ["sigmoid", "sigmoid", "linear"], "mse"),
}


@pytest.mark.parametrize("network", SEED_NETWORKS)
@for_each_case(20)
def test_fused_and_expanded_seed_networks_agree(network, case):
    n_x, sizes, activations, loss = SEED_NETWORKS[network]
    rng = random.Random(3000 + case)
    values = None
    x = [rng.uniform(-2, 2) for _ in range(n_x)]
    y = [float(rng.random() < 0.5) for _ in range(sizes[-1])]
    results = []
    for fused in (True, False):
        model = nn.MLP(n_x, sizes, activations, seed=case, fused=fused)
        if values is None:
            values = [rng.uniform(-1.5, 1.5) for _ in model.parameters()]
        for p, v in zip(model.parameters(), values):
            p.data = v
        out = as_list(model(x))
        J = nn.get_loss(loss)(out if len(out) > 1 else out[0], y if len(y) > 1 else y[0])
        J.backward()
        ops = {n.op for n in engine.topo_order(J)}
        assert ("linear" in ops) == fused
        results.append((J.data, grads(model)))
    (j_fused, g_fused), (j_expanded, g_expanded) = results
    assert close(j_fused, j_expanded)
    assert_all_close(g_fused, g_expanded)
