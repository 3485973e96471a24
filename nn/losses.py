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


# ---- several classes: softmax over a model's k outputs (logits) ---------------------------------


def _logits(values: object, fn: str) -> list[Value]:
    """A non-empty sequence of Values or numbers as Values (numbers become leaves)."""
    items = checks.sequence(values, f"{fn}: values", "a sequence of Values (one per class)")
    if not items:
        raise ValueError(f"{fn}: values is empty; give one logit per class")
    return [v if isinstance(v, Value) else Value(checks.datum(v, f"{fn}: values[{i}]"))
            for i, v in enumerate(items)]  # fmt: skip


def _shifted(zs: list[Value], shift: Value | None = None) -> list[Value]:
    """z_k - m with m = max z_j, a plain number: softmax and log_softmax do not depend on m, and
    e^(z - m) <= 1 never overflows, so logits of 1000 give finite results. Compiled training
    gives m as a ``shift`` leaf instead, an input of the step (see ``nn.compiled``)."""
    m = max(z.data for z in zs) if shift is None else shift
    return [z - m for z in zs]


def softmax(values: Sequence[Value | float]) -> list[Value]:
    """p_k = e^(z_k) / sum_j e^(z_j) for logits z, as Values: probabilities over the classes."""
    es = [s.exp() for s in _shifted(_logits(values, "softmax"))]
    total_e = total(es)
    return [e / total_e for e in es]


def log_softmax(values: Sequence[Value | float]) -> list[Value]:
    """log p_k = z_k - m - log sum_j e^(z_j - m) for logits z (m = max z_j), as PyTorch computes
    it: finite for any finite logits, unlike log(softmax(z)) whose p_k may round to 0."""
    return _log_softmax(_logits(values, "log_softmax"))


def _log_softmax(zs: list[Value], shift: Value | None = None) -> list[Value]:
    shifted = _shifted(zs, shift)
    # (-log_total) + s_k, the bits of s_k - log_total, with log_total as the first operand: a
    # graph walk from any log p_k then reaches the logits in order z_1 .. z_k, whichever k it
    # starts from, so a loss that picks one by label and one that weighs them all (compiled
    # training's one-hot labels) sum gradients in the same order: bit-identical weights.
    minus_log_total = -total([s.exp() for s in shifted]).log()
    return [minus_log_total + s for s in shifted]


def _class_index(label: object, k: int, name: str) -> int:
    """A class label as an int in [0, k): an int, or a float equal to one (fit's labels)."""
    if checks.is_bool(label) or not isinstance(label, numbers.Real):
        kind = checks.describe(label)
        raise TypeError(f"cross_entropy: {name}: expected a class index (an int), got {kind}")
    index = float(label)
    if not index.is_integer() or not 0 <= index < k:
        raise ValueError(
            f"cross_entropy: {name}: expected a class index 0 .. {k - 1} (one per logit), got "
            f"{label!r}"
        )
    return int(index)


def _cross_entropy_term(
    logits: object, label: object, name: str, shift: Value | None = None
) -> Value:
    """-log p_label for one sample; for a label given as k class probabilities t (Values too),
    -sum_k t_k log p_k, as PyTorch's probability targets."""
    lp = _log_softmax(_logits(logits, "cross_entropy"), shift)
    if isinstance(label, Value | str | bytes) or not isinstance(label, Sequence):
        return -lp[_class_index(label, len(lp), name)]
    if len(label) != len(lp):
        raise ValueError(
            f"cross_entropy: {name}: {len(label)} class probabilities for {len(lp)} logits"
        )
    return -total([t * p for t, p in zip(label, lp)])


def cross_entropy(logits: object, label: object) -> Value:
    """Cross-entropy of logits against a class label: -log softmax(logits)[label], PyTorch's
    ``F.cross_entropy``. One sample (a sequence of k logits and an int label 0 .. k-1) or a batch
    (a sequence of such sequences and one label per sample: the mean, labelled J). A label may
    also be k class probabilities (-sum_k t_k log p_k); compiled training feeds one-hot ones.

    dJ/dz_k = p_k - [k = label] for one sample (divided by n for a batch of n).
    """
    items = checks.sequence(logits, "cross_entropy: logits", "a sequence of logits")
    if not items:
        raise ValueError("cross_entropy: logits is empty")
    if not isinstance(items[0], Value) and isinstance(items[0], Sequence):  # a batch
        labels = checks.sequence(label, "cross_entropy: label", "one label per sample")
        if len(labels) != len(items):
            raise ValueError(
                f"cross_entropy: {len(items)} samples of logits but {len(labels)} labels"
            )
        pairs = enumerate(zip(items, labels))
        return _mean([_cross_entropy_term(z, t, f"label[{i}]") for i, (z, t) in pairs])
    term = _cross_entropy_term(items, label, "label")
    term.label = "J"
    return term


def shifted_cross_entropy(logits: Sequence, labels: Sequence, shifts: Sequence[Value]) -> Value:
    """``cross_entropy`` of a batch with each sample's max logit given as a leaf Value, the form
    compiled training traces: a plain-number max would be baked into the compiled step as the
    traced batch's number."""
    terms = zip(logits, labels, shifts)
    return _mean([_cross_entropy_term(z, t, f"label[{i}]", m) for i, (z, t, m) in enumerate(terms)])


LOSSES: dict[str, Callable[[Batch, Batch], Value]] = {
    "mse": mse,
    "binary_cross_entropy": binary_cross_entropy,
    "hinge": hinge,
    "cross_entropy": cross_entropy,
}


def get_loss(loss: str | Callable[[Batch, Batch], Value]) -> Callable[[Batch, Batch], Value]:
    """A loss function from its name (or the function itself); ValueError lists the valid names."""
    if callable(loss):
        return loss
    return LOSSES[checks.choice(loss, "loss", tuple(LOSSES))]
