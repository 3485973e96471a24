"""Losses: each the mean over samples of a per-sample cost, its output labelled J.

Each takes single Values/numbers or equal-length lists of them. Targets are usually plain numbers,
which are constants in the graph and get no nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine import Value, total

Scalar = Value | float
Batch = Scalar | Sequence[Scalar]

# Keras' epsilon: predictions are kept in [EPS, 1 - EPS] before log().
EPS = 1e-7


def _pairs(predictions: Batch, targets: Batch, loss: str) -> list[tuple[Scalar, Scalar]]:
    one = isinstance(predictions, Value | int | float)
    if one != isinstance(targets, Value | int | float):
        raise ValueError(f"{loss}: give predictions and targets both as single values or lists")
    if one:
        return [(predictions, targets)]
    if len(predictions) != len(targets):
        raise ValueError(
            f"{loss}: {len(predictions)} predictions but {len(targets)} targets; they must match"
        )
    if not predictions:
        raise ValueError(f"{loss}: no predictions")
    return list(zip(predictions, targets))


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
    terms = []
    for p, y in _pairs(predictions, targets, "binary_cross_entropy"):
        if not isinstance(p, Value):
            p = Value(p)
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
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; valid losses: {', '.join(map(repr, LOSSES))}")
    return LOSSES[loss]
