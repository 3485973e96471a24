"""Special values (NaN, ±inf, ±0.0, 1e±200, exp's overflow edges) per op, against PyTorch float64.

Rule checked for every op and input: either the engine gives PyTorch's value and gradient (NaN
where PyTorch has NaN), or it raises one of its documented domain errors, and then only where
PyTorch's own result is not finite and no input is NaN (NaN in gives NaN out, never an error).
"""

from __future__ import annotations

import itertools
import math

import pytest
import strategies

from engine import Value
from engine.rules import RULES, Rule

torch = None  # set by conftest.py before this file's tests run: not imported at collection

NAN, INF = math.nan, math.inf
SPECIAL = [
    NAN, INF, -INF, 0.0, -0.0, 1e200, -1e200, 1e-200, -1e-200, 1e-310, 2.5, -2.5, 1.0, -1.0,
    709.78, 709.79, -709.78, -745.2, -746.0, 1e300, 20.0, 20.000000000000004, -40.0,
]  # fmt: skip
DOMAIN_ERRORS = (ValueError, ZeroDivisionError, OverflowError)

UNARY = {
    "neg": (lambda v: -v, lambda t: -t),
    "exp": (Value.exp, lambda t: torch.exp(t)),
    "log": (Value.log, lambda t: torch.log(t)),
    "tanh": (Value.tanh, lambda t: torch.tanh(t)),
    "sigmoid": (Value.sigmoid, lambda t: torch.sigmoid(t)),
    "relu": (Value.relu, lambda t: torch.relu(t)),
    "clip": (lambda v: v.clip(-1.0, 1.0), lambda t: torch.clamp(t, -1.0, 1.0)),
    "abs(v)": (abs, lambda t: torch.abs(t)),
    "leaky_relu()": (Value.leaky_relu, lambda t: torch.nn.functional.leaky_relu(t)),
    "leaky_relu(0.2)": (
        lambda v: v.leaky_relu(0.2),
        lambda t: torch.nn.functional.leaky_relu(t, 0.2),
    ),
    "elu()": (Value.elu, lambda t: torch.nn.functional.elu(t)),
    "elu(0.5)": (lambda v: v.elu(0.5), lambda t: torch.nn.functional.elu(t, 0.5)),
    "+c": (lambda v: v + 2.0, lambda t: t + 2.0),
    "c-": (lambda v: 2.0 - v, lambda t: 2.0 - t),
    "*c": (lambda v: v * 3.0, lambda t: t * 3.0),
    "*inf": (lambda v: v * INF, lambda t: t * INF),
    "/c": (lambda v: v / 4.0, lambda t: t / 4.0),
    "/0": (lambda v: v / 0.0, lambda t: t / 0.0),
    "c/": (lambda v: 1.0 / v, lambda t: 1.0 / t),
    "**2": (lambda v: v**2, lambda t: t**2),
    "**3": (lambda v: v**3, lambda t: t**3),
    "**-1": (lambda v: v**-1, lambda t: t**-1),
    "**0": (lambda v: v**0, lambda t: t**0),
    "**0.5": (lambda v: v**0.5, lambda t: t**0.5),
    "**1.5": (lambda v: v**1.5, lambda t: t**1.5),
    "**-0.5": (lambda v: v**-0.5, lambda t: t**-0.5),
    "2**": (lambda v: 2.0**v, lambda t: 2.0**t),
    "0**": (lambda v: 0.0**v, lambda t: 0.0**t),
    "(-2)**": (lambda v: (-2.0) ** v, lambda t: (-2.0) ** t),
}


def _by_rule(key: str, n: int):
    """An op of the table applied as users write it, and through its rule's torch formula."""
    rule = RULES[key]
    params = {p: strategies.PARAMS.get(p, strategies.DEFAULT_PARAMS)[0] for p in rule.params}
    instruction = (key, tuple(range(n)), params)
    return (
        lambda *vs: strategies.apply(instruction, list(vs), "value"),
        lambda *ts: strategies.apply(instruction, list(ts), "torch"),
    )


# Every one- and two-operand op of the table, Values only (the constant forms are above).
TABLE = {
    key: (len(rule.operands), _by_rule(key, len(rule.operands)))
    for key, rule in RULES.items()
    if isinstance(rule, Rule)
}
PAIR_VALUES = [NAN, INF, -INF, 0.0, -0.0, 1e200, 1e-200, -1e-200, 2.0, -3.0, 0.5]


def _same(ours: float, theirs: float) -> bool:
    """Both NaN, or equal to the last bits (libm's exp, tanh may differ by an ulp) with the same
    sign, so that -0.0 and 0.0 are told apart and infinities must match exactly."""
    if math.isnan(theirs):
        return math.isnan(ours)
    same_sign = math.copysign(1.0, ours) == math.copysign(1.0, theirs)
    return same_sign and math.isclose(ours, theirs, rel_tol=1e-15)


def _same_grad(ours: float, theirs: float) -> bool:
    """Gradients: equal or both NaN; 0.0 and -0.0 count as equal (see the README: a .grad that
    starts at 0.0 holds 0.0 + -0.0 = 0.0 where PyTorch stores a first gradient -0.0 as is)."""
    return math.isnan(ours) if math.isnan(theirs) else ours == pytest.approx(theirs, rel=1e-15)


def _torch_run(f, *xs):
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = f(*ts)
    out.backward()
    return out.item(), [t.grad.item() for t in ts]


def _check(ours_f, torch_f, xs):
    t_value, t_grads = _torch_run(torch_f, *xs)
    leaves = [Value(x) for x in xs]
    try:
        out = ours_f(*leaves)
    except DOMAIN_ERRORS as e:
        assert not any(map(math.isnan, xs)), f"NaN in must give NaN out, not {e!r}"
        assert not math.isfinite(t_value), f"raised {e!r} where PyTorch gives {t_value!r}"
        return
    out.backward()
    assert _same(out.data, t_value), (out.data, t_value)
    for leaf, t_grad in zip(leaves, t_grads):
        assert _same_grad(leaf.grad, t_grad), ([v.grad for v in leaves], t_grads)


def _check_all(ours_f, torch_f, inputs) -> None:
    """_check on every input tuple, then one failure listing every input that disagreed (one test
    per op: a pytest item per value costs more than the check)."""
    failures = []
    for xs in inputs:
        try:
            _check(ours_f, torch_f, list(xs))
        except AssertionError as e:
            failures.append(f"{xs!r}: {e}")
    assert not failures, f"{len(failures)} of {len(inputs)} inputs differ:\n" + "\n".join(failures)


@pytest.mark.parametrize("op", list(UNARY))
def test_unary_ops_follow_pytorch_on_special_values(op):
    ours, theirs = UNARY[op]
    _check_all(ours, theirs, [(x,) for x in SPECIAL])


@pytest.mark.parametrize("op", list(TABLE))
def test_every_op_of_the_table_follows_pytorch_on_special_values(op):
    n, (ours, theirs) = TABLE[op]
    values = SPECIAL if n == 1 else PAIR_VALUES
    if op == "log1p":  # PyTorch's log1p gives 1.00000000000005e-310 at the subnormal 1e-310,
        values = [v for v in values if v != 1e-310]  # 5e-14 off; math.log1p's 1e-310 is exact
    _check_all(ours, theirs, list(itertools.product(values, repeat=n)))


def test_a_finite_result_never_raises_for_an_overflowing_derivative():
    y = 1 / Value(1e-200)
    assert y.data == 1e200 and y.local_grads == (-INF,)
    z = Value(1e-200) ** -1
    assert z.data == 1e200 and z.local_grads == (-INF,)


def test_the_documented_domain_errors_stay():
    with pytest.raises(ValueError, match="op 'log'"):
        Value(0.0).log()
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / Value(0.0)
    with pytest.raises(ValueError, match="non-integer power"):
        Value(-2.0) ** 0.5
    with pytest.raises(OverflowError, match="op 'exp'"):
        Value(709.79).exp()
