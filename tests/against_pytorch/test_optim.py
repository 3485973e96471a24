"""Optimizers: steps worked out by hand (Keras' formulas), and against torch.optim in float64."""

from __future__ import annotations

import math

import pytest

import nn
from engine import Value


def _param(data: float) -> Value:
    return Value(data)


def _step(opt: nn.Optimizer, p: Value, grad: float) -> float:
    p.grad = grad
    opt.step()
    return p.data


def test_sgd_plain_two_steps():
    p = _param(1.0)
    opt = nn.SGD([p], lr=0.1)
    assert _step(opt, p, 0.5) == pytest.approx(1.0 - 0.1 * 0.5, abs=1e-15)  # 0.95
    assert _step(opt, p, -2.0) == pytest.approx(0.95 + 0.1 * 2.0, abs=1e-15)  # 1.15


def test_sgd_momentum_three_steps():
    p = _param(1.0)
    opt = nn.SGD([p], lr=0.1, momentum=0.9)
    # v1 = 0.5, p = 1 - 0.1 * 0.5 = 0.95
    assert _step(opt, p, 0.5) == pytest.approx(0.95, abs=1e-15)
    # v2 = 0.9 * 0.5 + 0.5 = 0.95, p = 0.95 - 0.095 = 0.855
    assert _step(opt, p, 0.5) == pytest.approx(0.855, abs=1e-15)
    # v3 = 0.9 * 0.95 - 1 = -0.145, p = 0.855 + 0.0145 = 0.8695
    assert _step(opt, p, -1.0) == pytest.approx(0.8695, abs=1e-15)


def test_adam_three_steps_keras_formula():
    p = _param(1.0)
    opt = nn.Adam([p], lr=0.1, eps=1e-3)  # a large eps, so its placement shows in the numbers
    # step 1, g = 2: m = 0.1 * 2 = 0.2, v = 0.001 * 4 = 0.004
    # lr_t = 0.1 * sqrt(1 - 0.999) / (1 - 0.9)
    lr_t = 0.1 * math.sqrt(0.001) / 0.1
    p1 = 1.0 - lr_t * 0.2 / (math.sqrt(0.004) + 1e-3)
    assert _step(opt, p, 2.0) == pytest.approx(p1, rel=1e-13)
    # step 2, g = -1: m = 0.9 * 0.2 - 0.1 = 0.08, v = 0.999 * 0.004 + 0.001 * 1 = 0.004996
    lr_t = 0.1 * math.sqrt(1 - 0.999**2) / (1 - 0.9**2)
    p2 = p1 - lr_t * 0.08 / (math.sqrt(0.004996) + 1e-3)
    assert _step(opt, p, -1.0) == pytest.approx(p2, rel=1e-13)
    # step 3, g = 0.5: m = 0.072 + 0.05 = 0.122, v = 0.999 * 0.004996 + 0.001 * 0.25
    v3 = 0.999 * 0.004996 + 0.00025
    lr_t = 0.1 * math.sqrt(1 - 0.999**3) / (1 - 0.9**3)
    p3 = p2 - lr_t * 0.122 / (math.sqrt(v3) + 1e-3)
    assert _step(opt, p, 0.5) == pytest.approx(p3, rel=1e-13)
    # PyTorch's placement (eps added to the bias-corrected sqrt(v_hat)) gives another number here.
    torch_style = 1.0 - 0.1 * (0.2 / 0.1) / (math.sqrt(0.004 / 0.001) + 1e-3)
    assert abs(torch_style - p1) > 1e-4


def test_adamax_three_steps_keras_formula():
    p = _param(1.0)
    opt = nn.Adamax([p], eps=1e-3)  # lr 0.002 by default
    # step 1, g = 2: m = 0.2, u = max(0, 2) = 2, p -= 0.002 / (1 - 0.9) * 0.2 / (2 + 1e-3)
    p1 = 1.0 - 0.002 / 0.1 * 0.2 / (2.0 + 1e-3)
    assert _step(opt, p, 2.0) == pytest.approx(p1, rel=1e-13)
    # step 2, g = -1: m = 0.08, u = max(0.999 * 2, 1) = 1.998
    p2 = p1 - 0.002 / (1 - 0.81) * 0.08 / (1.998 + 1e-3)
    got2 = _step(opt, p, -1.0)
    assert got2 == pytest.approx(p2, rel=1e-13)
    # PyTorch's placement, u = max(b2 u, |g| + eps) and no eps after it, gives another number.
    torch_style = p1 - 0.002 / (1 - 0.81) * 0.08 / max(0.999 * (2.0 + 1e-3), 1.0 + 1e-3)
    assert abs(got2 - torch_style) > 1e-11  # about 1.7e-10 here, well above rounding
    # step 3, g = 0: m = 0.072, u = max(0.999 * 1.998, 0) = 1.996002
    p3 = p2 - 0.002 / (1 - 0.729) * 0.072 / (1.996002 + 1e-3)
    assert _step(opt, p, 0.0) == pytest.approx(p3, rel=1e-13)


def test_optimizers_accept_a_module_and_zero_grad():
    model = nn.MLP(2, [3, 1], seed=0)
    for opt in (nn.SGD(model, lr=0.1), nn.Adam(model), nn.Adamax(model)):
        assert opt.params == model.parameters()
        for p in model.parameters():
            p.grad = 1.0
        opt.zero_grad()
        assert all(p.grad == 0.0 for p in model.parameters())


def test_step_moves_against_the_gradient_and_leaves_no_graph():
    p = _param(0.0)
    for opt in (nn.SGD([p], lr=0.1, momentum=0.5), nn.Adam([p]), nn.Adamax([p])):
        before = p.data
        p.grad = 3.0
        opt.step()
        assert p.data < before
        assert p.parents == () and isinstance(p.data, float)
        assert all(type(s) is float for s in getattr(opt, "m", [0.0]))


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: nn.SGD(ps, lr=0.0),
        lambda ps: nn.SGD(ps, lr=0.1, momentum=1.0),
        lambda ps: nn.Adam(ps, betas=(1.0, 0.999)),
        lambda ps: nn.Adamax([]),
    ],
)
def test_bad_settings_raise(make):
    with pytest.raises(ValueError):
        make([_param(1.0)])


# ---- against torch.optim ------------------------------------------------------------------------

START = [0.7, -1.3, 0.05, 2.2, -0.4]


def _grads(values: list[float], step: int) -> list[float]:
    """A gradient that depends on the parameters and the step, never exactly zero."""
    n = len(values)
    return [
        (i + 1) * (v - 0.3) + math.sin(values[(i + 1) % n] + step) + 0.01
        for i, v in enumerate(values)
    ]


def _run_ours(opt_factory, steps: int) -> list[list[float]]:
    params = [Value(v) for v in START]
    opt = opt_factory(params)
    trace = []
    for t in range(steps):
        for p, g in zip(params, _grads([p.data for p in params], t)):
            p.grad = g
        opt.step()
        trace.append([p.data for p in params])
    return trace


def _run_torch(torch, opt_factory, steps: int, before_step=None) -> list[list[float]]:
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in START]
    opt = opt_factory(params)
    trace = []
    for t in range(steps):
        values = [float(p.detach()) for p in params]
        for p, g in zip(params, _grads(values, t)):
            p.grad = torch.tensor(g, dtype=torch.float64)
        if before_step is not None:
            before_step(opt, t + 1)
        opt.step()
        trace.append([float(p.detach()) for p in params])
    return trace


def _assert_traces_close(ours, theirs, rel: float) -> None:
    for t, (a, b) in enumerate(zip(ours, theirs)):
        assert a == pytest.approx(b, rel=rel, abs=1e-13), f"step {t + 1}"


def test_sgd_matches_torch():
    torch = pytest.importorskip("torch")
    for mu in (0.0, 0.9):
        ours = _run_ours(lambda ps, mu=mu: nn.SGD(ps, lr=0.05, momentum=mu), 25)
        theirs = _run_torch(torch, lambda ps, mu=mu: torch.optim.SGD(ps, lr=0.05, momentum=mu), 25)
        _assert_traces_close(ours, theirs, 1e-12)


def test_adam_matches_torch_with_eps_translated_each_step():
    """PyTorch's update is Keras' with eps replaced by eps * sqrt(1 - b2^t); so setting torch's eps
    to eps / sqrt(1 - b2^t) before step t makes it compute Keras' update exactly."""
    torch = pytest.importorskip("torch")
    eps, b2 = 1e-3, 0.999

    def translate(opt, t):
        opt.param_groups[0]["eps"] = eps / math.sqrt(1.0 - b2**t)

    ours = _run_ours(lambda ps: nn.Adam(ps, lr=0.01, eps=eps), 30)
    theirs = _run_torch(torch, lambda ps: torch.optim.Adam(ps, lr=0.01, eps=eps), 30, translate)
    _assert_traces_close(ours, theirs, 1e-10)
    # Without the translation, the large eps makes the two differ: the test can tell them apart.
    plain = _run_torch(torch, lambda ps: torch.optim.Adam(ps, lr=0.01, eps=eps), 30)
    assert max(abs(a - b) for a, b in zip(ours[-1], plain[-1])) > 1e-6


def test_adamax_matches_torch_with_tiny_eps():
    """PyTorch adds eps inside the max, Keras after it: with eps tiny on both sides they agree."""
    torch = pytest.importorskip("torch")
    ours = _run_ours(lambda ps: nn.Adamax(ps, lr=0.01, eps=1e-14), 30)
    theirs = _run_torch(torch, lambda ps: torch.optim.Adamax(ps, lr=0.01, eps=1e-14), 30)
    _assert_traces_close(ours, theirs, 1e-10)


def test_adam_default_eps_matches_torch_with_tiny_eps():
    torch = pytest.importorskip("torch")
    ours = _run_ours(lambda ps: nn.Adam(ps, lr=0.01, eps=1e-14), 30)
    theirs = _run_torch(torch, lambda ps: torch.optim.Adam(ps, lr=0.01, eps=1e-14), 30)
    _assert_traces_close(ours, theirs, 1e-10)
