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
from typing import Any

_short = reprlib.Repr()
_short.maxstring = _short.maxother = 40
_short.maxlist = _short.maxtuple = 6


def describe(value: object) -> str:
    """A value for an error message: its type and a clipped repr."""
    return f"{type(value).__name__} {_short.repr(value)}"


def is_bool(value: object) -> bool:
    """True for Python's and numpy's bools (numpy.bool_ is not an int subclass)."""
    t = type(value)
    return t is bool or (t.__module__ == "numpy" and t.__name__ in ("bool", "bool_"))


def _is_array(value: object) -> bool:
    """A numpy array (or anything shaped like one): has ndim, shape and tolist()."""
    return (
        hasattr(value, "ndim")
        and hasattr(value, "shape")
        and callable(getattr(value, "tolist", None))
    )


def integer(value: object, name: str, *, minimum: int | None = None) -> int:
    """``value`` as an int: an int or numpy integer, not a bool, at least ``minimum``."""
    if is_bool(value):
        raise TypeError(f"{name}: expected an integer, got {describe(value)}")
    try:
        n = operator.index(value)
    except TypeError:
        raise TypeError(f"{name}: expected an integer, got {describe(value)}") from None
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


def vector(value: object, name: str) -> list[float]:
    """A sequence of numbers (a list, tuple or 1-D array) as a list of floats."""
    items = sequence(value, name, "a sequence of numbers")
    return [datum(v, f"{name}[{i}]") for i, v in enumerate(items)]


def matrix(value: object, name: str, *, ncols: int | None = None) -> list[list[float]]:
    """A sequence of samples, each a sequence of ``ncols`` numbers (all of one length when
    ``ncols`` is None), as a list of lists of floats."""
    rows = sequence(value, name, "a sequence of samples, each a sequence of numbers")
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
    ys = vector(y, names[1])
    if not xs:
        raise ValueError(f"{names[0]}: expected at least one sample, got none")
    if len(xs) != len(ys):
        raise ValueError(
            f"{names[1]}: expected one label per sample of {names[0]} ({len(xs)}), got {len(ys)}"
        )
    return xs, ys


def same_length(X: object, y: object, names: tuple[str, str] = ("X", "y")) -> None:
    """X and y are sequences (or arrays) of the same length; their items are not inspected."""
    for value, name in zip((X, y), names):
        if _is_array(value) or (isinstance(value, Sequence) and not isinstance(value, str | bytes)):
            continue
        raise TypeError(f"{name}: expected a sequence, got {describe(value)}")
    if len(X) != len(y):
        raise ValueError(
            f"{names[1]}: expected one label per sample of {names[0]} ({len(X)}), got {len(y)}"
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
    if is_bool(value):
        raise TypeError(f"{name}: expected an int, a random.Random or None, got {describe(value)}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(
            f"{name}: expected an int, a random.Random or None, got {describe(value)}"
        ) from None


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


# ---- what fit, evaluate and predict are handed ---------------------------------------------------


def _model_shape(model: Any) -> tuple[int | None, int | None]:
    """(inputs, outputs) of an MLP, Layer or Neuron, read from its structure; (None, None) for
    another Module, which is then only called."""
    from nn.layers import MLP, Layer, Neuron

    if isinstance(model, MLP):
        return model.nin, model.sizes[-1]
    if isinstance(model, Layer):
        return model.nin, model.nout
    if isinstance(model, Neuron):
        return len(model.w), 1
    return None, None


def _module(model: object) -> tuple[int | None, int | None]:
    from nn.module import Module

    if not isinstance(model, Module):
        raise TypeError(f"model: expected an nn.Module (e.g. nn.MLP), got {describe(model)}")
    return _model_shape(model)


def _one_output(model: Any, nout: int | None, doing: str) -> None:
    if nout is not None and nout != 1:
        raise ValueError(
            f"model: {doing} needs a model with one output unit, got {model!r} with {nout} "
            f"outputs; the losses compare one output per sample with one label"
        )


def _loss_name(loss: object) -> str:
    """The loss's name (for its label domain); TypeError/ValueError for a bad ``loss``."""
    from nn.losses import LOSSES

    if callable(loss):
        return getattr(loss, "__name__", "")
    return choice(loss, "loss", tuple(LOSSES))


def _labelled(
    model: Any, X: object, y: object, loss: object, accuracy: object, doing: str, names=("X", "y")
) -> tuple[list[list[float]], list[float]]:
    """(X, y) checked for a one-output model and the loss's label domain (for cross_entropy: a
    model with k >= 2 outputs and class labels 0 .. k-1)."""
    nin, nout = _module(model)
    name = _loss_name(loss)
    if name != "cross_entropy":
        _one_output(model, nout, doing)
    if accuracy is not None:
        from nn.train import ACCURACIES

        choice(accuracy, "accuracy", ACCURACIES)
    xs, ys = samples(X, y, nin=nin, names=names)
    if name == "cross_entropy":
        class_labels(model, nout, ys, names[1])
    for i, t in enumerate(ys):
        label(t, f"{names[1]}[{i}]", name)
    return xs, ys


def class_labels(model: Any, nout: int | None, ys: list[float], name: str) -> None:
    """For cross_entropy: a model with one output per class (k >= 2) and labels 0 .. k-1."""
    if nout is not None and nout < 2:
        raise ValueError(
            f"model: cross_entropy needs a model with one output per class (k >= 2, a linear "
            f"last layer giving logits), got {model!r} with {nout} output"
        )
    top = "" if nout is None else f" .. {nout - 1} (the model has {nout} outputs, one per class)"
    for i, t in enumerate(ys):
        if not t.is_integer() or t < 0 or (nout is not None and t >= nout):
            raise ValueError(f"{name}[{i}]: expected a class index 0{top}, got {t!r}")


def fit_inputs(
    model: Any,
    X: object,
    y: object,
    *,
    loss: object,
    optimizer: object,
    epochs: object,
    batch_size: object,
    validation: object,
    callbacks: object,
    seed: object,
    verbose: object,
    accuracy: object,
) -> tuple[list[list[float]], list[float], tuple[list[list[float]], list[float]] | None]:
    """Every argument of ``nn.fit`` checked; (X, y, validation) as lists of floats."""
    xs, ys = _labelled(model, X, y, loss, accuracy, "fit")
    integer(epochs, "epochs", minimum=0)
    integer(batch_size, "batch_size", minimum=1)
    if optimizer is not None:
        from nn.optim import Optimizer

        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"optimizer: expected an nn optimizer (nn.SGD, nn.Adam, nn.Adamax) or None, "
                f"got {describe(optimizer)}"
            )
        own = {id(p) for p in model.parameters()}
        foreign = [i for i, p in enumerate(optimizer.params) if id(p) not in own]
        if foreign:
            raise ValueError(
                f"optimizer: {len(foreign)} of its {len(optimizer.params)} parameters are not "
                f"this model's (the first is params[{foreign[0]}], "
                f"{describe(optimizer.params[foreign[0]])}); build it with model.parameters()"
            )
    val = None
    if validation is not None:
        pair = sequence(validation, "validation", "a pair (X_val, y_val)")
        if len(pair) != 2:
            raise ValueError(f"validation: expected a pair (X_val, y_val), got {len(pair)} items")
        val = _labelled(model, *pair, loss, accuracy, "fit", ("validation[0]", "validation[1]"))
    for i, callback in enumerate(sequence(callbacks, "callbacks", "a sequence of callables")):
        if not callable(callback):
            raise TypeError(f"callbacks[{i}]: expected a callable, got {describe(callback)}")
    random_seed(seed)
    flag(verbose, "verbose")
    return xs, ys, val


def evaluate_inputs(
    model: Any, X: object, y: object, *, loss: object, accuracy: object
) -> tuple[list[list[float]], list[float]]:
    """Every argument of ``nn.evaluate`` checked; (X, y) as lists of floats."""
    return _labelled(model, X, y, loss, accuracy, "evaluate")


def predict_inputs(model: Any, X: object) -> list[list[float]]:
    """``nn.predict``'s arguments checked; X as a list of samples of floats (maybe empty)."""
    nin, _ = _module(model)
    return matrix(X, "X", ncols=nin)
