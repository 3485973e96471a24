"""``nn.training_page``: one HTML file that trains a 2-D classifier in the browser, step by step.

The page holds the model's initial weights, the data, the optimizer's settings and state, and the
training step as JavaScript: the batch's graph (parameters, samples and labels as its leaves, as
``nn.fit(compile=True)`` traces it) compiled once per batch size, plus the model's forward pass
for one point, compiled once to draw the decision boundary. The optimizers' updates are restated
in the page's script with the same operations in the same order as ``nn.optim``.

The page takes the batches in the order of X, every epoch the same, so n steps in the page equal
``nn.fit(..., shuffle=False)`` on the same data, initial weights, optimizer and batch size. A point
added by clicking the plot joins the data at its end; a batch size the page holds no compiled
step for (the last batch after a click) is then summed from one-sample steps, equal to the batch
step up to rounding.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from pathlib import Path

import engine
from engine import Value
from engine.render.files import write_atomic
from nn import checks
from nn.compiled import batch_graph
from nn.losses import get_loss
from nn.module import Module
from nn.optim import SGD, Adam, Adamax, Optimizer
from nn.page_html import PAGE, SCRIPT
from nn.train import Loss, accuracy_kind
from nn.train_inputs import fit_inputs

__all__ = ["training_page"]


def training_page(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    path: str | Path,
    *,
    loss: Loss = "binary_cross_entropy",
    optimizer: Optimizer | None = None,
    batch_size: int = 32,
    title: str = "Training in the page",
) -> Path:
    """Write a self-contained page that trains ``model`` (two inputs, one output) on (X, y).

    The page has buttons ``#play``, ``#pause``, ``#step`` (one optimizer step) and ``#reset`` (the
    initial weights and optimizer state again), a learning-rate input ``#lr``; it draws the loss
    curve, the decision boundary over the data and every weight's value and gradient as it trains.
    Clicking the plot adds a point of class 1 (shift-click: the other class). For tests it exposes
    ``window.chainrule = {step(n), weights(), loss()}``: ``weights()`` in model.parameters()
    order, ``loss()`` the loss of the last step's batch. ``optimizer`` (default: Adam with Keras'
    defaults) is read, not changed: the page starts from its current state. Returns the path.
    """
    X, y, _ = fit_inputs(
        model, X, y, loss=loss, optimizer=optimizer, epochs=0, batch_size=batch_size,
        validation=None, callbacks=(), seed=None, verbose=False, accuracy=None,
    )  # fmt: skip
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"path: expected a file name ending in .html, got {str(path)!r}")
    if any(len(x) != 2 for x in X):
        width = next(len(x) for x in X if len(x) != 2)
        raise ValueError(f"X: the page plots the plane, so samples need 2 features, got {width}")
    if not isinstance(title, str):
        raise TypeError(f"title: expected a str, got {checks.describe(title)}")
    params = model.parameters()
    opt = optimizer if optimizer is not None else Adam(params)
    optimizer_state = _optimizer_state(opt, params)
    loss_fn = get_loss(loss)
    batch = min(batch_size, len(X))
    sizes = sorted({batch, len(X) % batch or batch, 1}, reverse=True)
    steps = {m: _batch_step(model, loss_fn, params, X[:m], y[:m]) for m in sizes}
    point = [Value(0.0, label="x1"), Value(0.0, label="x2")]
    forward = _javascript([model(point)], [*params, *point], [])
    kind = accuracy_kind(loss)
    data = {
        "params": [p.data for p in params],
        "names": [p.label or f"p{i}" for i, p in enumerate(params)],
        "X": X,
        "y": y,
        "batch": batch,
        "optimizer": optimizer_state,
        "kind": kind,
        "loss": loss if isinstance(loss, str) else getattr(loss, "__name__", "loss"),
        "limit": _limit(X),
    }
    functions = ",\n".join(f"{m}: {_wrap(source)}" for m, source in steps.items())
    script = f"const STEPS = {{\n{functions}\n}};\nconst FORWARD = {_wrap(forward)};\n" + SCRIPT
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    page = (
        PAGE.replace("{title}", html.escape(title))
        .replace("{data}", payload)
        .replace("{script}", script.replace("</", "<\\/"))
    )
    return write_atomic(path, page)


def _batch_step(
    model: Module, loss_fn, params: list[Value], X: list[list[float]], y: list[float]
) -> str:
    """The JavaScript step of a batch of len(X) samples: outputs [J, one output per sample],
    grads d J / d each parameter; fed [parameters, samples' features, labels]."""
    outputs, inputs = batch_graph(model, loss_fn, params, X, y)
    return _javascript(outputs, inputs, params)


def _javascript(outputs: list[Value], inputs: list[Value], wrt: list[Value]) -> str:
    """The source of ``function step(values)`` for a graph (with its float functions)."""
    return engine.compile(outputs, inputs, wrt=wrt, language="javascript").source


def _wrap(source: str) -> str:
    """A compiled step's source as an expression: the step function, its helpers kept private."""
    return f"(function () {{\n{source}\nreturn step;\n}})()"


def _optimizer_state(opt: Optimizer, params: list[Value]) -> dict:
    """What the page's script needs to continue ``opt``: its kind, settings and state."""
    if [id(p) for p in opt.params] != [id(p) for p in params]:
        raise ValueError(
            "optimizer: it must update exactly model.parameters(), in that order (the page "
            "keeps the weights in that order); build it with model.parameters()"
        )
    state: dict = {"t": opt.t, "lr": opt.lr}
    if type(opt) is SGD:
        return state | {"kind": "SGD", "momentum": opt.momentum, "velocity": list(opt.velocity)}
    if type(opt) is Adam:
        return state | {"kind": "Adam", "betas": list(opt.betas), "eps": opt.eps,
                        "m": list(opt.m), "v": list(opt.v)}  # fmt: skip
    if type(opt) is Adamax:
        return state | {"kind": "Adamax", "betas": list(opt.betas), "eps": opt.eps,
                        "m": list(opt.m), "u": list(opt.u)}  # fmt: skip
    raise TypeError(
        f"optimizer: the page runs nn.SGD, nn.Adam and nn.Adamax, got {checks.describe(opt)}"
    )


def _limit(X: list[list[float]]) -> float:
    """Half the side of the square the plot shows: the data's extent plus a margin, rounded up
    to a half."""
    extent = max((abs(v) for x in X for v in x), default=1.0)
    return max(0.5, math.ceil(extent * 1.1 * 2.0) / 2.0)
