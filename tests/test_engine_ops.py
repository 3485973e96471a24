"""Every op: its value and its gradient against the derivative written out by hand here."""

from __future__ import annotations

import math

import pytest

from engine import Value, linear, total


def _sig(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# name, build(x) with x a Value, f(x) as plain math, f'(x) as plain math, sample points
UNARY = [
    ("neg", lambda x: -x, lambda x: -x, lambda x: -1.0, [-2.0, 0.5]),
    ("exp", lambda x: x.exp(), math.exp, math.exp, [-3.0, 0.0, 2.5]),
    ("log", lambda x: x.log(), math.log, lambda x: 1 / x, [0.1, 1.0, 7.0]),
    ("tanh", lambda x: x.tanh(), math.tanh, lambda x: 1 - math.tanh(x) ** 2, [-2.0, 0.3, 4.0]),
    ("sigmoid", lambda x: x.sigmoid(), _sig, lambda x: _sig(x) * (1 - _sig(x)), [-30.0, 0.0, 3.0]),
    ("relu+", lambda x: x.relu(), lambda x: x, lambda x: 1.0, [0.5, 3.0]),
    ("relu-", lambda x: x.relu(), lambda x: 0.0, lambda x: 0.0, [-0.5, 0.0]),
    ("pow2", lambda x: x**2, lambda x: x * x, lambda x: 2 * x, [-3.0, 0.5]),
    ("pow3", lambda x: x**3, lambda x: x**3, lambda x: 3 * x * x, [-1.5, 2.0]),
    ("pow-1", lambda x: x**-1, lambda x: 1 / x, lambda x: -1 / x**2, [-2.0, 0.25]),
    ("pow0.5", lambda x: x**0.5, math.sqrt, lambda x: 0.5 / math.sqrt(x), [0.04, 9.0]),
    ("const**x", lambda x: 3.0**x, lambda x: 3.0**x, lambda x: 3.0**x * math.log(3), [-1.0, 2.0]),
    ("x+c", lambda x: x + 2.5, lambda x: x + 2.5, lambda x: 1.0, [1.0]),
    ("c+x", lambda x: 2.5 + x, lambda x: 2.5 + x, lambda x: 1.0, [1.0]),
    ("x-c", lambda x: x - 2.5, lambda x: x - 2.5, lambda x: 1.0, [1.0]),
    ("c-x", lambda x: 2.5 - x, lambda x: 2.5 - x, lambda x: -1.0, [1.0]),
    ("x*c", lambda x: x * -4, lambda x: -4 * x, lambda x: -4.0, [1.5]),
    ("c*x", lambda x: -4 * x, lambda x: -4 * x, lambda x: -4.0, [1.5]),
    ("x/c", lambda x: x / 4, lambda x: x / 4, lambda x: 0.25, [1.5]),
    ("c/x", lambda x: 4 / x, lambda x: 4 / x, lambda x: -4 / x**2, [-1.5, 2.0]),
]


@pytest.mark.parametrize("name, build, f, df, points", UNARY, ids=[u[0] for u in UNARY])
def test_unary_op_value_and_gradient(name, build, f, df, points):
    for p in points:
        x = Value(p)
        y = build(x)
        y.backward()
        assert y.data == pytest.approx(f(p), rel=1e-12, abs=1e-300)
        assert x.grad == pytest.approx(df(p), rel=1e-12, abs=1e-300)
        assert y.parents == (x,)


# name, build(a, b), f(a, b), (df/da, df/db)
BINARY = [
    ("+", lambda a, b: a + b, lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    ("-", lambda a, b: a - b, lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    ("*", lambda a, b: a * b, lambda a, b: a * b, lambda a, b: (b, a)),
    ("/", lambda a, b: a / b, lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2)),
    (
        "**",
        lambda a, b: a**b,
        lambda a, b: a**b,
        lambda a, b: (b * a ** (b - 1), a**b * math.log(a)),
    ),
]


@pytest.mark.parametrize("name, build, f, df", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("pa, pb", [(1.5, -0.7), (0.3, 2.2)])
def test_binary_op_value_and_gradient(name, build, f, df, pa, pb):
    a, b = Value(pa), Value(pb)
    y = build(a, b)
    y.backward()
    assert y.data == pytest.approx(f(pa, pb), rel=1e-12)
    assert (a.grad, b.grad) == pytest.approx(df(pa, pb), rel=1e-12)
    assert y.parents == (a, b)
    assert y.op == name


def test_same_value_on_both_sides_gets_both_contributions():
    x = Value(3.0)
    y = x * x
    y.backward()
    assert x.grad == 6.0
    assert y.parents == (x, x)


def test_constant_operand_makes_no_node():
    x = Value(2.0)
    y = 3 * x + 1
    assert len(y.parents) == 1  # y = (3 * x) + 1: the constants 3 and 1 are not parents
    assert y.parents[0].parents == (x,)
    assert y.local_grads == (1.0,)
    assert y.parents[0].local_grads == (3.0,)


def test_relu_derivative_at_zero_is_zero_like_pytorch():
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0


def test_clip_passes_gradient_inside_and_blocks_it_outside():
    for x, value, grad in [(0.5, 0.5, 1.0), (-3.0, 0.0, 0.0), (7.0, 1.0, 0.0)]:
        v = Value(x)
        y = v.clip(0.0, 1.0)
        y.backward()
        assert (y.data, v.grad) == (value, grad)


def test_sigmoid_is_stable_for_large_inputs():
    assert Value(800.0).sigmoid().data == 1.0
    assert Value(-800.0).sigmoid().data == 0.0


def test_linear_value_and_local_grads():
    w = [Value(0.5), Value(-2.0)]
    x = [Value(3.0), Value(0.25)]
    b = Value(0.1)
    y = linear(w, x, b)
    assert y.op == "linear"
    assert y.data == pytest.approx(0.1 + 0.5 * 3.0 - 2.0 * 0.25)
    y.backward()
    assert [v.grad for v in w] == [3.0, 0.25]
    assert [v.grad for v in x] == [0.5, -2.0]
    assert b.grad == 1.0


def test_linear_with_constant_inputs_lists_only_values_as_parents():
    w = [Value(0.5), Value(-2.0)]
    y = linear(w, [3.0, 4.0], 1.0)
    assert y.parents == tuple(w)
    assert y.local_grads == (3.0, 4.0)
    assert y.data == 1.0 + 1.5 - 8.0


def test_linear_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="2 weights but 3 inputs"):
        linear([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0])


def test_total_is_one_node_with_unit_local_grads():
    xs = [Value(float(i)) for i in range(5)]
    s = total(xs + [10])
    assert s.op == "sum"
    assert s.data == 20.0
    assert s.parents == tuple(xs)
    s.backward()
    assert all(x.grad == 1.0 for x in xs)


def test_values_compare_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b
    assert a == a
    assert len({a, b, a}) == 2


def test_repr_is_short_and_names_label_op_data_grad():
    x = Value(2.0, label="x")
    y = x * 3
    y.label = "y"
    y.backward()
    assert repr(x) == "Value(x: data=2, grad=3)"
    assert repr(y) == "Value(y: data=6, grad=1, op='*')"
    assert repr(Value(0.5)) == "Value(data=0.5, grad=0)"
    assert f"{y:.2f}" == "6.00"


def test_local_grads_can_be_replaced_one_per_parent_only():
    """A test or an experiment may replace a node's local derivatives; the next pass uses them,
    and a count that does not match the parents is refused, naming both counts."""
    x, y = Value(2.0), Value(3.0)
    z = x * y
    z.local_grads = (10.0, 20.0)
    z.backward()
    assert (x.grad, y.grad) == (10.0, 20.0)
    with pytest.raises(ValueError, match="1 factors for 2 parents"):
        z.local_grads = (1.0,)
    assert z.local_grads == (10.0, 20.0)
    s = total([x, y, x])
    s.local_grads = [1.0, 2.0, 3.0]
    assert s.local_grads == (1.0, 2.0, 3.0)
