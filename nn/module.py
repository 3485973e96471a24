"""Module: the base of every model part, with its parameters by name."""

from __future__ import annotations

from collections.abc import Mapping

from engine import Value
from nn import serialize


class Module:
    """Something with named parameters (Values) that maps inputs to outputs when called.

    Subclasses define ``named_parameters()`` and ``forward()``; everything else derives from them.
    """

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(name, Value) pairs in a stable order, e.g. ('W[1]_2,1', ...), ('b[1]_2', ...)."""
        return []

    def parameters(self) -> list[Value]:
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient; backward() accumulates, so do this between passes."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value by name, in ``named_parameters()`` order."""
        return serialize.state_dict(self)

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set every parameter from ``state``, which must hold exactly this module's names, each
        with a finite number. Everything is checked first: on ValueError nothing has changed."""
        serialize.load_state(self, state, f"{type(self).__name__}.load_state_dict")

    def forward(self, x):
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)
