"""The engine against PyTorch float64 autograd: every op, and micrograd's two test expressions."""

from __future__ import annotations

import pytest

from engine import Value, linear, total

torch = None  # set by conftest.py before this file's tests run: not imported at collection


def _t(x: float):
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def _both(build_ours, build_torch, points):
    """Run one expression on both engines; return (our out, our leaves, torch out, its leaves)."""
    ours = [Value(p) for p in points]
    theirs = [_t(p) for p in points]
    out_ours = build_ours(*ours)
    out_theirs = build_torch(*theirs)
    out_ours.backward()
    out_theirs.backward()
    return out_ours, ours, out_theirs, theirs


OPS = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "pow_value": (lambda a, b: a**b, lambda a, b: a**b),
    "pow_const": (lambda a, b: a**3 + b**-2, lambda a, b: a**3 + b**-2),
    "rpow": (lambda a, b: 2.0**a * b, lambda a, b: 2.0**a * b),
    "rsub_rdiv": (lambda a, b: 1 - a + 3 / b, lambda a, b: 1 - a + 3 / b),
    "neg": (lambda a, b: -a * b, lambda a, b: -a * b),
    "exp": (lambda a, b: a.exp() + b.exp(), lambda a, b: a.exp() + b.exp()),
    "log": (lambda a, b: a.log() * b, lambda a, b: a.log() * b),
    "tanh": (lambda a, b: (a * b).tanh(), lambda a, b: (a * b).tanh()),
    "sigmoid": (lambda a, b: (a - b).sigmoid(), lambda a, b: (a - b).sigmoid()),
    "relu": (
        lambda a, b: (a - b).relu() + (b - a).relu() * a,
        lambda a, b: (a - b).relu() + (b - a).relu() * a,
    ),
    "linear": (
        lambda a, b: linear([a, b], [b, 2.0], a),
        lambda a, b: a + a * b + b * 2.0,
    ),
    "total": (lambda a, b: total([a, b, a * b]), lambda a, b: a + b + a * b),
}


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("a, b", [(1.7, 0.6), (0.35, -2.5)])
def test_op_matches_torch(name, a, b):
    if name == "pow_value" and b < 0:
        b = -b
    ours, (va, vb), theirs, (ta, tb) = _both(*OPS[name], [a, b])
    assert ours.data == pytest.approx(theirs.item(), rel=1e-12, abs=1e-15)
    assert va.grad == pytest.approx(ta.grad.item(), rel=1e-12, abs=1e-15)
    grad_b = 0.0 if tb.grad is None else tb.grad.item()
    assert vb.grad == pytest.approx(grad_b, rel=1e-12, abs=1e-15)


def _sanity(x, relu):
    """micrograd's test_sanity_check expression, for either engine."""
    z = 2 * x + 2 + x
    q = relu(z) + z * x
    h = relu(z * z)
    return h + q + q * x


def test_micrograd_sanity_check_expression():
    ours, (x,), theirs, (tx,) = _both(
        lambda x: _sanity(x, Value.relu), lambda x: _sanity(x, torch.relu), [-4.0]
    )
    assert ours.data == theirs.item()
    assert x.grad == tx.grad.item()


def _more_ops(a, b, relu):
    """micrograd's test_more_ops expression (also the one in its README), for either engine."""
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + relu(b + a)
    d = d + 3 * d + relu(b - a)
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    return g


def test_micrograd_more_ops_expression():
    ours, (a, b), theirs, (ta, tb) = _both(
        lambda a, b: _more_ops(a, b, Value.relu),
        lambda a, b: _more_ops(a, b, torch.relu),
        [-4.0, 2.0],
    )
    assert ours.data == pytest.approx(theirs.item(), rel=1e-12)
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-12)
    assert b.grad == pytest.approx(tb.grad.item(), rel=1e-12)
    # The figures micrograd's README prints, to 4 decimals.
    assert f"{ours.data:.4f} {a.grad:.4f} {b.grad:.4f}" == "24.7041 138.8338 645.5773"
