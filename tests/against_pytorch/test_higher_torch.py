"""engine.grad with create_graph, hessian and hvp against PyTorch float64: first, second and third
derivatives of random graphs over every op (shared subgraphs included), seed 000's network
Hessian against torch.autograd.functional.hessian, and the derivatives at the kinks and special
values of the ops."""

from __future__ import annotations

import math

import pytest
import strategies
from hypothesis import given, settings

import nn
from engine import Value, grad, hessian, hvp

torch = None  # set by conftest.py before this file's tests run: not imported at collection


def _build(inputs, program, engine_side: bool):
    """Every node of a random program (tests/strategies.py: every op of the rule table), as
    Values or as float64 tensors that require grad."""
    if engine_side:
        return strategies.build(program, [Value(x) for x in inputs])
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    return strategies.build(program, leaves, "torch")


def _torch_grad(y, xs, create_graph: bool):
    """torch.autograd.grad with materialize_grads: zeros for unused inputs, and zeros for a y
    that is a constant (PyTorch refuses to differentiate one)."""
    if not y.requires_grad:
        return [torch.zeros((), dtype=torch.float64) for _ in xs]
    return list(
        torch.autograd.grad(
            y,
            xs,
            create_graph=create_graph,
            retain_graph=True,
            allow_unused=True,
            materialize_grads=True,
        )
    )


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-11)


@settings(max_examples=30, deadline=None)
@given(strategies.programs(max_inputs=3, max_nodes=7, limit=20.0))
def test_first_second_and_third_derivatives_match_pytorch(case):
    inputs, program = case
    ours = _build(inputs, program, engine_side=True)
    theirs = _build(inputs, program, engine_side=False)
    n = len(inputs)
    y, ty = ours[-1], theirs[-1]
    xs, txs = ours[:n], theirs[:n]
    g, tg = grad(y, xs, create_graph=True), _torch_grad(ty, txs, create_graph=True)
    for k in range(n):
        assert close(g[k].data, tg[k].item()), ("first", k, program)
        h, th = grad(g[k], xs, create_graph=True), _torch_grad(tg[k], txs, create_graph=True)
        for m in range(n):
            assert close(h[m].data, th[m].item()), ("second", k, m, program)
            third = grad(h[m], xs)
            tthird = _torch_grad(th[m], txs, create_graph=False)
            for p in range(n):
                assert close(third[p], tthird[p].item(), rel=1e-8), ("third", k, m, p, program)


# ---- seed 000's network --------------------------------------------------------------------------


def test_the_hessian_of_seed_000s_loss_matches_torch_functional_hessian():
    """Seed 000: 2 inputs -> 3 sigmoid -> 2 sigmoid, J = (1/n_y) Σ (A[2] - Y)^2 (the demo's
    network and sample), the Hessian over all 17 parameters."""
    X, Y = [0.5, -1.5], [1.0, 0.0]
    model = nn.MLP(2, [3, 2], ["sigmoid", "sigmoid"], seed=0)
    J = nn.mse(model([Value(x) for x in X]), Y)
    neurons = [[(n.w, n.b) for n in layer.neurons] for layer in model.layers]
    params = [p for layer in neurons for w, b in layer for p in (*w, b)]
    H = hessian(J, params)

    def loss(flat):  # the same network in matrix form: rows [w_1, ..., w_n, b] per neuron
        a, k = torch.tensor(X, dtype=torch.float64), 0
        for layer in neurons:
            rows = flat[k : k + len(layer) * (len(a) + 1)].reshape(len(layer), len(a) + 1)
            a = torch.sigmoid(rows[:, -1] + rows[:, :-1] @ a)
            k += rows.numel()
        return ((a - torch.tensor(Y, dtype=torch.float64)) ** 2).sum() * (1.0 / len(Y))

    flat = torch.tensor([p.data for p in params], dtype=torch.float64)
    expected = torch.autograd.functional.hessian(loss, flat)
    assert len(H) == len(params) == 17
    for i, row in enumerate(H):
        for j, h in enumerate(row):
            assert close(h, expected[i, j].item(), rel=1e-10), (i, j, h, expected[i, j].item())
    v = [0.1 * k - 0.8 for k in range(len(params))]
    thvp = expected @ torch.tensor(v, dtype=torch.float64)  # (functional.hvp takes ~5 s here)
    for i, (a, b) in enumerate(zip(hvp(J, params, v), thvp.tolist())):
        assert close(a, b, rel=1e-10), (i, a, b)


# ---- kinks and special values --------------------------------------------------------------------


SPECIAL = [
    # (name, engine function, torch function, points)
    ("relu", Value.relu, lambda x: torch.relu(x), [0.0, -0.0, -1.0, 2.0, math.nan]),
    ("clip", lambda x: x.clip(-1.0, 1.0), lambda x: torch.clamp(x, -1.0, 1.0), [-1.0, 1.0, 0.0]),
    ("sqrt", lambda x: x**0.5, lambda x: x**0.5, [0.0, 4.0, math.inf]),
    ("x**1.5", lambda x: x**1.5, lambda x: x**1.5, [0.0, 2.0]),
    ("x**2", lambda x: x**2, lambda x: x**2, [0.0, -0.0, math.inf, math.nan]),
    ("x**3", lambda x: x**3, lambda x: x**3, [0.0, 1e100]),
    ("tanh", Value.tanh, lambda x: torch.tanh(x), [math.inf, -math.inf, 30.0, math.nan]),
    ("sigmoid", Value.sigmoid, lambda x: torch.sigmoid(x), [-math.inf, 800.0, -800.0]),
    ("exp", Value.exp, lambda x: torch.exp(x), [-math.inf, -800.0, 700.0]),
    ("log", Value.log, lambda x: torch.log(x), [math.inf, 1e-300]),
    ("1/x", lambda x: 1.0 / x, lambda x: 1.0 / x, [1e-200, math.inf, -math.inf]),
    ("x*x", lambda x: x * x, lambda x: x * x, [math.inf, math.nan]),
]


@pytest.mark.parametrize(("name", "f", "tf", "points"), SPECIAL, ids=[s[0] for s in SPECIAL])
def test_first_and_second_derivatives_at_kinks_and_special_values_are_pytorchs(name, f, tf, points):
    for x0 in points:
        x = Value(x0)
        tx = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
        (g,) = grad(f(x), [x], create_graph=True)
        (tg,) = _torch_grad(tf(tx), [tx], create_graph=True)
        assert close(g.data, tg.item()), (name, x0, "first", g.data, tg.item())
        (h,) = grad(g, [x])
        (th,) = _torch_grad(tg, [tx], create_graph=False)
        assert close(h, th.item()), (name, x0, "second", h, th.item())


def test_the_one_known_difference_zero_to_a_power():
    """d²/dp² 0 ** p at p > 0: every derivative of the constant 0 is 0, and here PyTorch's second
    derivative is NaN: its first derivative is where(base == 0, 0, 0 ** p * log(0)), and the
    branch not taken, log(0) = -inf times 0, still sends 0 * -inf = NaN back through it. This
    engine's first derivative is the constant 0 (the float rule's branch), so its second is 0."""
    for p0 in (1.0, 2.5):
        p = Value(p0)
        (g,) = grad(0.0**p, [p], create_graph=True)
        assert g.data == 0.0 and grad(g, [p]) == (0.0,)
        tp = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
        (tg,) = _torch_grad(torch.pow(torch.tensor(0.0, dtype=torch.float64), tp), [tp], True)
        (th,) = _torch_grad(tg, [tp], create_graph=False)
        assert tg.item() == 0.0 and math.isnan(th.item())
