"""Bad input meets a clear error that says what and where; anomaly mode catches inf and NaN."""

from __future__ import annotations

import math

import pytest

from engine import Value, detect_anomaly, linear


@pytest.mark.parametrize("bad", ["1.0", None, 1 + 2j, [1.0], {"x": 1}])
def test_value_of_a_non_number_is_a_type_error_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


def test_value_of_a_value_says_so():
    with pytest.raises(TypeError, match="already a Value"):
        Value(Value(1.0))


def test_label_must_be_text():
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)


@pytest.mark.parametrize("bad", ["2", None, [1], 1j])
def test_unsupported_operand_is_a_type_error(bad):
    x = Value(1.0)
    for op in (
        lambda: x + bad,
        lambda: bad + x,
        lambda: x * bad,
        lambda: bad * x,
        lambda: x - bad,
        lambda: x / bad,
        lambda: x**bad,
    ):
        with pytest.raises(TypeError):
            op()


def test_linear_with_a_bad_operand_names_its_role():
    with pytest.raises(
        TypeError, match="op 'linear': input must be a Value or a real number, got str"
    ):
        linear([Value(1.0)], ["x"])


@pytest.mark.parametrize("x", [0.0, -1.5])
def test_log_of_non_positive_names_op_operand_and_label(x):
    with pytest.raises(
        ValueError, match=rf"op 'log': operand must be > 0, got 'A\[1\]_2' \(leaf, data={x}\)"
    ):
        Value(x, label="A[1]_2").log()


def test_division_by_zero_names_the_divisor():
    with pytest.raises(ZeroDivisionError, match="'d'"):
        Value(1.0) / Value(0.0, label="d")
    with pytest.raises(ZeroDivisionError, match="'d'"):
        2.0 / Value(0.0, label="d")
    with pytest.raises(ZeroDivisionError, match="divisor is 0.0"):
        Value(1.0) / 0


def test_negative_base_to_a_non_integer_power():
    with pytest.raises(ValueError, match=r"op '\*\*': negative base 'b'.*non-integer power 0.5"):
        Value(-2.0, label="b") ** 0.5
    assert (Value(-2.0) ** 3).data == -8.0  # integer powers of negatives are fine
    with pytest.raises(ValueError, match="negative base"):
        Value(-2.0) ** Value(2.5)
    with pytest.raises(ValueError, match="negative base -2.0"):
        (-2.0) ** Value(0.5)
    # PyTorch: (-2) ** 2 is 4 with a NaN derivative for the exponent (log of a negative base)
    y = Value(-2.0) ** (p := Value(2.0))
    y.backward()
    assert y.data == 4.0 and math.isnan(p.grad)


def test_zero_to_a_negative_power():
    with pytest.raises(ZeroDivisionError, match=r"op '\*\*'"):
        Value(0.0, label="z") ** -1


def test_exp_overflow_names_the_op():
    with pytest.raises(OverflowError, match=r"op 'exp': result too large.*'big'"):
        Value(1000.0, label="big").exp()
    with pytest.raises(OverflowError, match=r"op '\*\*'"):
        Value(1e200) ** 3


def test_error_deep_in_a_large_graph_names_the_node():
    # A 10,000-node chain whose running value crosses zero part-way; log of it must name the node.
    plain, first_bad = 0.5, None
    for i in range(5_000):
        plain -= 1.3e-4
        if plain <= 0 and first_bad is None:
            first_bad = i
    acc, out = Value(0.5, label="start"), Value(0.0)
    with pytest.raises(ValueError, match=rf"op 'log': .*'acc_{first_bad}' \(op '-', data=-"):
        for i in range(5_000):
            acc = acc - 1.3e-4
            acc.label = f"acc_{i}"
            out = out + acc.log()
    assert len(out.parents) == 2 and first_bad is not None


def test_outside_anomaly_mode_inf_and_nan_propagate_as_ieee_floats():
    big = Value(1e200) * Value(1e200)
    assert big.data == math.inf
    nan = big - big
    assert math.isnan(nan.data)
    nan.backward()  # no error: IEEE semantics


def test_anomaly_mode_rejects_a_non_finite_forward_result():
    a, b = Value(1e200, label="a"), Value(1e200, label="b")
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"op '\*'.*'a'.*'b'"):
        a * b


def test_anomaly_mode_rejects_a_non_finite_gradient_in_backward():
    x = Value(1e-200, label="x")
    y = x**0.5  # derivative 0.5 / sqrt(x) = 5e99, finite
    z = y * 1e250  # forward finite (1e150); gradient to x: 5e99 * 1e250 = inf
    z.label = "z"
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"non-finite gradient.*'x'"):
        z.backward()


def test_anomaly_mode_ends_with_its_block():
    with detect_anomaly():
        pass
    assert math.isinf((Value(1e200) * Value(1e200)).data)


# ---- additions: cases the issue lists that the tests above reach only indirectly ----------------


@pytest.mark.parametrize("bad", ["2", None, [1], 1j])
def test_unsupported_operands_return_not_implemented(bad):
    # NotImplemented (not an exception) is what lets Python try the other operand's method.
    x = Value(1.0)
    for method in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__"):
        assert getattr(x, method)(bad) is NotImplemented
    for method in ("__truediv__", "__rtruediv__", "__pow__", "__rpow__"):
        assert getattr(x, method)(bad) is NotImplemented


def test_power_overflow_with_a_value_exponent_names_the_op():
    with pytest.raises(OverflowError, match=r"op '\*\*': result too large.*'e'"):
        2.0 ** Value(2000.0, label="e")
    with pytest.raises(OverflowError, match=r"op '\*\*': result too large.*'b'"):
        Value(10.0, label="b") ** Value(400.0)


def test_anomaly_mode_ends_even_when_its_block_raises():
    with pytest.raises(FloatingPointError), detect_anomaly():
        Value(1e200) * Value(1e200)
    assert math.isinf((Value(1e200) * Value(1e200)).data)  # IEEE again after the block
