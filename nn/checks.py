"""Argument checks for nn's public functions: each rule written once, applied where users hand
values in, never inside forward, backward or an optimizer step.

Every failure is a TypeError (wrong kind of value) or ValueError (right kind, wrong value) whose
message names the argument, shows the value received and says what was expected.

What the ecosystem passes is accepted: numpy arrays and numpy scalars (recognised by duck typing,
so numpy is never imported here), and bools as 0 and 1 in data, as PyTorch does. Hyperparameters
and counts refuse bools: ``epochs=True`` is a mistake, not a number.
"""

from __future__ import annotations

import math
import numbers
import operator
import random
import reprlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, SupportsIndex, TypeGuard

_short = reprlib.Repr()
_short.maxstring = _short.maxother = 40
_short.maxlist = _short.maxtuple = 6


def describe(value: object) -> str:
    """A value for an error message: its type and a clipped repr."""
    kind = getattr(type(value), "kind_shown", type(value).__name__)  # a model's Outputs: "list"
    return f"{kind} {_short.repr(value)}"


def is_bool(value: object) -> bool:
    """True for Python's and numpy's bools (numpy.bool_ is not an int subclass)."""
    t = type(value)
    return t is bool or (t.__module__ == "numpy" and t.__name__ in ("bool", "bool_"))


class ArrayLike(Protocol):
    """What is used of a numpy array here (numpy itself is never imported)."""

    ndim: int
    shape: tuple[int, ...]

    def tolist(self) -> Any: ...

    def __len__(self) -> int: ...


def _is_array(value: object) -> TypeGuard[ArrayLike]:
    """A numpy array (or anything shaped like one): has ndim, shape and tolist()."""
    return (
        hasattr(value, "ndim")
        and hasattr(value, "shape")
        and callable(getattr(value, "tolist", None))
    )


def _index(value: object) -> int | None:
    """``value`` as an int if it is an integer (Python's or numpy's; bools too), else None."""
    if not isinstance(value, SupportsIndex):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def integer(value: object, name: str, *, minimum: int | None = None) -> int:
    """``value`` as an int: an int or numpy integer, not a bool, at least ``minimum``."""
    n = None if is_bool(value) else _index(value)
    if n is None:
        raise TypeError(f"{name}: expected an integer, got {describe(value)}")
    if minimum is not None and n < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {n!r}")
    return n


def real(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite float in the given interval; ints and numpy scalars accepted, bools
    not. ``low_open``/``high_open`` exclude that end."""
    if is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {describe(value)}")
    try:
        x = float(value)
    except OverflowError:
        raise ValueError(f"{name}: {_short.repr(value)} is too large for a float") from None
    if not math.isfinite(x):
        raise ValueError(f"{name}: expected a finite number, got {x!r}")
    below = low is not None and (x <= low if low_open else x < low)
    above = high is not None and (x >= high if high_open else x > high)
    if below or above:
        left = "-inf" if low is None else f"{low!r}"
        right = "inf" if high is None else f"{high!r}"
        interval = f"{'(' if low_open or low is None else '['}{left}, {right}"
        interval += ")" if high_open or high is None else "]"
        raise ValueError(f"{name}: expected a number in {interval}, got {x!r}")
    return x


def datum(value: object, name: str) -> float:
    """One number of a data set as a finite float; bools (Python's or numpy's) count as 0 and 1."""
    if is_bool(value):
        return float(bool(value))
    return real(value, name)


def sequence(value: object, name: str, expected: str) -> list:
    """``value`` as a list: a list, tuple or other Sequence, or a numpy array (via tolist())."""
    if _is_array(value):
        if value.ndim == 0:
            raise TypeError(f"{name}: expected {expected}, got a 0-dimensional array")
        return value.tolist()
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise TypeError(f"{name}: expected {expected}, got {describe(value)}")
    return list(value)


def row(x: object, n: int, who: str) -> list:
    """One sample for a forward pass as a list of ``n`` numbers or Values: a list, a tuple, a 1-D
    numpy array (converted with tolist()), or another model's list of outputs. TypeError for a
    single number, a 2-D array or anything else; ValueError for the wrong length. Its elements
    are left to the op that reads them (engine.linear names a bad one)."""
    expected = f"x must be a sequence of {n} numbers or Values (one per input)"
    if _is_array(x):
        if x.ndim == 0:  # a numpy scalar
            raise TypeError(f"{who}: {expected}, got {describe(x)}")
        if x.ndim != 1:
            raise TypeError(
                f"{who}: {expected}, got a {x.ndim}-D array of shape {tuple(x.shape)}"
                + (
                    "; for many samples call the model on each row, or use nn.predict(model, X)"
                    if x.ndim == 2
                    else ""
                )
            )
        items = list(x.tolist())
    elif isinstance(x, str | bytes | Mapping) or not isinstance(x, Sequence):
        raise TypeError(f"{who}: {expected}, got {describe(x)}")  # a number, a Value, None...
    else:
        items = list(x)
    if len(items) != n:
        raise ValueError(f"{who}: expected {n} inputs, got {len(items)}: {expected}")
    return items


def vector(value: object, name: str) -> list[float]:
    """A sequence of numbers (a list, tuple or 1-D array) as a list of floats."""
    items = sequence(value, name, "a sequence of numbers")
    return [datum(v, f"{name}[{i}]") for i, v in enumerate(items)]


def labels(value: object, name: str) -> list[float]:
    """One label per sample: a sequence of numbers, or a one-column matrix (an array of shape
    (n, 1), as Keras takes), as a list of floats."""
    items = sequence(value, name, "a sequence of numbers")
    if items and isinstance(items[0], list | tuple):
        items = [_one(v, f"{name}[{i}]") for i, v in enumerate(items)]
    return [datum(v, f"{name}[{i}]") for i, v in enumerate(items)]


def _one(value: object, name: str) -> object:
    if not isinstance(value, list | tuple) or len(value) != 1:
        raise ValueError(f"{name}: expected one number per sample, got {describe(value)}")
    return value[0]


def matrix(value: object, name: str, *, ncols: int | None = None) -> list[list[float]]:
    """A sequence of samples, each a sequence of ``ncols`` numbers (all of one length when
    ``ncols`` is None), as a list of lists of floats."""
    rows = sequence(value, name, "a sequence of samples, each a sequence of numbers")
    if rows and (isinstance(rows[0], numbers.Number) or is_bool(rows[0])):
        raise TypeError(
            f"{name}: expected a sequence of samples, each a sequence of numbers, got one sample "
            f"({describe(value)}); wrap it in a list ([x]) or call the model on it (model(x))"
        )
    out = []
    for i, row in enumerate(rows):
        sample = vector(row, f"{name}[{i}]")
        if ncols is None:
            ncols = len(sample)
        if len(sample) != ncols:
            raise ValueError(f"{name}[{i}]: expected {ncols} numbers, got {len(sample)}")
        out.append(sample)
    return out


def samples(
    X: object, y: object, *, nin: int | None, names: tuple[str, str] = ("X", "y")
) -> tuple[list[list[float]], list[float]]:
    """(X, y) as lists of floats: at least one sample, one label per sample, ``nin`` inputs each."""
    xs = matrix(X, names[0], ncols=nin)
    ys = labels(y, names[1])
    if not xs:
        raise ValueError(f"{names[0]}: expected at least one sample, got none")
    if len(xs) != len(ys):
        raise ValueError(
            f"{names[1]}: expected one label per sample of {names[0]} ({len(xs)}), got {len(ys)}"
        )
    return xs, ys


def same_length(X: object, y: object, names: tuple[str, str] = ("X", "y")) -> None:
    """X and y are sequences (or arrays) of the same length; their items are not inspected."""
    lengths = []
    for value, name in zip((X, y), names):
        if _is_array(value) or (isinstance(value, Sequence) and not isinstance(value, str | bytes)):
            lengths.append(len(value))
            continue
        raise TypeError(f"{name}: expected a sequence, got {describe(value)}")
    if lengths[0] != lengths[1]:
        raise ValueError(
            f"{names[1]}: expected one label per sample of {names[0]} ({lengths[0]}), "
            f"got {lengths[1]}"
        )


# Label domains per loss: a predicate on one float, and how to say it.
LABEL_DOMAINS: dict[str, tuple[Callable[[float], bool], str]] = {
    "binary_cross_entropy": (lambda t: 0.0 <= t <= 1.0, "a label in [0, 1]"),
    "hinge": (lambda t: t == 1.0 or t == -1.0, "a label -1 or +1"),
}


def label(value: float, name: str, loss: str) -> None:
    """ValueError if the float ``value`` is outside ``loss``'s label domain (if it has one)."""
    domain = LABEL_DOMAINS.get(loss)
    if domain is not None and not domain[0](value):
        raise ValueError(f"{name}: {loss} expects {domain[1]}, got {value!r}")


def choice(value: object, name: str, options: Sequence[str]) -> str:
    """``value`` if it is one of the string ``options``; else ValueError listing them."""
    if not isinstance(value, str):
        raise TypeError(
            f"{name}: expected one of {', '.join(map(repr, options))}, got {describe(value)}"
        )
    if value not in options:
        raise ValueError(f"{name}: expected one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def flag(value: object, name: str) -> bool:
    """``value`` as a bool: True or False (numpy's too), nothing else."""
    if not is_bool(value):
        raise TypeError(f"{name}: expected True or False, got {describe(value)}")
    return bool(value)


def random_seed(value: object, name: str = "seed") -> int | random.Random | None:
    """A seed: None (fresh randomness), an int (numpy ints too), or a random.Random to share."""
    if value is None or isinstance(value, random.Random):
        return value
    n = None if is_bool(value) else _index(value)
    if n is None:
        raise TypeError(f"{name}: expected an int, a random.Random or None, got {describe(value)}")
    return n


def betas(value: object, name: str = "betas") -> tuple[float, float]:
    """Two decay rates, each in [0, 1)."""
    items = sequence(value, name, "a pair of numbers (beta1, beta2)")
    if len(items) != 2:
        raise ValueError(f"{name}: expected a pair (beta1, beta2), got {len(items)} numbers")
    return (
        real(items[0], f"{name}[0]", low=0.0, high=1.0, high_open=True),
        real(items[1], f"{name}[1]", low=0.0, high=1.0, high_open=True),
    )


def parameters(params: Sequence[Any], name: str = "params") -> list[Any]:
    """A non-empty list of distinct parameters, each with float ``data`` and ``grad``."""
    out = list(params)
    if not out:
        raise ValueError(f"{name}: expected at least one parameter, got none")
    seen: set[int] = set()
    for i, p in enumerate(out):
        if not (hasattr(p, "data") and hasattr(p, "grad")):
            raise TypeError(
                f"{name}[{i}]: expected a parameter (a Value: data and grad), got {describe(p)}"
            )
        if id(p) in seen:
            raise ValueError(f"{name}[{i}]: {describe(p)} appears twice; it would be updated twice")
        seen.add(id(p))
    return out


def kind(x: object) -> str:
    """A short description of a JSON-like value for an error message: its type, clipped repr."""
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return f"{names.get(type(x), type(x).__name__)} {_short.repr(x)}"


def some(items: list[str], quoted: bool = False, limit: int = 5) -> str:
    """Up to ``limit`` items for a message, then how many more; 'none' for an empty list."""
    if not items:
        return "none"
    shown = ", ".join(items[:limit] if quoted else map(repr, items[:limit]))
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return shown + more
