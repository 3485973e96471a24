"""Losses: each the mean over samples of a per-sample cost, its output labelled J.

Each takes single Values/numbers or equal-length lists of them. Targets are usually plain numbers,
which are constants in the graph and get no nodes.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

from engine import Value, total
from nn import checks

Scalar = Value | float
Batch = Scalar | Sequence[Scalar]

# Keras' epsilon: predictions are kept in [EPS, 1 - EPS] before log().
EPS = 1e-7


def _is_one(x: object) -> bool:
    """A single prediction or target: a Value or a number (numpy scalars and bools included)."""
    return isinstance(x, Value | numbers.Real) or checks.is_bool(x)


def _scalar(x: object, name: str, loss: str) -> Value | float:
    if isinstance(x, Value):
        return x
    if isinstance(x, list | tuple):
        raise TypeError(
            f"{loss}: {name}: expected a Value or a number, got {checks.describe(x)}; "
            f"this loss takes one output per sample (a model with one output unit)"
        )
    return checks.datum(x, f"{loss}: {name}")


def _prediction(x: object, name: str, loss: str) -> Value:
    """A prediction as a Value: a plain number becomes a constant leaf, so the loss is a Value."""
    p = _scalar(x, name, loss)
    return p if isinstance(p, Value) else Value(p)


def _pairs(predictions: Batch, targets: Batch, loss: str) -> list[tuple[Value, Scalar]]:
    """(prediction, target) pairs after checking both arguments: single Values/numbers or
    equal-length sequences (or numpy arrays) of them; targets in the loss's label domain."""
    one = _is_one(predictions)
    if one != _is_one(targets):
        raise TypeError(
            f"{loss}: give predictions and targets both as single values or both as sequences, "
            f"got {checks.describe(predictions)} and {checks.describe(targets)}"
        )
    if one:
        pairs = [(_prediction(predictions, "predictions", loss), _scalar(targets, "targets", loss))]
    else:
        ps = checks.sequence(predictions, f"{loss}: predictions", "a sequence of Values")
        ts = checks.sequence(targets, f"{loss}: targets", "a sequence of numbers")
        if len(ps) != len(ts):
            raise ValueError(
                f"{loss}: {len(ps)} predictions but {len(ts)} targets; they must match"
            )
        if not ps:
            raise ValueError(f"{loss}: no predictions")
        pairs = [
            (_prediction(p, f"predictions[{i}]", loss), _scalar(t, f"targets[{i}]", loss))
            for i, (p, t) in enumerate(zip(ps, ts))
        ]
    if loss in checks.LABEL_DOMAINS:
        # A Value target is a graph input (compiled training feeds labels that way): its value
        # here is a placeholder, and whoever feeds it checks the real labels (fit does).
        for i, (_, t) in enumerate(pairs):
            if not isinstance(t, Value):
                checks.label(t, f"targets[{i}]", loss)
    return pairs


def _mean(terms: list[Value]) -> Value:
    """(1/n) times the sum of the terms (one term is its own mean), labelled J."""
    j = total(terms) * (1.0 / len(terms)) if len(terms) > 1 else terms[0]
    j.label = "J"
    return j


def mse(predictions: Batch, targets: Batch) -> Value:
    """Mean squared error, (1/n) sum (p - y)^2; dJ/dp = (2/n)(p - y)."""
    return _mean([(p - y) ** 2 for p, y in _pairs(predictions, targets, "mse")])


def binary_cross_entropy(predictions: Batch, targets: Batch, eps: float = EPS) -> Value:
    """Mean of -y log p - (1 - y) log(1 - p), for probabilities p and labels y in [0, 1].

    p is clipped into [eps, 1 - eps] first, as Keras does, so a saturated sigmoid (which rounds to
    exactly 1.0 past z = 37) costs log(eps) instead of raising. When y is the plain number 0 or 1,
    the term it multiplies by zero is left out of the graph; the gradient is the same.
    """
    eps = checks.real(
        eps, "binary_cross_entropy: eps", low=0.0, high=0.5, low_open=True, high_open=True
    )
    terms = []
    for p, y in _pairs(predictions, targets, "binary_cross_entropy"):
        q = p.clip(eps, 1.0 - eps)
        if isinstance(y, Value):
            terms.append(-(y * q.log() + (1.0 - y) * (1.0 - q).log()))
        elif y == 1:
            terms.append(-q.log())
        elif y == 0:
            terms.append(-(1.0 - q).log())
        else:
            terms.append(-(y * q.log() + (1.0 - y) * (1.0 - q).log()))
    return _mean(terms)


def hinge(predictions: Batch, targets: Batch) -> Value:
    """Mean max-margin loss relu(1 - y s) for scores s and labels y in {-1, +1} (micrograd's)."""
    return _mean([(1.0 - y * s).relu() for s, y in _pairs(predictions, targets, "hinge")])


LOSSES: dict[str, Callable[[Batch, Batch], Value]] = {
    "mse": mse,
    "binary_cross_entropy": binary_cross_entropy,
    "hinge": hinge,
}


def get_loss(loss: str | Callable[[Batch, Batch], Value]) -> Callable[[Batch, Batch], Value]:
    """A loss function from its name (or the function itself); ValueError lists the valid names."""
    if callable(loss):
        return loss
    return LOSSES[checks.choice(loss, "loss", tuple(LOSSES))]
