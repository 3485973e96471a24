"""The float rules behind the ops: IEEE 754 edge cases and the engine's domain errors.

Every op's formula in ``engine.rules`` is written with Python operators and the functions here.
The interpreter (``engine.value``), compiled steps (``engine.compiler``) and the float forward pass
of ``nn.predict`` all call these same functions, so each edge case and each error message lives
once. PyTorch float64 is the reference: a result is NaN or ±inf where PyTorch's is, and an error is
raised only where PyTorch's own result is not finite (the documented domain errors below).

A ``culprit`` argument names the operand in an error message: a Value is described by its label,
op and data; a plain number by its value.
"""

from __future__ import annotations

import math
import numbers

__all__ = [
    "cos",
    "div",
    "divide",
    "exp",
    "exponent_slope",
    "expm1",
    "ieee_exp",
    "log",
    "log1p",
    "name",
    "pow_slope",
    "power",
    "real",
    "sigmoid",
    "sin",
    "sqrt",
]


def name(x: object) -> str:
    """How an error message names an operand: a Value by label, op and data; a number by repr."""
    if hasattr(x, "data") and hasattr(x, "op"):
        from engine.errors import describe

        return describe(x)  # type: ignore[arg-type]
    return repr(x)


def real(data: object) -> float:
    """Value()'s data as a float: any real number, bools and numpy's as 0.0/1.0 (as PyTorch
    takes them); a clear error for anything else, or for an int beyond the float range."""
    if isinstance(data, numbers.Real):
        try:
            return float(data)
        except OverflowError:
            digits = len(str(abs(data))) if abs(data) < 10**1000 else "over 1000"  # type: ignore[operator]
            raise ValueError(
                f"Value(): data is an int of {digits} digits, too large for a float "
                f"(the largest is about 1.8e308)"
            ) from None
    kind = type(data)
    if kind.__module__ == "numpy" and kind.__name__ in ("bool_", "bool"):  # numpy.True_
        return 1.0 if data else 0.0
    is_value = hasattr(data, "data") and hasattr(data, "op")
    hint = " (it is already a Value; use it directly)" if is_value else ""
    raise TypeError(f"Value() data must be a real number, got {kind.__name__}{hint}")


def div(x: float, y: float) -> float:
    """x / y as IEEE 754 and PyTorch have it: a zero divisor gives ±inf or NaN, never an error.

    Local derivatives use it: they may be infinite where the op's own result is finite."""
    if y == 0.0:
        if x == 0.0 or x != x:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def divide(a: float, b: float, culprit: object = None) -> float:
    """a / b, the op '/': ZeroDivisionError for a zero divisor (unless a is NaN: NaN passes)."""
    if b == 0.0 and a == a:
        divisor = name(b if culprit is None else culprit)
        raise ZeroDivisionError(f"op '/': division by zero: the divisor is {divisor}")
    return div(a, b)


def exp(a: float, culprit: object = None) -> float:
    """e ** a; OverflowError where a finite a gives a result beyond the largest float."""
    try:
        return math.exp(a)
    except OverflowError:
        raise overflow("exp", a if culprit is None else culprit) from None


def expm1(a: float, culprit: object = None) -> float:
    """e ** a - 1, exact near 0 where exp(a) - 1 loses digits; OverflowError as exp's."""
    try:
        return math.expm1(a)
    except OverflowError:
        raise overflow("expm1", a if culprit is None else culprit) from None


def ieee_exp(a: float) -> float:
    """e ** a as IEEE 754 exp: inf where it overflows, never an error. For formulas in which
    PyTorch lets e ** a overflow and the result stays finite (silu's a / (1 + e ** -a))."""
    try:
        return math.exp(a)
    except OverflowError:
        return math.inf


def log(a: float, culprit: object = None) -> float:
    """The natural logarithm; ValueError for a <= 0 (NaN gives NaN)."""
    if a <= 0.0:
        operand = name(a if culprit is None else culprit)
        raise ValueError(f"op 'log': operand must be > 0, got {operand}")
    return math.log(a)


def log1p(a: float, culprit: object = None) -> float:
    """log(1 + a), exact near 0 where log(1 + a) loses digits; ValueError for a <= -1 (NaN gives
    NaN), as log's for a <= 0."""
    if a <= -1.0:
        operand = name(a if culprit is None else culprit)
        raise ValueError(f"op 'log1p': operand must be > -1, got {operand}")
    return math.log1p(a)


def sigmoid(a: float) -> float:
    """1 / (1 + e**-a) without overflow for large |a| (e**-a is never formed for a < 0)."""
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def power(a: float, p: float, base: object = None, exponent: object = None) -> float:
    """a ** p, the op '**': the documented domain errors (see ``check_power``), and OverflowError
    where a finite base and exponent give a power beyond the largest float. ``base`` and
    ``exponent`` name the operands in the messages (default: their numbers)."""
    check_power(a, p, a if base is None else base)
    try:
        return a**p
    except OverflowError:
        b = name(a if base is None else base)
        e = name(p if exponent is None else exponent)
        raise OverflowError(f"op '**': result too large for a float, from {b} ** {e}") from None


def sqrt(a: float, culprit: object = None, op: str = "**") -> float:
    """a ** 0.5 as PyTorch computes it, by sqrt: sqrt(-0.0) is -0.0 (pow would give +0.0).

    ValueError for a < 0, as for a negative base to the power 0.5; ``op`` names the op in the
    message ('**' for x ** 0.5, 'sqrt' for x.sqrt())."""
    if op == "**":
        check_power(a, 0.5, a if culprit is None else culprit)
    elif a < 0.0:
        operand = name(a if culprit is None else culprit)
        raise ValueError(f"op {op!r}: operand must be >= 0, got {operand}")
    return math.sqrt(a) if a == a else a


def sin(a: float) -> float:
    """sin(a); NaN at ±inf, as IEEE 754 and PyTorch have it (Python's math.sin raises there)."""
    return math.sin(a) if a - a == 0.0 else math.nan


def cos(a: float) -> float:
    """cos(a); NaN at ±inf, as IEEE 754 and PyTorch have it (Python's math.cos raises there)."""
    return math.cos(a) if a - a == 0.0 else math.nan


def check_power(a: float, p: float, culprit: object) -> None:
    """The domain errors of **, each where PyTorch's own result is not finite: a negative base to
    a non-integer power ((-inf) ** p is 0 for p < 0, so no error, except p = -0.5: PyTorch's rsqrt
    gives NaN), and 0 to a negative power."""
    if (
        a < 0.0
        and math.isfinite(p)
        and not p.is_integer()
        and (a > -math.inf or p > 0.0 or p == -0.5)
    ):
        raise ValueError(f"op '**': negative base {name(culprit)} to the non-integer power {p!r}")
    if a == 0.0 and p < 0.0:
        raise ZeroDivisionError(f"op '**': base {name(culprit)} is 0, raised to the power {p!r}")


def pow_slope(a: float, p: float) -> float:
    """d(a ** p)/da = p * a ** (p - 1), as PyTorch computes it; ±inf where it overflows."""
    if p == 0.0:
        return 0.0
    return p * ieee_pow(a, p - 1.0)


def exponent_slope(a: float, p: float, out: float) -> float:
    """d(a ** p)/dp = a ** p * log(a); PyTorch takes it as 0 at a = 0 (p >= 0), NaN for a < 0."""
    if a > 0.0:
        return out * math.log(a)
    if a == 0.0 and p >= 0.0:
        return 0.0
    return math.nan


def ieee_pow(a: float, p: float) -> float:
    """a ** p as IEEE 754 pow: overflow and 0 to a negative power give ±inf, never an error.

    Callers never pass a negative base with a non-integer power (that has no real result)."""
    try:
        return a**p
    except (OverflowError, ZeroDivisionError):
        negative = math.copysign(1.0, a) < 0.0 and _is_odd_integer(p)
        return -math.inf if negative else math.inf


def _is_odd_integer(p: float) -> bool:
    return p.is_integer() and p % 2.0 == 1.0 if math.isfinite(p) else False


def overflow(op: str, culprit: object) -> OverflowError:
    """The error of an op whose finite operands give a result beyond the largest float."""
    return OverflowError(f"op {op!r}: result too large for a float, from {name(culprit)}")
