"""A Value in Python's number protocol behaves like a PyTorch 0-dim float64 tensor."""

from __future__ import annotations

import math

import pytest

from engine import Value

torch = None  # set by conftest.py before this file's tests run: not imported at collection

NUMBERS = [0.0, -0.0, 1.5, -2.25, 2.5, 3.14159, math.nan, math.inf, -math.inf, 1e-300]


def _t(x: float):
    return torch.tensor(x, dtype=torch.float64)


@pytest.mark.parametrize("x", NUMBERS)
def test_float_item_and_bool_match_a_tensor(x):
    v = Value(x)
    assert float(v) == float(_t(x)) or (math.isnan(x) and math.isnan(float(v)))
    assert type(v.item()) is float and (v.item() == x or math.isnan(x))
    assert bool(v) is bool(_t(x))


@pytest.mark.parametrize("x", [2.5, 3.5, -2.5, 0.125, 1.23456, -7.891])
@pytest.mark.parametrize("n", [None, 0, 1, 2])
def test_round_rounds_the_forward_value_like_a_float(x, n):
    assert round(Value(x), n) == round(x, n)
    assert type(round(Value(x), n)) is type(round(x, n))


@pytest.mark.parametrize("a", [-1.0, 0.0, 0.5, math.nan, math.inf])
@pytest.mark.parametrize("b", [-1.0, 0.0, 0.5, math.nan, -math.inf])
def test_order_comparisons_against_values_and_numbers_match_tensors(a, b):
    ta, tb = _t(a), _t(b)
    for ours, theirs in (
        (Value(a) < Value(b), ta < tb),
        (Value(a) <= b, ta <= tb),
        (a > Value(b), ta > tb),
        (Value(a) >= Value(b), ta >= tb),
    ):
        assert type(ours) is bool and ours is bool(theirs)


def test_equality_and_hash_stay_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a and len({a, b}) == 2
    assert {a: 1}[a] == 1 and hash(a) != hash(b)


def test_comparing_with_a_non_number_is_a_type_error():
    with pytest.raises(TypeError):
        Value(1.0) < "2"  # noqa: B015
