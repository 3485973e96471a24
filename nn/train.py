"""Training: fit a one-output model with mini-batches, evaluate it, and predict without a graph.

One training step builds ONE graph: the forward pass of every sample in the batch, one mean loss
J, one ``J.backward()``, one optimizer step. Inputs are plain floats, so they are constants in the
graph and cost no nodes; the graph is freed as soon as J is dropped.

Accuracy depends on what the model outputs, which ``fit`` and ``evaluate`` infer from the loss
unless told (``accuracy=``):

  'threshold'  a probability (sigmoid output) against labels {0, 1}: predicted 1 when p > 0.5
               (Keras' binary accuracy). The default, used with binary_cross_entropy and mse.
  'sign'       a score against labels {-1, +1}: predicted +1 when the score is > 0. Used when the
               loss is hinge (by name or nn.hinge itself), whose labels are +-1.
  'argmax'     k outputs (logits, from a linear last layer) against class labels 0 .. k-1: the
               predicted class is the output that is largest. Used when the loss is cross_entropy.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from engine import Value, gc_paused
from nn.compiled import CompiledSteps
from nn.data import batches
from nn.forward import layer_columns, neuron_layers
from nn.init import make_rng
from nn.losses import cross_entropy, get_loss, hinge
from nn.module import Module
from nn.optim import Adam, Optimizer
from nn.progress import open_progress
from nn.train_inputs import evaluate_inputs, fit_inputs, predict_inputs

Loss = str | Callable
Callback = Callable[[int, "History", Module], object]


@dataclass
class History:
    """Per-epoch metrics, one entry per finished epoch.

    ``loss`` and ``accuracy`` are over the training samples as seen during the epoch (the mean of
    the batch losses weighted by batch size, while the weights were still changing, as Keras
    reports them); ``val_loss`` and ``val_accuracy`` are measured after the epoch, and stay empty
    without validation data.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.loss)


def accuracy_kind(loss: Loss, accuracy: str | None = None) -> str:
    """'sign' for the hinge loss, 'argmax' for cross_entropy, else 'threshold', unless
    ``accuracy`` names one of ``nn.train_inputs.ACCURACIES`` (checked there with the other
    arguments)."""
    if accuracy is not None:
        return accuracy
    if loss == "cross_entropy" or loss is cross_entropy:
        return "argmax"
    return "sign" if loss == "hinge" or loss is hinge else "threshold"


def _argmax(row: Sequence[float]) -> int:
    """The index of the largest entry (the first of equals), the predicted class."""
    return max(range(len(row)), key=row.__getitem__)


def _correct(outputs: Iterable, y: Iterable[float], kind: str) -> int:
    if kind == "argmax":
        return sum(_argmax(o) == t for o, t in zip(outputs, y))
    if kind == "sign":
        return sum((1.0 if o > 0.0 else -1.0) == t for o, t in zip(outputs, y))
    return sum((1.0 if o > 0.5 else 0.0) == t for o, t in zip(outputs, y))


def fit(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    *,
    loss: Loss = "binary_cross_entropy",
    optimizer: Optimizer | None = None,
    epochs: int = 10,
    batch_size: int = 32,
    validation: tuple[Sequence[Sequence[float]], Sequence[float]] | None = None,
    callbacks: Sequence[Callback] = (),
    seed: int | random.Random | None = None,
    verbose: bool = True,
    accuracy: str | None = None,
    compile: bool = False,  # noqa: A002 - the issue names it
    shuffle: bool = True,
) -> History:
    """Train ``model`` (one output unit) on (X, y) for ``epochs`` passes of shuffled mini-batches.

    ``optimizer`` defaults to Adam with Keras' defaults over model.parameters(); ``seed`` fixes the
    batch order; with ``shuffle=False`` every epoch takes the batches in the order of X (as
    ``nn.training_page`` does) and ``seed`` is unused. After each epoch every callback is called
    as ``callback(epoch, history, model)``, epoch counting from 1. With ``verbose`` the latest
    metrics are shown per epoch: a tqdm bar on a terminal; in a Jupyter notebook tqdm's widget bar
    (with ipywidgets) or else one printed line per epoch; nothing elsewhere (stderr not a
    terminal) or when verbose is False (nn.progress).
    With ``compile`` each batch size's step is traced once and then runs as compiled Python
    (``nn.compiled``), with final weights bit-identical to the interpreted run.
    """
    X, y, validation = fit_inputs(
        model, X, y, loss=loss, optimizer=optimizer, epochs=epochs, batch_size=batch_size,
        validation=validation, callbacks=callbacks, seed=seed, verbose=verbose, accuracy=accuracy,
        shuffle=shuffle,
    )  # fmt: skip
    loss_fn = get_loss(loss)
    kind = accuracy_kind(loss, accuracy)
    opt = optimizer if optimizer is not None else Adam(model.parameters())
    rng = make_rng(seed)
    history = History()
    bar = open_progress(epochs, verbose)
    compiled = CompiledSteps(model, loss_fn) if compile else None
    for epoch in range(1, epochs + 1):
        loss_sum, correct = 0.0, 0
        # The graphs make no reference cycles, so the collector's passes over them are pure cost;
        # it is paused for the steps only, not for evaluation or the user's callbacks.
        with gc_paused():
            for Xb, yb in batches(X, y, batch_size, rng, shuffle):
                if compiled is not None:
                    opt.zero_grad()
                    J_data, out_data = compiled.run(Xb, yb)
                else:
                    outputs = [model(x) for x in Xb]
                    J = loss_fn(outputs, yb)
                    opt.zero_grad()
                    J.backward()
                    J_data, out_data = J.data, [_data(o) for o in outputs]
                opt.step()
                loss_sum += J_data * len(Xb)
                correct += _correct(out_data, yb, kind)
        history.loss.append(loss_sum / len(X))
        history.accuracy.append(correct / len(X))
        metrics = {"loss": f"{history.loss[-1]:.4f}", "acc": f"{history.accuracy[-1]:.4f}"}
        if validation is not None:
            val_loss, val_acc = _evaluate(model, *validation, loss_fn, kind)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_acc)
            metrics |= {"val_loss": f"{val_loss:.4f}", "val_acc": f"{val_acc:.4f}"}
        if bar is not None:
            bar.update(metrics)
        for callback in callbacks:
            callback(epoch, history, model)
    if bar is not None:
        bar.close()
    return history


def _data(output: Value | list[Value]) -> float | list[float]:
    """A model output's value: a float, or a list for a model with several outputs."""
    return output.data if isinstance(output, Value) else [v.data for v in output]


def evaluate(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    *,
    loss: Loss = "binary_cross_entropy",
    accuracy: str | None = None,
) -> tuple[float, float]:
    """(mean loss, accuracy) of a model on (X, y), with no graph for the model: outputs come from
    ``predict`` (equal to the graph's forward values) and only the loss is built on them. A model
    with k outputs takes loss='cross_entropy' and class labels 0 .. k-1 (accuracy by argmax).
    """
    X, y = evaluate_inputs(model, X, y, loss=loss, accuracy=accuracy)
    return _evaluate(model, X, y, get_loss(loss), accuracy_kind(loss, accuracy))


def _evaluate(
    model: Module, X: list[list[float]], y: list[float], loss_fn: Callable, kind: str
) -> tuple[float, float]:
    """``evaluate`` on inputs already checked, with the loss function and accuracy kind found."""
    outputs = _predict(model, X)
    if outputs and isinstance(outputs[0], list):
        if loss_fn is not cross_entropy:
            raise ValueError("evaluate and fit need a model with one output unit")
        J = cross_entropy([[Value(v) for v in o] for o in outputs], list(y))
        return J.data, _correct(outputs, y, kind) / len(X)
    scores = cast(list[float], outputs)
    J = loss_fn([Value(o) for o in scores], list(y))
    return J.data, _correct(scores, y, kind) / len(X)


def predict(
    model: Module, X: Sequence[Sequence[float]], *, output: str = "values"
) -> list[float] | list[list[float]] | list[int]:
    """The model's outputs for every sample of X as floats, without building a graph.

    ``output`` says what comes back: 'values', the outputs themselves (the default: a float per
    sample, or a list of k floats for a model with k outputs, its logits when the last layer is
    linear); 'probabilities', for k >= 2 outputs, the softmax of each sample's outputs (the
    numbers nn.softmax gives); 'classes', the predicted class of each sample as an int: the
    largest of k outputs (argmax), or for one output 1 when it is > 0.5, else 0.

    For an MLP, Layer or Neuron the network runs on the parameters' ``.data``, one layer at a time
    over all samples at once (a column of floats per unit), doing the same float operations in the
    same order as the graph's forward pass, so the results are identical to ``model(x).data``; it is
    many times faster, e.g. for a 100x100 grid of points. Any other Module is called sample by
    sample. A one-output model gives a list of floats, a wider one a list of lists per sample.
    """
    values = _predict(model, predict_inputs(model, X, output))
    several = bool(values) and isinstance(values[0], list)
    if output == "classes":
        if several:
            return [_argmax(row) for row in cast(list[list[float]], values)]
        return [int(v > 0.5) for v in cast(list[float], values)]
    if output == "probabilities":
        if values and not several:
            raise ValueError(
                "predict: output='probabilities' is the softmax of several outputs (logits); "
                "this model has one output: read it with output='values' (a sigmoid unit's is "
                "its probability)"
            )
        return [_softmax(v) for v in values]  # type: ignore[arg-type]
    return values


def _softmax(z: list[float]) -> list[float]:
    """nn.softmax on floats, the same operations in the same order, so the same bits."""
    m = max(z)
    es = [math.exp(v - m) for v in z]
    total = 0.0
    for e in es:
        total += e
    return [e / total for e in es]


def _predict(model: Module, X: list[list[float]]) -> list[float] | list[list[float]]:
    """``predict`` on inputs already checked."""
    layers = neuron_layers(model)
    if layers is None:
        outs = [model(x) for x in X]
        if all(isinstance(o, Value) for o in outs):
            return [o.data for o in outs]
        return [[v.data for v in o] for o in outs]
    if not X:
        return []
    nin = len(layers[0][0].w)
    if any(len(x) != nin for x in X):
        raise ValueError(f"predict: every sample needs {nin} inputs")
    *_, (_, outputs) = layer_columns(layers, X)  # the last layer's activations, a column per unit
    if len(outputs) == 1:
        return outputs[0]
    return [list(row) for row in zip(*outputs)]
