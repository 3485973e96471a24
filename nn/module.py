"""Module: the base of every model part, with its parameters named by position."""

from __future__ import annotations

from collections.abc import Mapping

from engine import Value
from nn import state_dicts


class Module:
    """Something with named parameters (Values) that maps inputs to outputs when called.

    A parameter's name is its position in the module's structure, PyTorch-style: in an MLP,
    ``layers.0.neurons.2.w.1`` is weight 1 of neuron 2 of layer 0 and ``layers.0.neurons.2.b`` its
    bias (0-based, the attribute names joined by dots). State dicts and model files use these
    names. A Value's ``label`` is for display only: changing it changes pictures and printouts,
    never which parameter is which. Subclasses define ``named_parameters()`` and ``forward()``.
    """

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(structural name, Value) pairs in a stable order, e.g. ('neurons.1.w.0', ...)."""
        return []

    def seed_named_parameters(self) -> list[tuple[str, Value]]:
        """(display name, Value) pairs in ``named_parameters()`` order: the articles' notation
        (``W[1]_3,2``, ``b[1]_3``) where the module defines it, else the structural name."""
        return self.named_parameters()

    def seed_names(self) -> dict[str, str]:
        """Structural name -> display name for every parameter, computed from position."""
        return {
            name: shown
            for (name, _), (shown, _) in zip(self.named_parameters(), self.seed_named_parameters())
        }

    def parameters(self) -> list[Value]:
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient; backward() accumulates, so do this between passes."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value by structural name, in ``named_parameters()`` order."""
        return state_dicts.state_dict(self)

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set every parameter from ``state``, which must hold exactly this module's structural
        names, each with a finite number. Everything is checked first: on ValueError nothing has
        changed."""
        state_dicts.load_state(self, state, f"{type(self).__name__}.load_state_dict")

    def forward(self, x):
        raise NotImplementedError

    def _repr_html_(self) -> str:
        """In a notebook: a table of the layers (in, out, activation) and parameter counts."""
        from nn.notebook import module_html

        return module_html(self)

    def __call__(self, x):
        return self.forward(x)
