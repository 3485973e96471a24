"""Optimizers: SGD (with momentum), Adam and Adamax, updating parameters in place.

Each optimizer reads ``p.grad`` and writes ``p.data`` for every parameter it was given, so it works
on anything with those two float attributes. Per-parameter state (moments) is kept as plain floats
in lists aligned with the parameter list: no Values, so an update adds nothing to any graph.

The update formulas are Keras' (the articles trained with Keras). Where Keras and PyTorch differ,
which is only in where epsilon enters, each class's docstring says how.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Protocol

from nn import checks


class Parameter(Protocol):
    """What an optimizer needs of a parameter: a value and its gradient."""

    data: float
    grad: float


class _HasParameters(Protocol):
    def parameters(self) -> list[Parameter]: ...


Params = Iterable[Parameter] | _HasParameters


def _param_list(params: Params) -> list[Parameter]:
    """A list of distinct parameters from an iterable of Values or from a Module (its
    parameters()); TypeError or ValueError naming ``params`` otherwise."""
    method = getattr(params, "parameters", None)
    items: object = method() if callable(method) else params
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise TypeError(
            f"params: expected an iterable of parameters or a Module, got {checks.describe(items)}"
        )
    return checks.parameters(list(items))


def _lr(lr: object) -> float:
    return checks.real(lr, "lr", low=0.0, low_open=True)


def _eps(eps: object) -> float:
    return checks.real(eps, "eps", low=0.0, low_open=True)


class Optimizer:
    """Base class: holds the parameter list and zeroes gradients; subclasses define step()."""

    def __init__(self, params: Params, lr: float) -> None:
        self.lr = _lr(lr)  # finite and > 0
        self.params = _param_list(params)
        self.t = 0  # steps taken so far (Adam's and Adamax's bias corrections use it)

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to 0; backward() accumulates into it."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its current gradient."""
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent, optionally with momentum.

    Without momentum: ``p <- p - lr * g`` (the articles' ``W <- W - alpha dW``).
    With momentum mu, PyTorch's form: ``v <- mu * v + g; p <- p - lr * v`` (v starts at 0).
    Keras writes ``v <- mu * v - lr * g; p <- p + v``; for a fixed lr the two give the same
    parameters (Keras' v is -lr times PyTorch's).
    """

    def __init__(self, params: Params, lr: float, momentum: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = checks.real(momentum, "momentum", low=0.0, high=1.0, high_open=True)
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        self.t += 1
        lr, mu = self.lr, self.momentum
        if mu == 0.0:
            for p in self.params:
                p.data -= lr * p.grad
            return
        vel = self.velocity
        for i, p in enumerate(self.params):
            v = mu * vel[i] + p.grad
            vel[i] = v
            p.data -= lr * v


class Adam(Optimizer):
    """Adam with Keras' update, which puts eps outside the bias correction.

    At step t (from 1), for each parameter with gradient g, m and v starting at 0:

        m <- b1 m + (1 - b1) g
        v <- b2 v + (1 - b2) g^2
        p <- p - lr_t m / (sqrt(v) + eps),    lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)

    PyTorch instead computes ``p <- p - lr m_hat / (sqrt(v_hat) + eps)`` with m_hat = m/(1 - b1^t),
    v_hat = v/(1 - b2^t). Rearranged, that is Keras' update with eps replaced by
    eps sqrt(1 - b2^t): the two agree exactly when eps = 0 and closely when eps is tiny. The default
    eps = 1e-7 is Keras'; PyTorch's default is 1e-8.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-7,
    ) -> None:
        super().__init__(params, lr)
        self.betas = checks.betas(betas)
        self.eps = _eps(eps)
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        eps, m, v = self.eps, self.m, self.v
        lr_t = self.lr * math.sqrt(1.0 - b2**self.t) / (1.0 - b1**self.t)
        for i, p in enumerate(self.params):
            g = p.grad
            mi = b1 * m[i] + (1.0 - b1) * g
            vi = b2 * v[i] + (1.0 - b2) * g * g
            m[i], v[i] = mi, vi
            p.data -= lr_t * mi / (math.sqrt(vi) + eps)


class Adamax(Optimizer):
    """Adamax (Adam with the infinity norm), with Keras' update: eps is added after the max.

    At step t (from 1), for each parameter with gradient g, m and u starting at 0:

        m <- b1 m + (1 - b1) g
        u <- max(b2 u, |g|)
        p <- p - (lr / (1 - b1^t)) m / (u + eps)

    PyTorch adds eps inside the max instead, ``u <- max(b2 u, |g| + eps)``, and divides by u; the
    two agree closely when eps is tiny. Keras' defaults: lr 0.002 (the Keras version the articles
    used; Keras 3 uses 0.001), betas (0.9, 0.999), eps 1e-7.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 0.002,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-7,
    ) -> None:
        super().__init__(params, lr)
        self.betas = checks.betas(betas)
        self.eps = _eps(eps)
        self.m = [0.0] * len(self.params)
        self.u = [0.0] * len(self.params)

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        eps, m, u = self.eps, self.m, self.u
        lr_t = self.lr / (1.0 - b1**self.t)
        for i, p in enumerate(self.params):
            g = p.grad
            mi = b1 * m[i] + (1.0 - b1) * g
            ui = max(b2 * u[i], abs(g))
            m[i], u[i] = mi, ui
            p.data -= lr_t * mi / (ui + eps)
