"""The ops a learner meets after the articles (sin, cos, abs, sqrt and the activations PyTorch has
as modules) against PyTorch float64 at random points, each rule's ``torch`` expression included,
and the lecture's first exercise. Special values are in test_engine_ieee.py."""

from __future__ import annotations

import math
import random

import pytest

from engine import Value
from engine.rules import RULES

torch = None  # set by conftest.py before this file's tests run: not imported at collection

OPS = {
    "log1p": (Value.log1p, "torch.log1p(a)"),
    "expm1": (Value.expm1, "torch.expm1(a)"),
    "erf": (Value.erf, "torch.erf(a)"),
    "sin": (Value.sin, "torch.sin(a)"),
    "cos": (Value.cos, "torch.cos(a)"),
    "abs": (abs, "torch.abs(a)"),
    "sqrt": (Value.sqrt, "torch.sqrt(a)"),
    "softplus": (Value.softplus, "F.softplus(a)"),
    "leaky_relu": (Value.leaky_relu, "F.leaky_relu(a)"),
    "elu": (Value.elu, "F.elu(a)"),
    "gelu": (Value.gelu, "F.gelu(a)"),
    "silu": (Value.silu, "F.silu(a)"),
}

rng = random.Random(24)
POINTS = [rng.uniform(-6.0, 6.0) for _ in range(150)] + [rng.uniform(-40, 40) for _ in range(30)]
POINTS += [rng.uniform(-800.0, 800.0) for _ in range(10)] + [19.99, 20.0, 20.01, -1.0, 1e-12]


def _torch(expression: str, x: float, **params: float) -> tuple[float, float]:
    """PyTorch's value and gradient of the expression at x, as a 0-dim float64 tensor."""
    a = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    scope = {"torch": torch, "F": torch.nn.functional, "a": a, **params}
    out = eval(expression, scope)  # noqa: S307 - the test's own expressions
    out.backward()
    return out.item(), a.grad.item()


def _close(ours: float, theirs: float, abs_tol: float = 0.0) -> bool:
    if math.isnan(theirs):
        return math.isnan(ours)
    return math.isclose(ours, theirs, rel_tol=1e-15, abs_tol=abs_tol)


@pytest.mark.parametrize("op", list(OPS))
def test_each_new_op_follows_pytorch_at_random_points(op):
    method, expression = OPS[op]
    failures = []
    for x in POINTS:
        if op in ("sqrt", "log1p"):
            x = abs(x)
        if op == "expm1":
            x = min(x, 700.0)
        t_value, t_grad = _torch(expression, x)
        v = Value(x)
        y = method(v)
        y.backward()
        # silu's slope: PyTorch's compiled kernel fuses 1 + x (1 - s) into one multiply-add,
        # a rounding this formula cannot repeat; it shows as an absolute error of ~|x| 1e-16.
        slack = 1e-15 * max(1.0, abs(x)) if op == "silu" else 0.0
        # expm1: PyTorch's differs from the C library's by an ulp or two, and its slope, the
        # result + 1, turns that into a relative error of 1e-16 / e**x for negative x.
        slack = 1e-15 if op == "expm1" else slack
        value_ok = _close(y.data, t_value) or (op == "expm1" and _close(y.data, t_value, 1e-15))
        if not (value_ok and _close(v.grad, t_grad, slack)):
            failures.append(f"x={x!r}: ours {(y.data, v.grad)} torch {(t_value, t_grad)}")
    assert not failures, f"{len(failures)} of {len(POINTS)} differ:\n" + "\n".join(failures[:8])


@pytest.mark.parametrize(("op", "param"), [("leaky_relu", "negative_slope"), ("elu", "alpha")])
def test_the_params_follow_pytorch(op, param):
    for c in (0.0, 0.2, 1.5, 3.0):
        for x in (-2.5, -0.3, 0.0, 0.7):
            v = Value(x)
            y = getattr(v, op)(c)
            y.backward()
            expected = _torch(RULES[op].torch, x, **{param: c})
            assert _close(y.data, expected[0]) and _close(v.grad, expected[1]), (c, x)
            assert y.const == {param: c}


def test_each_rules_torch_expression_is_the_op():
    """The rules' torch field (the export and these tests read it) computes the op."""
    for op, (_, expression) in OPS.items():
        rule = RULES[op]
        params = dict(zip(rule.params, rule.defaults))
        for x in (0.4, 3.0) if op in ("sqrt", "log1p") else (-1.7, 0.4, 3.0):
            assert _torch(rule.torch, x, **params) == _torch(expression, x), op


def test_the_lectures_first_exercise():
    """f = -a**3 + sin(3 b) - 1/c + b**2.5 - a**0.5, its three gradients as PyTorch gives them."""
    for a, b, c in [(2.0, 3.0, 4.0), (0.5, 1.25, 0.1), (7.0, 0.01, 30.0)]:
        va, vb, vc = Value(a), Value(b), Value(c)
        f = -(va**3) + (3 * vb).sin() - 1.0 / vc + vb**2.5 - va**0.5
        f.backward()
        ta, tb, tc = (torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in (a, b, c))
        tf = -(ta**3) + (3 * tb).sin() - 1.0 / tc + tb**2.5 - ta**0.5
        tf.backward()
        assert _close(f.data, tf.item())
        for ours, theirs in zip((va, vb, vc), (ta, tb, tc)):
            assert _close(ours.grad, theirs.grad.item()), (a, b, c)
        # and the closed forms, a third oracle
        assert va.grad == pytest.approx(-3 * a**2 - 0.5 * a**-0.5, rel=1e-14)
        assert vb.grad == pytest.approx(3 * math.cos(3 * b) + 2.5 * b**1.5, rel=1e-12)
        assert vc.grad == pytest.approx(c**-2, rel=1e-14)
