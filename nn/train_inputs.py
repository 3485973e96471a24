"""The arguments of ``nn.fit``, ``nn.evaluate`` and ``nn.predict``, each checked once, before any
training: the model's kind and shape, the samples and labels (in the loss's label domain), the
loss, the optimizer, the accuracy and the counts. Built from the generic rules of ``nn.checks``.
"""

from __future__ import annotations

import math
from typing import Any

from nn.checks import choice, describe, flag, integer, label, matrix, random_seed, samples, sequence
from nn.layers import MLP, Layer, Neuron
from nn.losses import LOSSES
from nn.module import Module
from nn.optim import Optimizer

# How fit and evaluate count a correct output (see ``nn.train``).
ACCURACIES = ("threshold", "sign", "argmax")
OUTPUTS = ("values", "probabilities", "classes")  # what nn.predict returns


def _model_shape(model: Any) -> tuple[int | None, int | None]:
    """(inputs, outputs) of an MLP, Layer or Neuron, read from its structure; (None, None) for
    another Module, which is then only called."""
    if isinstance(model, MLP):
        return model.nin, model.sizes[-1]
    if isinstance(model, Layer):
        return model.nin, model.nout
    if isinstance(model, Neuron):
        return len(model.w), 1
    return None, None


def _module(model: object) -> tuple[int | None, int | None]:
    if not isinstance(model, Module):
        raise TypeError(f"model: expected an nn.Module (e.g. nn.MLP), got {describe(model)}")
    return _model_shape(model)


def _one_output_model(model: object, doing: str) -> int | None:
    """The number of inputs of a one-output model (None if its structure does not say)."""
    nin, nout = _module(model)
    if nout is not None and nout != 1:
        raise ValueError(
            f"model: {doing} needs a model with one output unit, got {model!r} with {nout} "
            f"outputs; this loss compares one output per sample with one label (for one output "
            f"per class, use loss='cross_entropy' with class labels 0 .. k-1)"
        )
    return nin


def _model_for(model: object, loss: str, doing: str) -> tuple[int | None, int | None]:
    """(inputs, classes): for cross_entropy a model with one output per class (k >= 2; classes
    is k, or None if its structure does not say), for the other losses one output (None)."""
    if loss != "cross_entropy":
        return _one_output_model(model, doing), None
    nin, nout = _module(model)
    if nout is not None and nout < 2:
        raise ValueError(
            f"model: cross_entropy needs a model with one output per class (k >= 2, a linear "
            f"last layer giving logits), got {model!r} with {nout} output"
        )
    return nin, nout


def _loss_name(loss: object) -> str:
    """The loss's name (for its label domain); TypeError/ValueError for a bad ``loss``."""
    if callable(loss):
        return getattr(loss, "__name__", "")
    return choice(loss, "loss", tuple(LOSSES))


def _accuracy(accuracy: object) -> None:
    if accuracy is not None:
        choice(accuracy, "accuracy", ACCURACIES)


def _labelled(
    X: object,
    y: object,
    nin: int | None,
    loss: str,
    names: tuple[str, str] = ("X", "y"),
    classes: int | None = None,
) -> tuple[list[list[float]], list[float]]:
    """(X, y) as floats, ``nin`` inputs per sample, every label in the domain of ``loss`` (for
    cross_entropy a class index 0 .. classes-1)."""
    xs, ys = samples(X, y, nin=nin, names=names)
    top = (
        ""
        if classes is None
        else f" .. {classes - 1} (the model has {classes} outputs, one per class)"
    )
    for i, t in enumerate(ys):
        label(t, f"{names[1]}[{i}]", loss)
        if loss == "cross_entropy" and not (t.is_integer() and 0 <= t < (classes or math.inf)):
            raise ValueError(f"{names[1]}[{i}]: expected a class index 0{top}, got {t!r}")
    return xs, ys


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
    shuffle: object = True,
) -> tuple[list[list[float]], list[float], tuple[list[list[float]], list[float]] | None]:
    """Every argument of ``nn.fit`` checked; (X, y, validation) as lists of floats."""
    name = _loss_name(loss)
    nin, classes = _model_for(model, name, "fit")
    _accuracy(accuracy)
    xs, ys = _labelled(X, y, nin, name, classes=classes)
    integer(epochs, "epochs", minimum=0)
    integer(batch_size, "batch_size", minimum=1)
    if optimizer is not None:
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
        names = ("validation[0]", "validation[1]")
        val = _labelled(pair[0], pair[1], nin, name, names, classes)
    for i, callback in enumerate(sequence(callbacks, "callbacks", "a sequence of callables")):
        if not callable(callback):
            raise TypeError(f"callbacks[{i}]: expected a callable, got {describe(callback)}")
    random_seed(seed)
    flag(verbose, "verbose")
    flag(shuffle, "shuffle")
    return xs, ys, val


def evaluate_inputs(
    model: Any, X: object, y: object, *, loss: object, accuracy: object
) -> tuple[list[list[float]], list[float]]:
    """Every argument of ``nn.evaluate`` checked; (X, y) as lists of floats."""
    name = _loss_name(loss)
    nin, classes = _model_for(model, name, "evaluate")
    _accuracy(accuracy)
    return _labelled(X, y, nin, name, classes=classes)


def predict_inputs(model: Any, X: object, output: object = "values") -> list[list[float]]:
    """``nn.predict``'s arguments checked; X as a list of samples of floats (maybe empty)."""
    nin, _ = _module(model)
    choice(output, "output", OUTPUTS)
    return matrix(X, "X", ncols=nin)
